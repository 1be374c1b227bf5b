// Guard rails on what a fork's copies really are, not on what the fork file says: RFC 6902 patches
// are judged by the change they make to the copied workload (an `add` of a whole pod spec, a
// `move` or a `copy` are caught like a `replace` of the field), and the copy's final images,
// replicas and Secret references are checked against the base workload and the policy. The same
// for every workload kind: the copy of a Rollout is the Deployment kubefork makes of it.
//
// Deny by default, whether kubefork.yaml has a policy or not:
// - a patch may change only what src/policy/allowlist.ts allows, unless `policy.allowPatchPaths`
//   lists the field's JSON Pointer (or a prefix of it);
// - a copy may not reference a Secret its base workload does not reference (env secretKeyRef,
//   envFrom secretRef, secret and projected volumes, imagePullSecrets) unless
//   `policy.allowSecretRefs` names it;
// - with `policy.images`, every image of the copy that differs from the base's must match it,
//   however it was set; with `policy.maxReplicas`, so must the copy's replicas.
import type { ForkManager, Policy } from "../model/manager.ts";
import type { PatchOp } from "../model/fork.ts";
import { asRecord, type KObject } from "../model/k8s.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import type { ForkPlan, Plan, WorkloadPlan } from "../plan/plan.ts";
import type { PatchObserver, PatchStep, WorkloadCopy } from "../generate/types.ts";
import { valueAt, VOLUMES, type Scope } from "../model/patch-scope.ts";
import { error, formatPath, type PathSegment, type Problem, type ProblemCode } from "../problems.ts";
import { workloadRef } from "../generate/workload.ts";
import { ALLOWED_CONTAINER_FIELDS, disallowedLeaves, LIST_VIEW_INDICES, type AllowContext, type Leaf } from "./allowlist.ts";
import { imageMatches, normalizeImage } from "./policy.ts";

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

export interface CopyCheckInput {
  manager: ForkManager;
  plan: Plan;
  index: BaseIndex;
  /** The generated copy of a forked workload (after patches), when it was generated. */
  copyOf(fp: ForkPlan, wp: WorkloadPlan): WorkloadCopy | undefined;
  /** The judge that watched the copy's patches being applied (startPatchJudge), if one did. */
  judgeOf?(wp: WorkloadPlan): PatchJudge | undefined;
}

