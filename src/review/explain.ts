// `kubefork explain ID`: what one fork adds to the cluster and what it changes, from a render of
// that fork alone compared with the base. Pure: render result and base in, an Explanation out,
// then text or Markdown (for a pull-request comment).
import * as jsyaml from "js-yaml";
import { isExpired } from "../model/expiry.ts";
import type { LoadedFork, LoadedManager, Manifest } from "../model/inputs.ts";
import type { OutputObject } from "../generate/types.ts";
import { objectKey, type KObject } from "../model/k8s.ts";
import { COPIED_FROM_ANNOTATION, FORKS_ANNOTATION } from "../plan/labels.ts";
import { statusName } from "../generate/status.ts";
import { forkUrls } from "../generate/ingress-common.ts";
import type { IngressPlan } from "../plan/ingress.ts";
import { forkImages } from "./summary.ts";
import { describeCarriers } from "../generate/carriers.ts";
import { carriersOf } from "../model/carriers.ts";
import { markdownTable } from "./table.ts";
import { expiryText } from "./time.ts";

/** One changed field: `before` absent = added, `after` absent = removed. */
export interface FieldChange {
  /** What it belongs to: `` (the object), `container reviews`, `pod template`. */
  scope: string;
  field: string;
  before?: string;
  after?: string;
}

export interface AddedObject {
  kind: string;
  namespace?: string;
  name: string;
  /** `Deployment/reviews-v2`: the base object it copies. */
  copiedFrom?: string;
  /** For copies of workloads: the fields that differ from the base. */
  changes: FieldChange[];
  /** One line about it: a Service's selector, a DestinationRule's host, ... */
  detail?: string;
}

export interface RouteView {
  router: string;
  name?: string;
  /** `x-fork-identifier=bob AND end-user=jason` per match block (blocks are ORed). */
  matches: string[];
  destinations: string[];
  raw: unknown;
}

export interface ChangedObject {
  kind: string;
  namespace?: string;
  name: string;
  /** True for a routing object the base did not have (shared by every fork that needs it). */
  created: boolean;
  /** Routes the fork inserts (a new object: all its routes). */
  routes: RouteView[];
  /** Other fields that differ from the base. */
  changes: FieldChange[];
}

export interface Explanation {
  id: string;
  file: string;
  owner?: string;
  expires?: string;
  expiresIn: string;
  expired: boolean;
  urls: string[];
  /** What names this fork on a request, per carrier of kubefork.yaml. */
  carriers: { carrier: string; matches: string }[];
  images: string[];
  added: AddedObject[];
  changed: ChangedObject[];
}

const keyOf = (o: KObject, defaultNs: string) => objectKey(o, o.metadata.namespace ?? defaultNs);
const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface ExplainInput {
  manager: LoadedManager;
  fork: LoadedFork;
  base: readonly Manifest[];
  /** The render of this fork alone, scope all. */
  output: readonly OutputObject[];
  /** That render's plan of the ingress entries (what serves the fork hosts, and with which scheme). */
  ingress: readonly IngressPlan[];
  now: number;
  defaultNamespace: string;
}

export function explainFork(input: ExplainInput): Explanation {
  const { fork, now } = input;
  const ns = input.defaultNamespace;
  const spec = fork.fork.spec;
  const baseByKey = new Map(input.base.map((m) => [keyOf(m.object, ns), m.object]));
  const added: AddedObject[] = [];
  const changed: ChangedObject[] = [];
  for (const { object: o, fork: owner } of input.output) {
    // The fork's status ConfigMap is kubefork's report, not something the fork adds to the app.
    if (owner === fork.id && o.kind === "ConfigMap" && o.metadata.name === statusName(fork.id)) continue;
    if (owner === fork.id) {
      added.push(addedObject(input, o));
      continue;
    }
    if (owner !== null) continue;
    const before = baseByKey.get(keyOf(o, ns));
    if (before && equal(before, o)) continue;
    changed.push(changedObject(before, o));
  }

  const e: Explanation = {
    id: fork.id,
    file: fork.file,
    expiresIn: expiryText(spec.expires, now),
    expired: isExpired(fork, now),
    urls: forkUrls(input.ingress, fork.id),
    carriers: describeCarriers(carriersOf(input.manager.manager.spec), fork.id),
    images: forkImages(fork.fork),
    added,
    changed,
  };
  if (spec.owner !== undefined) e.owner = spec.owner;
  if (spec.expires !== undefined) e.expires = spec.expires;
  return e;
}

