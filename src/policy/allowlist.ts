// The allowlist a fork's changes to a workload are judged by (deny by default). Comparing a
// version of a copy with a reference version of it, a fork may change only:
// - container images (judged by policy.images elsewhere), env, args, command and resources, of
//   containers that exist in the reference (init containers included);
// - spec.replicas (judged by policy.maxReplicas elsewhere);
// - pod (and workload) annotations outside the mesh, security and Argo CD prefixes below;
// - pod (and workload) labels outside those prefixes whose new value no base selector or policy
//   matches (a key some selector reads whatever its value, with Exists or NotIn, is never free).
// Every other difference (a pod field, a volume, a new or removed container, a spec field outside
// the pod template...) is a Change, named by the JSON Pointer of the field and the rule it falls
// under; `policy.allowPatchPaths` lets it through (copies.ts decides that).
import { asRecord, type KObject } from "../model/k8s.ts";
import type { ReadLabels } from "../plan/base-index.ts";
import { pointerToken } from "../util/paths.ts";

export interface Change {
  /** JSON Pointer of the field in the copy (in the reference when the copy no longer has it). */
  pointer: string;
  rule: string;
}

/** A change with the value it leads to, so that two versions' changes can be compared. */
export interface Leaf extends Change {
  value: string;
}

/** What the allowlist needs to know besides the two objects. */
export interface AllowContext {
  /** Labels some base selector or policy reads (Services, workloads, NetworkPolicies, Istio...). */
  readLabels: ReadLabels;
}

/** Annotation and label key prefixes that change how the mesh, the node or Argo CD treats a pod or object. */
export const RESTRICTED_KEY_PREFIXES = [
  "sidecar.istio.io/",
  "traffic.sidecar.istio.io/",
  "proxy.istio.io/",
  "istio.io/",
  "networking.istio.io/",
  "security.istio.io/",
  "service.istio.io/",
  "ambient.istio.io/",
  "container.apparmor.security.beta.kubernetes.io/",
  "seccomp.security.alpha.kubernetes.io/",
  "container.seccomp.security.alpha.kubernetes.io/",
  "argocd.argoproj.io/",
  "kubefork.dev/",
  "svc.kubefork.dev/",
] as const;

/** Whole keys that mean the same. */
const RESTRICTED_KEYS = new Set(["app.kubernetes.io/managed-by", "app.kubernetes.io/instance"]);

/** Whether a fork may set, change or remove an annotation or label key (before the read-by-a-selector rule). */
export function restrictedKey(key: string): boolean {
  return RESTRICTED_KEYS.has(key) || key.includes(".security.") || RESTRICTED_KEY_PREFIXES.some((p) => key.startsWith(p));
}

/** Container fields a fork may change. */
export const ALLOWED_CONTAINER_FIELDS = new Set(["image", "env", "args", "command", "resources"]);

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;
const NAMED_POD_LISTS = new Set<string>([...CONTAINER_LISTS, "volumes"]);
const ABSENT = "<absent>";

type Rec = Record<string, unknown>;

/**
 * Views of named lists (src/policy/copies.ts): some of a list's items, and for each the index it
 * has in the whole list, which the pointers of its changes name.
 */
export const LIST_VIEW_INDICES = new WeakMap<readonly unknown[], readonly number[]>();

/** The changes of `copy` against `reference` that the allowlist does not allow. */
export function disallowedChanges(reference: KObject, copy: KObject, ctx: AllowContext): Change[] {
  return [...disallowedLeaves(reference, copy, ctx).values()].map(({ pointer, rule }) => ({ pointer, rule }));
}