export function checkCopies(input: CopyCheckInput): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const push = (p: Problem) => {
    const key = `${p.file}|${p.line}|${p.path}|${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  };
  for (const fp of input.plan.forks)
    for (const wp of fp.workloads) {
      const copy = input.copyOf(fp, wp);
      if (copy) checkWorkload(input, fp, wp, copy).forEach(push);
    }
  return problems;
}

/** The checks of one copy: by the judge that watched its patches, or one fed the steps the copy recorded. */
export function checkWorkload(input: Pick<CopyCheckInput, "manager" | "index" | "judgeOf">, fp: ForkPlan, wp: WorkloadPlan, copy: WorkloadCopy): Problem[] {
  let judge = input.judgeOf?.(wp);
  if (!judge) {
    judge = startPatchJudge(input.manager, input.index, fp, wp, copy.unpatched);
    copy.steps.forEach((s, k) => judge!.step(k, s));
  }
  return judge.finish(copy.object);
}

/**
 * Judges a copy's patches as the workload generator applies them, one operation at a time (see
 * judgePatchStep), keeping nothing of an operation's snapshots but what it decided; `finish`, with
 * the final copy, reports in order: the fork file's own references, each operation's violations,
 * then the final copy against the base. What a report depends on that only the final copy knows
 * (images the fork file sets, Secrets spec.secretRefs points at) is settled in `finish`.
 */
export interface PatchJudge extends PatchObserver {
  finish(final: KObject): Problem[];
}

/** What the checks of one copy share: the rules, what was reported already, and how to report. */
interface Judge {
  policy: Policy;
  fp: ForkPlan;
  wp: WorkloadPlan;
  entryPath: PathSegment[];
  allow: AllowContext;
  violation(path: PathSegment[], rule: Rule, message: string, hint: string): void;
  secretAllowed(name: string): boolean;
  imageAllowed(key: string, image: string): boolean;
  imageHint(): string;
  secretHint(name: string): string;
  reportedImages: Set<string>;
  reportedSecrets: Set<string>;
  /** Whether a replicas violation was reported already (by checkPolicy or for a patch). */
  reportedReplicas: boolean;
  /** The copy before the patches at a scope, as the scope's snapshots show it (referenceView). */
  referenceAt(scope: Scope): unknown;
  /** The copy's volume list as the operations so far left it. */
  volumes: VolumeTracker;
}

/** The spec.policy rule a violation breaks, with its code. */
const RULE_CODES = {
  allowPatchPaths: "KF3020",
  allowSecretRefs: "KF3021",
  maxReplicas: "KF3013",
  images: "KF3014",
} as const satisfies Record<string, ProblemCode>;
type Rule = keyof typeof RULE_CODES;

export function startPatchJudge(manager: ForkManager, index: BaseIndex, fp: ForkPlan, wp: WorkloadPlan, unpatched: KObject): PatchJudge {
  const policy: Policy = manager.spec.policy ?? {};
  const problems: Problem[] = [];
  const base = wp.base.object;
  const baseImages = imagesOf(base);
  const baseSecrets = secretsOf(base);
  const j: Judge = {
    policy,
    fp,
    wp,
    entryPath: ["spec", "workloads", wp.entryIndex],
    allow: { readLabels: index.readLabels() },
    violation: (path, rule, message, hint) => {
      const pos = fp.loaded.doc.locate(path);
      problems.push(
        error({ kind: "policy", code: RULE_CODES[rule], file: fp.file, line: pos.line, column: pos.column, path: formatPath(path), object: `${wp.kind} ${wp.namespace}/${wp.name}`, ref: workloadRef(wp), message: `${message} (policy.${rule})`, hint }),
      );
    },
    secretAllowed: (name) => baseSecrets.has(name) || (policy.allowSecretRefs ?? []).some((p) => globMatch(p, name)),
    imageAllowed: (key, image) => !policy.images || baseImages.get(key) === image || policy.images.some((p) => imageMatches(p, image)),
    imageHint: () => `images must match one of: ${(policy.images ?? []).join(", ")}`,
    secretHint: (name) => `the base ${wp.kind} does not use Secret ${name}; reference only its Secrets, or list ${name} in policy.allowSecretRefs of kubefork.yaml`,
    reportedImages: new Set(),
    reportedSecrets: new Set(),
    reportedReplicas: wp.entry.replicas > (policy.maxReplicas ?? Infinity), // reported by checkPolicy
    referenceAt: referenceViews(unpatched),
    volumes: new VolumeTracker(unpatched),
  };
  // Secret references of the copy so far, with multiplicity: had(name) of the state before an operation.
  const secretCounts = new Map<string, number>();
  const count = (names: readonly string[], by: number) => names.forEach((n) => secretCounts.set(n, (secretCounts.get(n) ?? 0) + by));
  count(secretReferences(unpatched), 1);
  const decided: Decision[] = [];
  return {
    step: (k, step) => {
      const d = judgePatchStep(j, unpatched, k, step, (name) => (secretCounts.get(name) ?? 0) > 0);
      if (!d) return;
      // Only what was decided is kept; the step's snapshots go.
      if (d.decision.leaves || d.decision.replicas !== undefined || d.decision.images.length || d.decision.secrets.length) decided.push(d.decision);
      count(d.secretsBefore, -1);
      count(d.secretsAfter, 1);
    },
    finish: (final) => {
      checkForkFileReferences(j, final);
      decided.forEach((d) => reportDecision(j, d));
      checkFinal(j, final);
      return problems;
    },
  };
}

/** Secrets the fork file's env and spec.secretRefs bring in; images it sets (checked by checkPolicy, so reported once). */
function checkForkFileReferences(j: Judge, final: KObject): void {
  const { wp, entryPath } = j;
  const spec = j.fp.loaded.fork.spec;
  const envLists: { path: PathSegment[]; env: readonly { valueFrom?: { secretKeyRef?: Record<string, unknown> } }[] | undefined }[] = [
    { path: ["spec", "env"], env: spec.env },
    { path: [...entryPath, "env"], env: wp.entry.env },
    ...(wp.entry.containers ?? []).map((c, k) => ({ path: [...entryPath, "containers", k, "env"], env: c.env })),
  ];
  for (const { path, env } of envLists)
    (env ?? []).forEach((e, k) => {
      const name = e.valueFrom?.secretKeyRef?.name;
      if (typeof name === "string" && !j.secretAllowed(name)) {
        j.reportedSecrets.add(name);
        j.violation([...path, k, "valueFrom", "secretKeyRef", "name"], "allowSecretRefs", `the fork references Secret ${name}, which the base ${wp.kind} does not`, j.secretHint(name));
      }
    });
  // Secrets a fork's spec.secretRefs points the copies at (read only when the copy uses them).
  const finalSecrets = secretsOf(final);
  (spec.secretRefs ?? []).forEach((r, k) => {
    if (finalSecrets.has(r.to) && !j.secretAllowed(r.to) && !j.reportedSecrets.has(r.to)) {
      j.reportedSecrets.add(r.to);
      j.violation(["spec", "secretRefs", k, "to"], "allowSecretRefs", `the fork points ${wp.kind} ${wp.name} at Secret ${r.to}, which the base ${wp.kind} does not use`, j.secretHint(r.to));
    }
  });
  const declared = new Set([wp.entry.image, ...(wp.entry.containers ?? []).map((c) => c.image)].filter((x): x is string => x !== undefined));
  for (const [key, image] of imagesOf(final)) if (declared.has(image)) j.reportedImages.add(`${key}|${image}`);
}

/**
 * One patch operation, judged by what it changes in the copy (src/policy/allowlist.ts) against the
 * copy as kubefork makes it from the fork file's other fields, which are all allowed. It is judged
 * on the scopes it touched (src/model/patch-scope.ts), from the snapshots the workload generator
 * took around it: the copy is never rebuilt and no patch is applied again, and the work per
 * operation does not grow with the number of operations before it. Returns the reports to make
 * (in `finish`, which knows the final copy) and the Secret references the operation removed and added.
 */
function judgePatchStep(j: Judge, pre: KObject, k: number, step: PatchStep, had: (secret: string) => boolean): { decision: Decision; secretsBefore: string[]; secretsAfter: string[] } | undefined {
  if (step.scopes.length === 0) return undefined; // a test operation changes nothing
  const op = (j.wp.entry.patches ?? [])[k]!;
  const at = step.scopes.map((s) => s.at);
  const order = scopeOrder(pre, at);
  // The volume list's three sides: a view of the volumes the operation touched, or the whole lists.
  const volumes = j.volumes.step(step, order);
  const side = (i: number, which: 0 | 1 | 2, own: unknown) => (step.scopes[i]!.volume && volumes ? volumes[which] : own);
  const ref = skeleton(order, order.map((i) => side(i, 0, j.referenceAt(step.scopes[i]!))), at);
  const before = skeleton(order, order.map((i) => side(i, 1, step.before[i])), at);
  const after = skeleton(order, order.map((i) => side(i, 2, step.after[i])), at);
  const opPath: PathSegment[] = [...j.entryPath, "patches", k];
  const what = `patch operation ${k} (${op.op} ${op.path}${op.from !== undefined ? ` from ${op.from}` : ""})`;
  const leaves = summarize(deniedLeaves(j, disallowedLeaves(ref, before, j.allow), disallowedLeaves(ref, after, j.allow)));
  const replicas = replicasOver(j, before, after);
  const imagesBefore = imagesOf(before);
  const images = [...imagesOf(after)].filter(([key, image]) => imagesBefore.get(key) !== image && !j.imageAllowed(key, image));
  const secrets = [...secretsOf(after)].filter((name) => !had(name) && !j.secretAllowed(name));
  // Plain data, no closure: a closure here would keep this operation's snapshots alive.
  return { decision: { opPath, what, leaves, replicas, images, secrets }, secretsBefore: secretReferences(before), secretsAfter: secretReferences(after) };
}

/** What one operation decided, reported by `finish` in operation order. */
interface Decision {
  opPath: PathSegment[];
  what: string;
  leaves: DeniedFields | undefined;
  replicas: number | undefined;
  images: [string, string][];
  secrets: string[];
}

function reportDecision(j: Judge, d: Decision): void {
  const { opPath, what } = d;
  if (d.leaves) reportLeaves(j, opPath, what, d.leaves);
  if (d.replicas !== undefined) {
    j.reportedReplicas = true;
    j.violation(opPath, "maxReplicas", `${what} sets replicas ${d.replicas}, which exceeds maxReplicas ${j.policy.maxReplicas}`, `set replicas to at most ${j.policy.maxReplicas}`);
  }
  for (const [key, image] of d.images) {
    if (j.reportedImages.has(`${key}|${image}`)) continue;
    j.reportedImages.add(`${key}|${image}`);
    j.violation(opPath, "images", `${what} sets image ${image} on ${key}, which is not allowed${normalizeImage(image) !== image ? ` (it is ${normalizeImage(image)})` : ""}`, j.imageHint());
  }
  for (const name of d.secrets) {
    if (j.reportedSecrets.has(name)) continue;
    j.reportedSecrets.add(name);
    j.violation(opPath, "allowSecretRefs", `${what} references Secret ${name}, which the base ${j.wp.kind} does not`, j.secretHint(name));
  }
}

/** Fields an operation changed that the allowlist does not allow and allowPatchPaths does not list. */
function deniedLeaves(j: Judge, before: Map<string, Leaf>, after: Map<string, Leaf>): Leaf[] {
  return [...after].filter(([key, leaf]) => before.get(key)?.value !== leaf.value && !pathAllowed(leaf.pointer, j.policy.allowPatchPaths ?? [])).map(([, leaf]) => leaf);
}

/** What a report of denied fields shows: their rules, the first five pointers, how many. */
interface DeniedFields {
  rules: string[];
  shown: string[];
  count: number;
}

function summarize(denied: readonly Leaf[]): DeniedFields | undefined {
  return denied.length ? { rules: [...new Set(denied.map((c) => c.rule))], shown: denied.slice(0, 5).map((c) => c.pointer), count: denied.length } : undefined;
}

function reportLeaves(j: Judge, opPath: PathSegment[], what: string, { rules, shown, count }: DeniedFields): void {
  j.violation(
    opPath,
    "allowPatchPaths",
    `${what} changes restricted field${count > 1 ? "s" : ""} (${rules.join(", ")}): ${shown.join(", ")}${count > shown.length ? `, and ${count - shown.length} more` : ""}`,
    `a fork may change only images, env, args, command, resources, replicas, and labels and annotations no base selector, mesh or security setting reads; if the platform team allows this, list ${shown[0]} in spec.policy.allowPatchPaths of kubefork.yaml`,
  );
}

/** The replicas an operation sets over maxReplicas, if it does. */
function replicasOver(j: Judge, before: KObject, after: KObject): number | undefined {
  const max = j.policy.maxReplicas;
  const replicas = asRecord(after.spec)?.replicas;
  return max !== undefined && typeof replicas === "number" && replicas > max && replicas !== asRecord(before.spec)?.replicas ? replicas : undefined;
}

/** Whatever else: the final copy against the base. */
function checkFinal(j: Judge, final: KObject): void {
  const { policy, entryPath } = j;
  const finalReplicas = asRecord(final.spec)?.replicas;
  if (!j.reportedReplicas && policy.maxReplicas !== undefined && typeof finalReplicas === "number" && finalReplicas > policy.maxReplicas)
    j.violation([...entryPath, "replicas"], "maxReplicas", `the copy runs ${finalReplicas} replicas, which exceeds maxReplicas ${policy.maxReplicas}`, `set replicas to at most ${policy.maxReplicas}`);
  for (const [key, image] of imagesOf(final))
    if (!j.reportedImages.has(`${key}|${image}`) && !j.imageAllowed(key, image)) j.violation(entryPath, "images", `the copy runs image ${image} on ${key}, which is not allowed`, j.imageHint());
  for (const name of secretsOf(final))
    if (!j.reportedSecrets.has(name) && !j.secretAllowed(name)) j.violation(entryPath, "allowSecretRefs", `the copy references Secret ${name}, which the base ${j.wp.kind} does not`, j.secretHint(name));
}

// ---------------------------------------------------------------- scoped views

/**
 * The reference (the copy before the patches) at a scope: its value, or for a view of a container
 * list (src/model/patch-scope.ts containerListView) each item's name and those touched fields the
 * allowlist compares, in the item's own key order. A view shows every item with its name and
 * image, and only the touched fields: the allowlist skips image (and the other allowed fields) in
 * an item the reference has, so the fields it leaves out show the same (no) change before and
 * after the operation, and what the operation changed compares as it does in the whole objects.
 * Built once per list and set of fields.
 */
function referenceViews(pre: KObject): (scope: Scope) => unknown {
  const cache = new Map<string, unknown>();
  return (scope) => {
    if (!scope.touches) return valueAt(pre, scope.at);
    const fields = [...new Set(scope.touches.map((t) => t.field))].filter((f) => !ALLOWED_CONTAINER_FIELDS.has(f)).sort();
    const key = JSON.stringify([scope.at, fields]);
    if (!cache.has(key)) {
      const list = valueAt(pre, scope.at);
      // The allowlist reads a list that is not an array as an empty one.
      const view = (Array.isArray(list) ? list : []).map((x) => {
        const r = asRecord(x);
        const out: Record<string, unknown> = {};
        for (const k of r ? Object.keys(r) : []) if (k === "name" || fields.includes(k)) Object.defineProperty(out, k, { value: r![k], enumerable: true, writable: true, configurable: true });
        return out;
      });
      cache.set(key, view);
    }
    return cache.get(key);
  };
}

/**
 * The copy's volume list as the operations so far left it, for operations on one volume
 * (src/model/patch-scope.ts volumeView), whose snapshots hold that volume alone. The allowlist
 * compares volume lists by name (namedList of src/policy/allowlist.ts). While the names of the
 * list are plain (every volume a record named once, by a string without `/`), a volume's name is
 * its key on both sides of an operation, so every volume the operation did not touch shows the
 * same (no) change before and after it, and the operation is judged on the volumes it touched
 * alone: the reference's volumes of those names and the touched volume before and after, each at
 * its index in its whole list. Otherwise it is judged on the whole lists, kept here: a duplicate
 * or unnamed volume has a key that depends on the others, and a `/` in a name lets the key of one
 * volume's change be that of another's. The names are counted as the operations go, so the work
 * per operation on a plain list does not grow with it.
 */
class VolumeTracker {
  /** The list (its items as the snapshots copied them), or undefined when the pod has none or not an array. */
  private list: unknown[] | undefined;
  private readonly names = new Map<string, number>();
  /** Items not plain, and names that more than one item has. */
  private odd = 0;
  private shared = 0;
  /** The reference's volume list and its items by key (as namedList keys them). */
  private readonly reference: unknown;
  private referenceKeys: Map<string, { i: number; item: unknown }> | undefined;

  constructor(pre: KObject) {
    this.reference = valueAt(pre, VOLUMES);
    this.reset(this.reference);
  }

  /**
   * Follows one operation: the volume list it leaves, from its snapshots. Returns the three sides
   * (reference, before, after) to judge its volume view on, or undefined when it has none (or
   * one the scope order leaves out for an ancestor of the list).
   */
  step(step: PatchStep, order: readonly number[]): [unknown, unknown, unknown] | undefined {
    // A scope holding the whole list (the list itself or an ancestor): the list it leaves.
    const whole = order.find((i) => !step.scopes[i]!.volume && step.scopes[i]!.at.length <= VOLUMES.length && step.scopes[i]!.at.every((x, d) => x === VOLUMES[d]));
    if (whole !== undefined) {
      this.reset(valueAt(step.after[whole], VOLUMES.slice(step.scopes[whole]!.at.length)));
      return undefined;
    }
    const v = order.find((i) => step.scopes[i]!.volume);
    if (v === undefined) return undefined;
    const { index, mode } = step.scopes[v]!.volume!;
    const was = (step.before[v] as unknown[])[0];
    const is = (step.after[v] as unknown[])[0];
    const list = this.list;
    if (!list || index > list.length || (mode !== "insert" && index >= list.length)) throw new Error(`kubefork: the volume list is out of step with patch operation's view (${mode} at ${index})`);
    const plainBefore = this.plain();
    const wholeBefore = plainBefore ? undefined : list.slice();
    if (mode !== "insert") this.count(was, -1);
    if (mode !== "remove") this.count(is, 1);
    if (mode === "insert") list.splice(index, 0, is);
    else if (mode === "remove") list.splice(index, 1);
    else list[index] = is;
    if (!plainBefore || !this.plain()) return [this.reference, wholeBefore ?? this.copyBefore(list, index, mode, was), list];
    const side = (item: unknown): unknown[] => {
      const view = item === undefined ? [] : [item];
      LIST_VIEW_INDICES.set(view, [index]);
      return view;
    };
    const names = new Set([was, is].filter((x) => x !== undefined).map((x) => asRecord(x)!.name as string));
    const refs = [...names].map((n) => this.referenceKey().get(n)).filter((r) => r !== undefined).sort((a, b) => a.i - b.i);
    const reference = refs.map((r) => r.item);
    LIST_VIEW_INDICES.set(reference, refs.map((r) => r.i));
    return [reference, side(mode === "insert" ? undefined : was), side(mode === "remove" ? undefined : is)];
  }

  /** The whole list before an operation that left it not plain (an insertion or a change: a removal leaves a plain list plain), from the list after it. */
  private copyBefore(after: readonly unknown[], index: number, mode: "insert" | "remove" | "set", was: unknown): unknown[] {
    const before = after.slice();
    if (mode === "insert") before.splice(index, 1);
    else before[index] = was;
    return before;
  }

  private plain(): boolean {
    return this.odd === 0 && this.shared === 0;
  }

  private reset(list: unknown): void {
    this.list = Array.isArray(list) ? [...(list as unknown[])] : undefined;
    this.names.clear();
    this.odd = 0;
    this.shared = 0;
    for (const x of this.list ?? []) this.count(x, 1);
  }

  private count(item: unknown, by: 1 | -1): void {
    const name = asRecord(item)?.name;
    if (typeof name !== "string" || name.includes("/")) {
      this.odd += by;
      return;
    }
    const n = this.names.get(name) ?? 0;
    if (by > 0 ? n === 1 : n === 2) this.shared += by;
    if (n + by === 0) this.names.delete(name);
    else this.names.set(name, n + by);
  }

  /** The reference's volumes by key, as namedList keys them. */
  private referenceKey(): Map<string, { i: number; item: unknown }> {
    if (!this.referenceKeys) {
      const m = new Map<string, { i: number; item: unknown }>();
      (Array.isArray(this.reference) ? (this.reference as unknown[]) : []).forEach((x, i) => {
        const r = asRecord(x) ?? {};
        let key = typeof r.name === "string" ? r.name : `#${i}`;
        while (m.has(key)) key = `${key}#`;
        m.set(key, { i, item: x });
      });
      this.referenceKeys = m;
    }
    return this.referenceKeys;
  }
}

