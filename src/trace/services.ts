// The cluster as the trace sees it: an index of the objects, host resolution the way Istio and
// cluster DNS do it, Service → workloads, DestinationRule subsets.

import type { Problem, ProblemCode } from "../problems.ts";
import { DEFAULT_CLUSTER_DOMAIN } from "../model/manager.ts";
import { serviceFqdn } from "../plan/names.ts";
import type { HeaderOps } from "./match.ts";
import { hostPatternSpecificity, istioHostSubsetOf } from "../util/host-patterns.ts";
import { applyHeaderOps, labelsMatch } from "./match.ts";
import type { HopBase, RequestView, TraceDestination, TraceHop } from "./types.ts";

/** Any Kubernetes object as parsed from YAML/JSON. */
export type KObject = Record<string, unknown>;

export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface WorkloadRef extends ObjectRef {
  /** Labels of the pod template (what Services and subsets select). */
  labels: Record<string, string>;
}


export function refString(r: ObjectRef): string {
  return `${r.kind} ${r.namespace}/${r.name}`;
}

// ---------------------------------------------------------------------------------------------
// Small safe accessors: input is untyped and may be odd; never throw.

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
export function obj(v: unknown): Record<string, unknown> {
  return isObj(v) ? v : {};
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) {
    if (typeof x === "string") out[k] = x;
    else if (typeof x === "number" || typeof x === "boolean") out[k] = String(x);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export interface Indexed {
  o: KObject;
  kind: string;
  group: string;
  namespace: string;
  name: string;
  /** metadata.creationTimestamp when present (ordering ties in Istio and Gateway API). */
  created?: string;
  spec: Record<string, unknown>;
}

export interface ClusterIndex {
  defaultNamespace: string;
  /** The cluster's DNS domain (the manager's `clusterDomain`): Service FQDNs end in `.svc.<domain>`. */
  clusterDomain: string;
  services: Indexed[];
  workloads: Indexed[];
  virtualServices: Indexed[];
  destinationRules: Indexed[];
  istioGateways: Indexed[];
  gateways: Indexed[]; // Gateway API
  httpRoutes: Indexed[];
  referenceGrants: Indexed[];
  namespaces: Indexed[];
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout", "Pod"]);

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

export function indexObjects(objects: readonly unknown[], defaultNamespace = "default", clusterDomain = DEFAULT_CLUSTER_DOMAIN): ClusterIndex {
  const idx: ClusterIndex = {
    defaultNamespace,
    clusterDomain,
    services: [],
    workloads: [],
    virtualServices: [],
    destinationRules: [],
    istioGateways: [],
    gateways: [],
    httpRoutes: [],
    referenceGrants: [],
    namespaces: [],
  };
  const push = (o: unknown): void => {
    if (!isObj(o)) return;
    const kind = str(o.kind) ?? "";
    const apiVersion = str(o.apiVersion) ?? "";
    if (kind === "List" || kind.endsWith("List")) {
      for (const item of arr(o.items)) push(item);
      return;
    }
    const meta = obj(o.metadata);
    const name = str(meta.name);
    if (!name) return;
    const group = groupOf(apiVersion);
    const rec: Indexed = {
      o,
      kind,
      group,
      namespace: kind === "Namespace" ? "" : str(meta.namespace) ?? defaultNamespace,
      name,
      created: str(meta.creationTimestamp),
      spec: obj(o.spec),
    };
    if (group === "" && kind === "Service") idx.services.push(rec);
    else if (group === "" && kind === "Namespace") idx.namespaces.push(rec);
    else if (WORKLOAD_KINDS.has(kind) && (group === "" || group === "apps" || group === "argoproj.io")) idx.workloads.push(rec);
    else if (group === "networking.istio.io" && kind === "VirtualService") idx.virtualServices.push(rec);
    else if (group === "networking.istio.io" && kind === "DestinationRule") idx.destinationRules.push(rec);
    else if (group === "networking.istio.io" && kind === "Gateway") idx.istioGateways.push(rec);
    else if (group === "gateway.networking.k8s.io" && kind === "Gateway") idx.gateways.push(rec);
    else if (group === "gateway.networking.k8s.io" && kind === "HTTPRoute") idx.httpRoutes.push(rec);
    else if (group === "gateway.networking.k8s.io" && kind === "ReferenceGrant") idx.referenceGrants.push(rec);
  };
  for (const o of objects) push(o);
  return idx;
}

/**
 * Config ordering used by Istio for ties (pilot `sortConfigByCreationTime`): creation time, then
 * name, then namespace. Objects without timestamps sort before those with (empty string first).
 */
export function byCreation(a: Indexed, b: Indexed): number {
  return cmp(a.created ?? "", b.created ?? "") || cmp(a.name, b.name) || cmp(a.namespace, b.namespace);
}

/** Gateway API ordering for ties: oldest, then "{namespace}/{name}" alphabetically. */
export function byCreationThenNsName(a: Indexed, b: Indexed): number {
  return cmp(a.created ?? "", b.created ?? "") || cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Host names

/** `<name>.<namespace>.svc.<clusterDomain>`: the plan's rule (plan/names.ts), so a render and its trace agree. */
export { serviceFqdn };

/** Strip a trailing dot and `:port`. */
export function bareHost(host: string): { host: string; port?: number } {
  let h = host.trim().toLowerCase();
  let port: number | undefined;
  const m = /^(.*):(\d+)$/.exec(h);
  if (m && !h.startsWith("[")) {
    h = m[1] ?? h;
    port = Number(m[2]);
  }
  if (h.endsWith(".")) h = h.slice(0, -1);
  return port === undefined ? { host: h } : { host: h, port };
}

/**
 * How Istio reads a host written in a config object (VirtualService hosts, destination.host,
 * DestinationRule host): a name without dots is a short name resolved in the OBJECT's namespace
 * (`reviews` in ns `a` = `reviews.a.svc.<clusterDomain>`); anything with a dot is taken literally
 * (pilot `ResolveShortnameToFQDN`). So `reviews.b` in a VirtualService is NOT
 * `reviews.b.svc.<clusterDomain>`.
 */
export function resolveConfigHost(host: string, namespace: string, clusterDomain: string): string {
  const h = bareHost(host).host;
  if (h === "*" || h.includes(".") || h.includes(":")) return h;
  return serviceFqdn(h, namespace, clusterDomain);
}

/**
 * How a client in `namespace` reaches a host it writes: cluster DNS search path
 * (`<ns>.svc.<domain>`, `svc.<domain>`, `<domain>`, then the name as is; the domain is the manager's clusterDomain), and the
 * sidecar knows every Service under all those forms. The first candidate that is a known Service
 * wins; otherwise the name is used literally (an external host, or an ingress host).
 */
export function resolveClientHost(idx: ClusterIndex, host: string, namespace: string): { fqdn: string; service?: Indexed } {
  const h = bareHost(host).host;
  const d = idx.clusterDomain;
  const candidates = [`${h}.${namespace}.svc.${d}`, `${h}.svc.${d}`, `${h}.${d}`, h];
  for (const c of candidates) {
    const svc = serviceByFqdn(idx, c);
    if (svc) return { fqdn: c, service: svc };
  }
  if (!h.includes(".")) return { fqdn: serviceFqdn(h, namespace, d) };
  return { fqdn: h };
}

export function serviceByFqdn(idx: ClusterIndex, fqdn: string): Indexed | undefined {
  const suffix = `.svc.${idx.clusterDomain}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const m = /^([^.]+)\.([^.]+)$/.exec(fqdn.slice(0, -suffix.length));
  if (!m) return undefined;
  return idx.services.find((s) => s.name === m[1] && s.namespace === m[2]);
}

// ---------------------------------------------------------------------------------------------
// Services → workloads

export function labelsOf(o: Indexed): Record<string, string> {
  return strMap(obj(o.o.metadata).labels);
}

export function podLabels(w: Indexed): Record<string, string> {
  if (w.kind === "Pod") return strMap(obj(w.o.metadata).labels);
  return strMap(obj(obj(w.spec.template).metadata).labels);
}

export function serviceSelector(svc: Indexed): Record<string, string> | undefined {
  const sel = svc.spec.selector;
  if (!isObj(sel)) return undefined;
  return strMap(sel);
}

export function servicePorts(svc: Indexed): number[] {
  return arr(svc.spec.ports)
    .map((p) => num(obj(p).port))
    .filter((p): p is number => p !== undefined);
}

/** Workloads in the Service's namespace whose pod template labels carry the selector and `extra` (subset labels). */
export function workloadsFor(
  idx: ClusterIndex,
  svc: Indexed,
  extra: Record<string, string> | undefined,
  problems: Problem[],
): WorkloadRef[] {
  const sel = serviceSelector(svc);
  const object = `Service ${svc.namespace}/${svc.name}`;
  if (str(svc.spec.type) === "ExternalName") {
    problems.push(warn("KF7021", `is an ExternalName Service (${str(svc.spec.externalName) ?? "?"}): no workloads in the cluster`, object));
    return [];
  }
  if (!sel || Object.keys(sel).length === 0) {
    problems.push(warn("KF7021", "has no selector: its endpoints are managed by hand and cannot be traced to workloads", object));
    return [];
  }
  const out: WorkloadRef[] = [];
  for (const w of idx.workloads) {
    if (w.namespace !== svc.namespace) continue;
    const labels = podLabels(w);
    if (labelsMatch(sel, labels) && labelsMatch(extra, labels)) {
      out.push({ kind: w.kind, namespace: w.namespace, name: w.name, labels });
    }
  }
  out.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.name, b.name));
  return out;
}

// ---------------------------------------------------------------------------------------------
// DestinationRules

export interface SubsetLookup {
  rule?: Indexed;
  labels?: Record<string, string>;
  found: boolean;
}

/**
 * The DestinationRule Istio applies for `fqdn` seen from a proxy in `clientNamespace`: one in the
 * client's namespace first, then in the Service's namespace, then any other (root namespace);
 * within a namespace an exact host beats a wildcard. Returns the subset's labels.
 */
export function findSubset(
  idx: ClusterIndex,
  fqdn: string,
  subset: string | undefined,
  clientNamespace: string,
  serviceNamespace: string | undefined,
): SubsetLookup {
  const candidates = idx.destinationRules
    .map((dr) => {
      const h = resolveConfigHost(str(dr.spec.host) ?? "", dr.namespace, idx.clusterDomain);
      return { dr, h };
    })
    .filter(({ h }) => h !== "" && istioHostSubsetOf(fqdn, h));
  const nsRank = (ns: string): number => (ns === clientNamespace ? 0 : ns === serviceNamespace ? 1 : 2);
  candidates.sort((a, b) => {
    const r = nsRank(a.dr.namespace) - nsRank(b.dr.namespace);
    if (r) return r;
    const [ea, la] = hostPatternSpecificity(a.h);
    const [eb, lb] = hostPatternSpecificity(b.h);
    return eb - ea || lb - la || byCreation(a.dr, b.dr);
  });
  const rule = candidates[0]?.dr;
  if (!subset) return rule ? { rule, found: true } : { found: true };
  if (!rule) return { found: false };
  const s = arr(rule.spec.subsets).map(obj).find((x) => str(x.name) === subset);
  if (!s) return { rule, found: false };
  return { rule, labels: strMap(s.labels), found: true };
}

// ---------------------------------------------------------------------------------------------

/** The hop when nothing at this proxy takes the request: 404, headers as they came. */
export function rejectedHop(base: HopBase, req: RequestView, notes: string[], reason: string): TraceHop {
  return {
    ...base,
    reason,
    outcome: "rejected",
    status: 404,
    headerChanges: [],
    headers: { ...req.headers },
    destinations: [],
    notes,
  };
}

export function warn(code: ProblemCode, message: string, object?: string, path?: string): Problem {
  const p: Problem = { kind: "invalid", severity: "warning", code, message };
  if (object) p.object = object;
  if (path) p.path = path;
  return p;
}

export function err(code: ProblemCode, message: string, object?: string, path?: string): Problem {
  const p: Problem = { kind: "invalid", severity: "error", code, message };
  if (object) p.object = object;
  if (path) p.path = path;
  return p;
}

export function noteP(code: ProblemCode, message: string, object?: string, path?: string): Problem {
  const p: Problem = { kind: "invalid", severity: "note", code, message };
  if (object) p.object = object;
  if (path) p.path = path;
  return p;
}

// ---------------------------------------------------------------------------------------------
// A route destination → Service, subset, workloads.

export interface DestinationInput {
  host: string;
  fqdn: string;
  port?: number;
  /** Port the request came in on, used when neither the route nor a single-port Service says. */
  requestPort?: number;
  subset?: string;
  weight: number;
  percent: number;
  /** Namespace of the proxy that routes (client sidecar, or gateway): DestinationRule lookup. */
  proxyNamespace: string;
  /** Headers after route-level changes. */
  headers: Record<string, string>;
  headerOps?: HeaderOps;
  /** For problems: the routing object and the field path of this destination. */
  object: string;
  path: string;
}

/** A route destination followed to its Service, port, DestinationRule subset and workloads. */
export function resolveDestination(idx: ClusterIndex, d: DestinationInput, problems: Problem[]): TraceDestination {
  const svc = serviceByFqdn(idx, d.fqdn);
  const out = destinationOf(d);
  if (!svc) {
    problems.push(
      d.percent > 0
        ? err("KF7018", `destination host ${d.fqdn} is not a Service in the objects given: Istio sends such traffic nowhere (503)`, d.object, d.path)
        : warn("KF7018", `destination host ${d.fqdn} is not a Service in the objects given (weight 0)`, d.object, d.path),
    );
    const port = d.port ?? d.requestPort;
    if (port !== undefined) out.port = port;
    return out;
  }
  out.service = { kind: "Service", namespace: svc.namespace, name: svc.name };
  setServicePort(svc, d, out, problems);
  if (!setSubset(idx, svc, d, out, problems)) return out;
  out.workloads = workloadsFor(idx, svc, out.subsetLabels, problems);
  if (out.workloads.length === 0 && serviceSelector(svc) && Object.keys(serviceSelector(svc) ?? {}).length > 0) {
    problems.push(
      warn(
        "KF7021",
        `no workload's pods are selected by Service ${svc.namespace}/${svc.name}${d.subset ? ` subset ${d.subset}` : ""}: no endpoints (503)`,
        d.object,
        d.path,
      ),
    );
  }
  return out;
}