/** The same, keyed by what each change is (containers and volumes by name), with the value it leads to. */
export function disallowedLeaves(reference: KObject, copy: KObject, ctx: AllowContext): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const a = reference as unknown as Rec;
  const b = copy as unknown as Rec;
  // The object: kind, name and namespace are checked by the workload generator; metadata by key.
  metadataDiff(asRecord(a.metadata), asRecord(b.metadata), "/metadata", "metadata", ctx, out);
  const sa = asRecord(a.spec) ?? {};
  const sb = asRecord(b.spec) ?? {};
  for (const k of union(sa, sb)) {
    if (k === "replicas" || k === "selector" || k === "template") continue;
    diff(sa[k], sb[k], `spec/${k}`, `/spec/${pointerToken(k)}`, `/spec/${pointerToken(k)}`, () => k, out);
  }
  const ta = asRecord(sa.template) ?? {};
  const tb = asRecord(sb.template) ?? {};
  metadataDiff(asRecord(ta.metadata), asRecord(tb.metadata), "/spec/template/metadata", "pod", ctx, out);
  for (const k of union(ta, tb)) if (k !== "metadata" && k !== "spec") diff(ta[k], tb[k], `template/${k}`, `/spec/template/${pointerToken(k)}`, `/spec/template/${pointerToken(k)}`, () => k, out);
  podDiff(asRecord(ta.spec) ?? {}, asRecord(tb.spec) ?? {}, out);
  return out;
}

function metadataDiff(a: Rec | undefined, b: Rec | undefined, ptr: string, where: "metadata" | "pod", ctx: AllowContext, out: Map<string, Leaf>): void {
  const ma = a ?? {};
  const mb = b ?? {};
  // Keys of the pod's metadata apart from the pod spec's (`pod/<field>`): every change has its own key.
  const keyOf = where === "pod" ? "pod-metadata" : "metadata";
  for (const k of union(ma, mb)) {
    if (where === "metadata" && (k === "name" || k === "namespace")) continue;
    if (k !== "labels" && k !== "annotations") {
      diff(ma[k], mb[k], `${keyOf}/${k}`, `${ptr}/${pointerToken(k)}`, `${ptr}/${pointerToken(k)}`, () => (where === "pod" ? "metadata" : `metadata.${k}`), out);
      continue;
    }
    const la = asRecord(ma[k]) ?? {};
    const lb = asRecord(mb[k]) ?? {};
    for (const key of union(la, lb)) {
      if (canonical(la[key]) === canonical(lb[key])) continue;
      const read = k === "labels" && isRead(ctx.readLabels, key, lb[key]);
      if (!read && !restrictedKey(key)) continue;
      const pointer = `${ptr}/${k}/${pointerToken(key)}`;
      out.set(`${keyOf}/${k}/${key}`, { pointer, rule: where === "pod" ? (k === "labels" ? "pod labels" : "pod annotations") : `metadata.${k}`, value: lb[key] === undefined ? ABSENT : canonical(lb[key]) });
    }
  }
}

/** Whether setting (or removing: `undefined`) a label changes what some base selector sees. */
function isRead(read: ReadLabels, key: string, value: unknown): boolean {
  const r = read.get(key);
  return r === "any" || (r !== undefined && typeof value === "string" && r.has(value));
}

function podDiff(a: Rec, b: Rec, out: Map<string, Leaf>): void {
  const podPtr = "/spec/template/spec";
  for (const k of union(a, b)) {
    if (NAMED_POD_LISTS.has(k)) continue;
    diff(a[k], b[k], `pod/${k}`, `${podPtr}/${pointerToken(k)}`, `${podPtr}/${pointerToken(k)}`, () => (k === "serviceAccount" ? "serviceAccountName" : k), out);
  }
  namedList(a.volumes, b.volumes, "volumes", `${podPtr}/volumes`, out, (rest, isNew, item) => (isNew ? `${volumeType(item)} volume` : rest[0] === "hostPath" ? "hostPath" : "volumes"));
  for (const list of CONTAINER_LISTS)
    namedList(a[list], b[list], list, `${podPtr}/${list}`, out, (rest, isNew) => (isNew ? list : containerRule(rest)), (field) => ALLOWED_CONTAINER_FIELDS.has(field));
}

/** A volume's source (hostPath, nfs, csi, persistentVolumeClaim...): its one key besides name. */
function volumeType(v: Rec): string {
  return Object.keys(v).find((k) => k !== "name") ?? "empty";
}