/**
 * The order to lay an operation's scopes out in: an ancestor before what it holds (which is then
 * left out), siblings in the order of the reference's keys (then the rest as given), so that a
 * comparison of two views lists its changes in the order a comparison of the whole objects does.
 */
function scopeOrder(reference: unknown, scopes: readonly (readonly string[])[]): number[] {
  const idx = scopes.map((_, i) => i);
  const rank = (s: readonly string[], depth: number) => {
    const parent = valueAt(reference, s.slice(0, depth));
    const keys = parent && typeof parent === "object" && !Array.isArray(parent) ? Object.keys(parent) : [];
    const r = keys.indexOf(s[depth]!);
    return r < 0 ? Infinity : r;
  };
  idx.sort((a, b) => {
    const x = scopes[a]!;
    const y = scopes[b]!;
    for (let d = 0; d < Math.min(x.length, y.length); d++) if (x[d] !== y[d]) return rank(x, d) - rank(y, d) || a - b;
    return x.length - y.length || a - b;
  });
  const kept: number[] = [];
  for (const i of idx) if (!kept.some((k) => isPrefix(scopes[k]!, scopes[i]!))) kept.push(i);
  return kept;
}

function isPrefix(p: readonly string[], s: readonly string[]): boolean {
  return p.length <= s.length && p.every((x, i) => x === s[i]);
}