/** The destination as written, with its own header changes applied; no Service yet. */
function destinationOf(d: DestinationInput): TraceDestination {
  const applied = d.headerOps ? applyHeaderOps(d.headers, d.headerOps) : { headers: { ...d.headers }, changes: [] };
  const out: TraceDestination = {
    host: d.host,
    fqdn: d.fqdn,
    weight: d.weight,
    percent: d.percent,
    workloads: [],
    headerChanges: applied.changes,
    headers: applied.headers,
  };
  if (d.subset) out.subset = d.subset;
  return out;
}

/** The port: the route's, else the Service's only port, else the request's; a warning when the Service lacks it. */
function setServicePort(svc: Indexed, d: DestinationInput, out: TraceDestination, problems: Problem[]): void {
  const ports = servicePorts(svc);
  const port = d.port ?? (ports.length === 1 ? ports[0] : d.requestPort);
  if (port === undefined) return;
  out.port = port;
  if (ports.length > 0 && !ports.includes(port)) {
    problems.push(warn("KF7019", `port ${port} is not a port of Service ${svc.namespace}/${svc.name} (${ports.join(", ")})`, d.object, d.path));
  }
}

/** The DestinationRule that applies and the subset's labels; false (with an error) when the subset is not defined. */
function setSubset(idx: ClusterIndex, svc: Indexed, d: DestinationInput, out: TraceDestination, problems: Problem[]): boolean {
  const sub = findSubset(idx, d.fqdn, d.subset, d.proxyNamespace, svc.namespace);
  if (sub.rule) out.destinationRule = { kind: "DestinationRule", namespace: sub.rule.namespace, name: sub.rule.name };
  if (!d.subset) return true;
  if (!sub.found) {
    problems.push(
      err(
        "KF7020",
        sub.rule
          ? `subset "${d.subset}" is not defined in DestinationRule ${sub.rule.namespace}/${sub.rule.name}: requests get 503 (no cluster)`
          : `subset "${d.subset}" needs a DestinationRule for ${d.fqdn} and there is none: requests get 503 (no cluster)`,
        d.object,
        d.path,
      ),
    );
    return false;
  }
  out.subsetLabels = sub.labels ?? {};
  return true;
}

/** Percentages from weights; zero-sum (all weights 0) gives 0 everywhere. */
export function percents(weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (sum > 0 ? Math.round((w / sum) * 10000) / 100 : 0));
}