/** An object the fork adds; for a copy of a workload, the fields that differ from the base object it copies. */
function addedObject(input: ExplainInput, o: KObject): AddedObject {
  const ns = input.defaultNamespace;
  const namespace = o.metadata.namespace;
  const a: AddedObject = { kind: o.kind, name: o.metadata.name, changes: [] };
  if (namespace) a.namespace = namespace;
  const from = o.metadata.annotations?.[COPIED_FROM_ANNOTATION];
  if (from) {
    a.copiedFrom = from;
    const [kind, name] = from.split("/");
    const original = kind && name ? input.base.find((m) => m.object.kind === kind && (m.object.metadata.namespace ?? ns) === (namespace ?? ns) && m.object.metadata.name === name)?.object : undefined;
    if (original && podSpecOf(o)) a.changes = workloadChanges(original, o);
  }
  a.detail = detailOf(o);
  return a;
}

/** A shared object the fork changes (or creates): the routes it inserts, and its other changed fields. */
function changedObject(before: KObject | undefined, o: KObject): ChangedObject {
  const c: ChangedObject = { kind: o.kind, name: o.metadata.name, created: !before, routes: [], changes: [] };
  if (o.metadata.namespace) c.namespace = o.metadata.namespace;
  const listKey = o.kind === "VirtualService" ? "http" : o.kind === "HTTPRoute" ? "rules" : undefined;
  const after = (o.spec ?? {}) as Record<string, unknown>;
  const prior = ((before?.spec ?? {}) as Record<string, unknown>) ?? {};
  if (listKey) {
    const priorRoutes = Array.isArray(prior[listKey]) ? (prior[listKey] as unknown[]) : [];
    for (const r of Array.isArray(after[listKey]) ? (after[listKey] as unknown[]) : [])
      if (!priorRoutes.some((p) => equal(p, r))) c.routes.push(listKey === "http" ? istioRoute(r) : httpRouteRule(r));
  }
  if (before) {
    const skip = new Set(listKey ? [`spec.${listKey}`] : []);
    c.changes = diff(stripOwnAnnotations(before), stripOwnAnnotations(o), "", "").filter((ch) => !skip.has(ch.field));
  }
  return c;
}

function stripOwnAnnotations(o: KObject): KObject {
  const annotations = { ...(o.metadata.annotations ?? {}) };
  delete annotations[FORKS_ANNOTATION];
  const metadata = { ...o.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...o, metadata };
}

type PodSpec = { containers?: Container[]; initContainers?: Container[] };
type Container = { name: string; image?: string; env?: { name: string; value?: string; valueFrom?: unknown }[]; args?: string[]; command?: string[]; [k: string]: unknown };