/**
 * A view of the object holding only these scopes (in `order`) with these values: empty records
 * on the way to each, the value (or an absent key's `undefined`) at its end. The allowlist, image
 * and Secret checks read a missing record as an empty one, so a view compares as the whole does
 * on its scopes and shows no change elsewhere.
 */
function skeleton(order: readonly number[], values: readonly unknown[], scopes: readonly (readonly string[])[]): KObject {
  if (order.length === 1 && scopes[order[0]!]!.length === 0) return (values[0] ?? {}) as KObject;
  // Own properties whatever the key (`__proto__` is data here).
  const put = (o: Record<string, unknown>, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  const root: Record<string, unknown> = {};
  order.forEach((i, n) => {
    const s = scopes[i]!;
    let at = root;
    for (const seg of s.slice(0, -1)) {
      const next = Object.prototype.hasOwnProperty.call(at, seg) ? asRecord(at[seg]) : undefined;
      at = next ?? (put(at, seg, {}), at[seg] as Record<string, unknown>);
    }
    put(at, s[s.length - 1]!, values[n]);
  });
  return root as unknown as KObject;
}
// ---------------------------------------------------------------- allowPatchPaths

/**
 * Whether `policy.allowPatchPaths` allows a change at `pointer`: an entry allows its own path
 * and everything below it; a `*` in an entry matches within one segment (`/spec/template/spec/containers/*\/securityContext`).
 */
export function pathAllowed(pointer: string, allow: readonly string[]): boolean {
  const segs = pointer.split("/").slice(1);
  return allow.some((entry) => {
    const want = entry.replace(/\/+$/, "").split("/").slice(1);
    if (want.length > segs.length) return false;
    return want.every((w, i) => globMatch(w, segs[i]!, "[^/]*"));
  });
}

// ---------------------------------------------------------------- images and secrets

/** `containers:app` → image, for every container list of the pod template. */
export function imagesOf(o: KObject): Map<string, string> {
  const out = new Map<string, string>();
  const pod = asRecord(asRecord(asRecord(o.spec)?.template)?.spec);
  for (const list of CONTAINER_LISTS)
    (Array.isArray(pod?.[list]) ? (pod![list] as unknown[]) : []).forEach((cv, i) => {
      const c = asRecord(cv);
      if (typeof c?.image === "string") out.set(`${list === "containers" ? "container" : list.replace(/s$/, "")} ${typeof c.name === "string" ? c.name : `#${i}`}`, c.image);
    });
  return out;
}

/** Names of the Secrets a workload's pods reference. */
export function secretsOf(o: KObject): Set<string> {
  return new Set(secretReferences(o));
}

/** Every Secret reference of a workload's pods, in order, once per reference. */
export function secretReferences(o: KObject): string[] {
  const out: string[] = [];
  const pod = asRecord(asRecord(asRecord(o.spec)?.template)?.spec);
  if (!pod) return out;
  const add = (v: unknown) => {
    if (typeof v === "string") out.push(v);
  };
  for (const list of CONTAINER_LISTS)
    for (const cv of Array.isArray(pod[list]) ? (pod[list] as unknown[]) : []) {
      const c = asRecord(cv);
      for (const e of Array.isArray(c?.env) ? (c!.env as unknown[]) : []) add(asRecord(asRecord(asRecord(e)?.valueFrom)?.secretKeyRef)?.name);
      for (const e of Array.isArray(c?.envFrom) ? (c!.envFrom as unknown[]) : []) add(asRecord(asRecord(e)?.secretRef)?.name);
    }
  for (const vv of Array.isArray(pod.volumes) ? pod.volumes : []) {
    const v = asRecord(vv);
    add(asRecord(v?.secret)?.secretName);
    for (const src of Array.isArray(asRecord(v?.projected)?.sources) ? (asRecord(v?.projected)!.sources as unknown[]) : []) add(asRecord(asRecord(src)?.secret)?.name);
  }
  for (const s of Array.isArray(pod.imagePullSecrets) ? pod.imagePullSecrets : []) add(asRecord(s)?.name);
  return out;
}

// ---------------------------------------------------------------- helpers

/** A name glob: `*` any run of characters (`any` says which), `?` one. */
export function globMatch(pattern: string, s: string, any = ".*"): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, any).replace(/\?/g, ".")}$`).test(s);
}

export type { PatchOp };