function containerRule(rest: readonly string[]): string {
  const [field, sub] = rest;
  if (field === "securityContext") return sub === "privileged" ? "privileged" : sub === "capabilities" ? "capabilities" : "securityContext";
  if (field === "ports" && rest[2] === "hostPort") return "hostPort";
  return field ?? "containers";
}

/**
 * A list of named items (containers, volumes) compared by name, so that inserting one before
 * another does not look like a change of the other. A new or removed item is a change as a whole
 * (every leaf of it); within an item present on both sides, fields `allowed` says are skipped.
 */
function namedList(
  av: unknown,
  bv: unknown,
  list: string,
  ptr: string,
  out: Map<string, Leaf>,
  ruleOf: (rest: readonly string[], isNew: boolean, item: Rec) => string,
  allowed: (field: string) => boolean = () => false,
): void {
  const index = (v: unknown) => {
    const m = new Map<string, { i: number; item: Rec }>();
    const at = Array.isArray(v) ? LIST_VIEW_INDICES.get(v) : undefined;
    (Array.isArray(v) ? v : []).forEach((x, j) => {
      const i = at ? at[j]! : j;
      const r = asRecord(x) ?? {};
      let key = typeof r.name === "string" ? r.name : `#${i}`;
      while (m.has(key)) key = `${key}#`;
      m.set(key, { i, item: r });
    });
    return m;
  };
  const ia = index(av);
  const ib = index(bv);
  for (const name of new Set([...ia.keys(), ...ib.keys()])) {
    const x = ia.get(name);
    const y = ib.get(name);
    const ptrA = `${ptr}/${x?.i ?? y!.i}`;
    const ptrB = `${ptr}/${y?.i ?? x!.i}`;
    const key = `${list}:${name}`;
    if (!x || !y) {
      // A whole new (or removed) item: one change at the item, whatever it holds.
      out.set(key, { pointer: y ? ptrB : ptrA, rule: ruleOf([], true, (y ?? x)!.item), value: y ? canonical(y.item) : ABSENT });
      continue;
    }
    for (const f of union(x.item, y.item)) {
      if (allowed(f)) continue;
      diff(x.item[f], y.item[f], `${key}/${f}`, `${ptrA}/${pointerToken(f)}`, `${ptrB}/${pointerToken(f)}`, (rest) => ruleOf([f, ...rest], false, y.item), out);
    }
  }
}

/**
 * Leaf-by-leaf differences of two values (records and arrays descended into; an empty record or
 * array is a leaf), each with the rule `ruleOf` gives for its path below the start.
 */
function diff(a: unknown, b: unknown, key: string, ptrA: string, ptrB: string, ruleOf: (rest: string[]) => string, out: Map<string, Leaf>): void {
  if (canonical(a) === canonical(b)) return;
  const la = new Map<string, { ptr: string; path: string[]; value: string }>();
  const lb = new Map<string, { ptr: string; path: string[]; value: string }>();
  flatten(a, key, ptrA, [], la);
  flatten(b, key, ptrB, [], lb);
  for (const [k, leaf] of lb) if (la.get(k)?.value !== leaf.value) out.set(k, { pointer: leaf.ptr, rule: ruleOf(leaf.path), value: leaf.value });
  for (const [k, leaf] of la) if (!lb.has(k)) out.set(k, { pointer: leaf.ptr, rule: ruleOf(leaf.path), value: ABSENT });
}

function flatten(v: unknown, key: string, ptr: string, path: string[], out: Map<string, { ptr: string; path: string[]; value: string }>): void {
  if (v === undefined) return;
  const entries: [string, unknown][] | undefined = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : v !== null && typeof v === "object" ? Object.entries(v as Rec) : undefined;
  if (entries === undefined || entries.length === 0) {
    out.set(key, { ptr, path, value: canonical(v) });
    return;
  }
  for (const [k, c] of entries) flatten(c, `${key}/${k}`, `${ptr}/${pointerToken(k)}`, [...path, k], out);
}

function union(a: Rec, b: Rec): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

/** JSON with sorted keys: equal values give equal strings. */
export function canonical(v: unknown): string {
  if (v === undefined) return ABSENT;
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Rec).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : x,
  );
}