function podSpecOf(o: KObject): PodSpec | undefined {
  const t = (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template;
  return t?.spec;
}

/** What differs between a base workload and its fork copy, container by container. Labels and selectors (rewritten to isolate the fork's pods) are left out. */
export function workloadChanges(base: KObject, copy: KObject): FieldChange[] {
  const out: FieldChange[] = [];
  const rb = (base.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const rc = (copy.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  if (rb !== rc) out.push({ scope: "", field: "replicas", before: String(rb), after: String(rc) });
  const pb = podSpecOf(base) ?? {};
  const pc = podSpecOf(copy) ?? {};
  for (const list of ["initContainers", "containers"] as const) {
    const bs = pb[list] ?? [];
    for (const c of pc[list] ?? []) {
      const b = bs.find((x) => x.name === c.name);
      const scope = `${list === "initContainers" ? "init container" : "container"} ${c.name}`;
      if (!b) {
        out.push({ scope, field: "container", after: c.image ?? "" });
        continue;
      }
      out.push(...containerChanges(b, c, scope));
    }
  }
  // The rest of the pod template (patches), without the isolated labels.
  const tb = (base.spec as { template?: Record<string, unknown> } | undefined)?.template ?? {};
  const tc = (copy.spec as { template?: Record<string, unknown> } | undefined)?.template ?? {};
  const rest = (t: Record<string, unknown>) => {
    const md = { ...((t.metadata as Record<string, unknown>) ?? {}) };
    delete md.labels;
    const s = { ...((t.spec as Record<string, unknown>) ?? {}) };
    delete s.containers;
    delete s.initContainers;
    return { metadata: md, spec: s };
  };
  out.push(...diff(rest(tb), rest(tc), "pod template", ""));
  return out;
}

function containerChanges(b: Container, c: Container, scope: string): FieldChange[] {
  const out: FieldChange[] = [];
  if (b.image !== c.image) out.push({ scope, field: "image", ...(b.image !== undefined ? { before: b.image } : {}), ...(c.image !== undefined ? { after: c.image } : {}) });
  for (const f of ["command", "args"] as const) if (!equal(b[f], c[f])) out.push({ scope, field: f, ...(b[f] ? { before: show(b[f]) } : {}), ...(c[f] ? { after: show(c[f]) } : {}) });
  const envVal = (e: { value?: string; valueFrom?: unknown }) => (e.valueFrom !== undefined ? `valueFrom ${show(e.valueFrom)}` : (e.value ?? ""));
  const be = new Map((b.env ?? []).map((e) => [e.name, envVal(e)]));
  const ce = new Map((c.env ?? []).map((e) => [e.name, envVal(e)]));
  for (const [name, v] of ce) {
    const old = be.get(name);
    if (old === undefined) out.push({ scope, field: `env ${name}`, after: v });
    else if (old !== v) out.push({ scope, field: `env ${name}`, before: old, after: v });
  }
  for (const [name, v] of be) if (!ce.has(name)) out.push({ scope, field: `env ${name}`, before: v });
  const rest = (x: Container) => {
    const { name: _n, image: _i, env: _e, args: _a, command: _c, ...r } = x;
    return r;
  };
  out.push(...diff(rest(b), rest(c), scope, ""));
  return out;
}

/** Leaf differences between two JSON values, as dotted paths. */
export function diff(a: unknown, b: unknown, scope: string, path: string): FieldChange[] {
  if (equal(a, b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if ((isObj(a) || a === undefined) && (isObj(b) || b === undefined)) {
    const x = (a ?? {}) as Record<string, unknown>;
    const y = (b ?? {}) as Record<string, unknown>;
    const out: FieldChange[] = [];
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) out.push(...diff(x[k], y[k], scope, path ? `${path}.${k}` : k));
    return out;
  }
  const ch: FieldChange = { scope, field: path || "(value)" };
  if (a !== undefined) ch.before = show(a);
  if (b !== undefined) ch.after = show(b);
  return [ch];
}

function detailOf(o: KObject): string | undefined {
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  if (o.kind === "Service" && spec.selector) return `selects ${Object.entries(spec.selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(",")}`;
  if (o.kind === "DestinationRule" && typeof spec.host === "string") return `host ${spec.host}`;
  return undefined;
}

// ---------------------------------------------------------------- routes, compactly

function stringMatch(m: unknown): string {
  if (typeof m !== "object" || m === null) return show(m);
  const [k, v] = Object.entries(m as Record<string, unknown>)[0] ?? ["", ""];
  return k === "exact" ? `=${show(v)}` : k === "prefix" ? ` prefix ${show(v)}` : k === "regex" ? ` ~ ${show(v)}` : ` ${k} ${show(v)}`;
}

function istioRoute(r: unknown): RouteView {
  const route = (r ?? {}) as Record<string, unknown>;
  const matches = (Array.isArray(route.match) ? route.match : []).map((m: Record<string, unknown>) => {
    const parts: string[] = [];
    for (const [field, v] of Object.entries(m ?? {})) {
      if (field === "headers" || field === "queryParams" || field === "withoutHeaders") {
        for (const [h, sm] of Object.entries((v ?? {}) as Record<string, unknown>)) parts.push(`${field === "queryParams" ? "?" : field === "withoutHeaders" ? "!" : ""}${h}${stringMatch(sm)}`);
      } else if (field === "name") continue;
      else if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && ["exact", "prefix", "regex"].includes(Object.keys(v)[0]!)) parts.push(`${field}${stringMatch(v)}`);
      else parts.push(`${field} ${show(v)}`);
    }
    return parts.join(" AND ");
  });
  const dests = (Array.isArray(route.route) ? route.route : []).map((d: { destination?: { host?: string; subset?: string; port?: { number?: number } }; weight?: number }) => {
    const dd = d?.destination ?? {};
    return `${dd.host ?? "?"}${dd.port?.number ? `:${dd.port.number}` : ""}${dd.subset ? ` subset ${dd.subset}` : ""}${d?.weight !== undefined ? ` (weight ${d.weight})` : ""}`;
  });
  if (route.redirect) dests.push(`redirect ${show(route.redirect)}`);
  if (route.directResponse) dests.push(`direct response ${show(route.directResponse)}`);
  const v: RouteView = { router: "VirtualService", matches, destinations: dests, raw: r };
  if (typeof route.name === "string") v.name = route.name;
  return v;
}

function httpRouteRule(r: unknown): RouteView {
  const rule = (r ?? {}) as Record<string, unknown>;
  const matches = (Array.isArray(rule.matches) ? rule.matches : []).map((m: Record<string, unknown>) => {
    const parts: string[] = [];
    const p = m?.path as { type?: string; value?: string } | undefined;
    if (p) parts.push(`path ${p.type === "Exact" ? "=" : p.type === "RegularExpression" ? "~ " : "prefix "}${p.value}`);
    for (const h of (m?.headers as { name: string; value: string; type?: string }[] | undefined) ?? []) parts.push(`${h.name.toLowerCase()}${h.type === "RegularExpression" ? " ~ " : "="}${JSON.stringify(h.value)}`);
    for (const q of (m?.queryParams as { name: string; value: string }[] | undefined) ?? []) parts.push(`?${q.name}=${JSON.stringify(q.value)}`);
    if (typeof m?.method === "string") parts.push(`method ${m.method}`);
    return parts.join(" AND ");
  });
  const destinations = ((rule.backendRefs as { name?: string; namespace?: string; port?: number; weight?: number }[] | undefined) ?? []).map(
    (b) => `${b.namespace ? `${b.namespace}/` : ""}${b.name ?? "?"}${b.port ? `:${b.port}` : ""}${b.weight !== undefined ? ` (weight ${b.weight})` : ""}`,
  );
  const v: RouteView = { router: "HTTPRoute", matches, destinations, raw: r };
  if (typeof rule.name === "string") v.name = rule.name;
  return v;
}

// ---------------------------------------------------------------- formats

const ref = (o: { kind: string; namespace?: string; name: string }) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

function changeText(c: FieldChange): string {
  const what = c.scope ? `${c.scope}: ${c.field}` : c.field;
  if (c.before === undefined) return `${what}: + ${c.after}`;
  if (c.after === undefined) return `${what}: - ${c.before}`;
  return `${what}: ${c.before} → ${c.after}`;
}

function routeText(r: RouteView): string[] {
  const lines = [`${r.name ? `"${r.name}"` : "(unnamed)"}`];
  if (r.matches.length === 0) lines.push("  when any request");
  r.matches.forEach((m, i) => lines.push(`  ${i === 0 ? "when" : "  or"} ${m}`));
  lines.push(`  to   ${r.destinations.join(", ") || "-"}`);
  return lines;
}

/** Items by kind: workloads first, then Services, then the rest in order of appearance. */
function grouped<T extends { kind: string }>(items: readonly T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const i of items) m.set(i.kind, [...(m.get(i.kind) ?? []), i]);
  const rank = (k: string) => (["Deployment", "StatefulSet", "Rollout"].includes(k) ? 0 : k === "Service" ? 1 : 2);
  return [...m].sort((a, b) => rank(a[0]) - rank(b[0]));
}

export function formatExplainText(e: Explanation): string {
  const out: string[] = [];
  out.push(`fork ${e.id} (${e.file})${e.owner ? ` owned by ${e.owner}` : ""}, ${e.expires ? `expires ${e.expires} (${e.expiresIn})` : "never expires"}`);
  if (e.expired) {
    out.push("", "the fork has expired: it renders nothing (kubefork gc removes the file)");
    return `${out.join("\n")}\n`;
  }
  if (e.urls.length) out.push(`urls: ${e.urls.join(", ")}`);
  out.push("carriers (a request reaches the fork with any of them):");
  for (const c of e.carriers) out.push(`  ${c.carrier.padEnd(10)} ${c.matches}`);
  out.push("", `adds ${e.added.length} object${e.added.length === 1 ? "" : "s"}:`);
  for (const [kind, items] of grouped(e.added)) {
    out.push(`  ${kind}`);
    for (const a of items) {
      out.push(`    ${a.namespace ? `${a.namespace}/` : ""}${a.name}${a.copiedFrom ? `  (copy of ${a.copiedFrom.split("/").slice(1).join("/")})` : ""}${a.detail ? `  ${a.detail}` : ""}`);
      for (const c of a.changes) out.push(`      ${changeText(c)}`);
    }
  }
  if (e.changed.length) {
    out.push("", `changes ${e.changed.length} routing object${e.changed.length === 1 ? "" : "s"}:`);
    for (const c of e.changed) {
      out.push(`  ${ref(c)}${c.created ? "  (new, shared by the forks of this host)" : ""}: ${c.created ? "routes" : `inserts ${c.routes.length} route${c.routes.length === 1 ? "" : "s"} before the base routes`}`);
      for (const r of c.routes) for (const l of routeText(r)) out.push(`    ${l}`);
      for (const ch of c.changes) out.push(`    ${changeText(ch)}`);
    }
  } else out.push("", "changes no base object");
  return `${out.join("\n")}\n`;
}

export function formatExplainMarkdown(e: Explanation): string {
  const out: string[] = [];
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  out.push(`### kubefork: fork ${code(e.id)}`, "");
  const facts = [`file ${code(e.file)}`];
  if (e.owner) facts.push(`owner ${e.owner}`);
  facts.push(e.expires ? `expires ${code(e.expires)} (${e.expiresIn})` : "never expires");
  out.push(facts.join(" · "), "");
  if (e.expired) {
    out.push("> [!WARNING]", "> The fork has expired: it renders nothing. `kubefork gc` removes the file.", "");
    return `${out.join("\n")}\n`;
  }
  if (e.urls.length) out.push(`**URLs:** ${e.urls.join(", ")}`, "");
  out.push(`**Carriers:** ${e.carriers.map((c) => `${c.carrier} (${c.matches.replace(/`/g, "'")})`).join(" · ")}`, "");
  out.push(`#### Adds ${e.added.length} object${e.added.length === 1 ? "" : "s"}`, "");
  out.push(
    markdownTable(
      ["Kind", "Name", "Copy of", "Details"],
      grouped(e.added).flatMap(([, items]) => items).map((a) => [a.kind, code(`${a.namespace ? `${a.namespace}/` : ""}${a.name}`), a.copiedFrom ? code(a.copiedFrom.split("/").slice(1).join("/")) : "", a.detail ?? ""]),
    ).trimEnd(),
    "",
  );
  for (const a of grouped(e.added).flatMap(([, items]) => items).filter((x) => x.changes.length)) {
    out.push(`<details open><summary>${a.kind} <code>${a.name}</code>: what differs from <code>${a.copiedFrom?.split("/").slice(1).join("/") ?? ""}</code></summary>`, "", "```diff");
    let scope: string | undefined;
    for (const c of a.changes) {
      if (c.scope !== scope) {
        scope = c.scope;
        out.push(`@@ ${scope || a.kind} @@`);
      }
      if (c.before !== undefined) out.push(`- ${c.field}: ${c.before}`);
      if (c.after !== undefined) out.push(`+ ${c.field}: ${c.after}`);
    }
    out.push("```", "", "</details>", "");
  }
  if (e.changed.length) {
    out.push(`#### Changes ${e.changed.length} routing object${e.changed.length === 1 ? "" : "s"}`, "");
    for (const c of e.changed) {
      out.push(`**${c.kind} ${code(`${c.namespace ? `${c.namespace}/` : ""}${c.name}`)}**${c.created ? " (new, shared by the forks of this host): its routes" : `: ${c.routes.length} route${c.routes.length === 1 ? "" : "s"} inserted before the base routes`}`, "");
      if (c.routes.length) out.push("```yaml", jsyaml.dump(c.routes.map((r) => r.raw), { noRefs: true, lineWidth: -1 }).trimEnd(), "```", "");
      if (c.changes.length) out.push(...c.changes.map((ch) => `- ${changeText(ch)}`), "");
    }
  } else out.push("Changes no base object.", "");
  return `${out.join("\n").trimEnd()}\n`;
}
