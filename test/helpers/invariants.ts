// The SPEC's output invariants, checked on a render against its base. Returns violations as text.
// Used by the golden tests, the property tests and the fuzz tests alike.
import { isDeepStrictEqual } from "node:util";
import { keyOf, type Obj } from "./stream.ts";

export interface InvariantOptions {
  defaultNamespace?: string;
  clusterDomain?: string;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);
const ROUTING_KINDS = new Set(["VirtualService", "HTTPRoute"]);

export function checkInvariants(base: readonly Obj[], out: readonly Obj[], opts: InvariantOptions = {}): string[] {
  const v: string[] = [];
  const defaultNs = opts.defaultNamespace ?? "default";
  const domain = opts.clusterDomain ?? "cluster.local";
  const nsOf = (o: Obj) => o.metadata?.namespace ?? defaultNs;
  const outByKey = new Map(out.map((o) => [keyOf(o), o]));
  const baseKeys = new Set(base.map(keyOf));

  // 1. Base objects come out unchanged, except routing objects, whose base routes stay last and in order.
  for (const b of base) {
    const o = outByKey.get(keyOf(b));
    if (!o) {
      v.push(`base object missing from the output: ${keyOf(b)}`);
      continue;
    }
    if (isDeepStrictEqual(o, b)) continue;
    if (!ROUTING_KINDS.has(b.kind)) {
      v.push(`base object changed: ${keyOf(b)}`);
      continue;
    }
    const list = b.kind === "VirtualService" ? "http" : "rules";
    const baseRoutes = (b.spec?.[list] ?? []) as unknown[];
    const outRoutes = (o.spec?.[list] ?? []) as unknown[];
    if (!isDeepStrictEqual(outRoutes.slice(outRoutes.length - baseRoutes.length), baseRoutes))
      v.push(`${keyOf(b)}: the base routes are not kept, last and in order`);
    const { [list]: _a, ...restOut } = o.spec ?? {};
    const { [list]: _b, ...restBase } = b.spec ?? {};
    if (!isDeepStrictEqual(restOut, restBase)) v.push(`${keyOf(b)}: fields other than the routes changed`);
    if (!isDeepStrictEqual({ ...o.metadata, annotations: undefined }, { ...b.metadata, annotations: undefined })) v.push(`${keyOf(b)}: metadata changed`);
  }

  // 7. What kubefork made carries its labels and annotations.
  for (const o of out) {
    if (baseKeys.has(keyOf(o))) continue;
    const labels = o.metadata?.labels ?? {};
    if (labels["app.kubernetes.io/managed-by"] !== "kubefork") v.push(`${keyOf(o)}: generated but not labelled app.kubernetes.io/managed-by=kubefork`);
    const fork = labels["kubefork.dev/fork"];
    if (fork !== undefined && !o.metadata?.annotations?.["kubefork.dev/fork-file"]) v.push(`${keyOf(o)}: fork object without the kubefork.dev/fork-file annotation`);
  }

  // 2. Fork pods are selected by no base Service and no base workload; workload selectors don't overlap.
  const workloads = out.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const forkWorkloads = workloads.filter((o) => o.metadata?.labels?.["kubefork.dev/fork"] !== undefined && !baseKeys.has(keyOf(o)));
  const baseServices = base.filter((o) => o.kind === "Service");
  const baseWorkloads = base.filter((o) => WORKLOAD_KINDS.has(o.kind) || o.kind === "Rollout");
  for (const w of forkWorkloads) {
    const pod = w.spec?.template?.metadata?.labels ?? {};
    for (const s of baseServices)
      if (nsOf(s) === nsOf(w) && mapSelects(s.spec?.selector, pod)) v.push(`base ${keyOf(s)} selects the pods of fork ${keyOf(w)}`);
    for (const bw of baseWorkloads)
      if (nsOf(bw) === nsOf(w) && selectorMatches(bw.spec?.selector, pod)) v.push(`base ${keyOf(bw)}'s selector selects the pods of fork ${keyOf(w)}`);
    if (!selectorMatches(w.spec?.selector, pod)) v.push(`${keyOf(w)}: its selector does not match its own pods`);
  }
  for (const a of workloads)
    for (const b of workloads)
      if (a !== b && nsOf(a) === nsOf(b) && forkWorkloads.some((f) => f === a || f === b) && selectorMatches(a.spec?.selector, b.spec?.template?.metadata?.labels ?? {}))
        v.push(`the selectors of ${keyOf(a)} and ${keyOf(b)} overlap`);

  // 3. A fork Service copy selects fork pods of its own fork only, and some.
  for (const s of out.filter((o) => o.kind === "Service" && !baseKeys.has(keyOf(o)))) {
    const fork = s.metadata?.labels?.["kubefork.dev/fork"];
    const selected = workloads.filter((w) => nsOf(w) === nsOf(s) && mapSelects(s.spec?.selector, w.spec?.template?.metadata?.labels ?? {}));
    if (selected.length === 0) v.push(`${keyOf(s)}: selects no workload's pods`);
    for (const w of selected) if (w.metadata?.labels?.["kubefork.dev/fork"] !== fork) v.push(`${keyOf(s)}: selects pods of ${keyOf(w)}, not of fork ${fork}`);
    if (s.spec?.type && s.spec.type !== "ClusterIP") v.push(`${keyOf(s)}: a Service copy must be ClusterIP`);
  }

  // 4. Exactly one mesh VirtualService per host (where the base had at most one).
  const claims = (objs: readonly Obj[]) => {
    const m = new Map<string, string[]>();
    for (const o of objs) {
      if (o.kind !== "VirtualService") continue;
      const gws: string[] = o.spec?.gateways ?? [];
      if (gws.length && !gws.includes("mesh")) continue;
      for (const h of (o.spec?.hosts ?? []) as string[]) {
        const fqdn = h.includes(".") || h === "*" ? h : `${h}.${nsOf(o)}.svc.${domain}`;
        m.set(fqdn, [...(m.get(fqdn) ?? []), keyOf(o)]);
      }
    }
    return m;
  };
  const baseClaims = claims(base);
  for (const [host, vss] of claims(out)) if (vss.length > 1 && (baseClaims.get(host)?.length ?? 0) < vss.length) v.push(`${vss.length} mesh VirtualServices claim ${host}: ${vss.join(", ")}`);

  return v;
}

export function mapSelects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, val]) => labels[k] === val);
}

export function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, val] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== val) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
