// Reachability checks of a render against its base with the NetworkPolicy evaluator (netpol.ts):
// - every connection the base allows is allowed when the pods of one fork replace either side;
// - every connection the render allows maps back to one the base allows (no new hole);
// - connections between base pods are unchanged.
import { canConnect, namespacesOf, podsOf, type Cluster, type Pod } from "./netpol.ts";
import type { Obj } from "./stream.ts";

const FORK = "kubefork.dev/fork";

export interface ReachabilityOptions {
  /** Pods outside the render (clients on the network, kube-dns, ...): present in base and render alike. */
  extraPods?: Pod[];
  defaultNamespace?: string;
}

export function checkReachability(base: readonly Obj[], out: readonly Obj[], opts: ReachabilityOptions = {}): { violations: string[]; checked: number } {
  const violations: string[] = [];
  let checked = 0;
  const ns = opts.defaultNamespace ?? "default";
  const baseCluster: Cluster = { policies: base.filter((o) => o.kind === "NetworkPolicy"), namespaces: namespacesOf(base) };
  const outCluster: Cluster = { policies: out.filter((o) => o.kind === "NetworkPolicy"), namespaces: namespacesOf(out) };
  const extra = opts.extraPods ?? [];
  const basePods = [...podsOf(base, ns), ...extra];
  const outPods = [...podsOf(out, ns), ...extra];

  // fork pod → the base pod it copies (via the copy's kubefork.dev/copied-from annotation)
  const origin = new Map<string, Pod>();
  const copies = new Map<string, Pod>(); // `${fork}|${base pod name}` → fork pod
  for (const o of out) {
    const from = o.metadata?.annotations?.["kubefork.dev/copied-from"];
    const fork = o.metadata?.labels?.[FORK];
    if (!from || !fork || !["Deployment", "StatefulSet"].includes(o.kind)) continue;
    const podNs = o.metadata.namespace ?? ns;
    const orig = basePods.find((p) => p.name === `${podNs}/${from.split("/")[1]}`);
    const copy = outPods.find((p) => p.name === `${podNs}/${o.metadata.name}`);
    if (!orig || !copy) continue;
    origin.set(copy.name, orig);
    copies.set(`${fork}|${orig.name}`, copy);
  }
  const orig = (p: Pod) => origin.get(p.name) ?? p;
  const forks = [...new Set(out.map((o) => o.metadata?.labels?.[FORK]).filter((f): f is string => !!f))].sort();
  const portsOf = (p: Pod) => (p.ports ?? []).map((cp) => ({ port: cp.containerPort, protocol: cp.protocol ?? "TCP" }));

  for (const c of basePods)
    for (const s of basePods) {
      if (c === s) continue;
      for (const { port, protocol } of portsOf(s)) {
        const allowed = canConnect(baseCluster, c, s, port, protocol);
        checked++;
        if (canConnect(outCluster, c, s, port, protocol) !== allowed) violations.push(`base ${c.name} → ${s.name}:${port}/${protocol} changed`);
        if (!allowed) continue;
        for (const f of forks) {
          const c2 = copies.get(`${f}|${c.name}`) ?? c;
          const s2 = copies.get(`${f}|${s.name}`) ?? s;
          if (c2 === c && s2 === s) continue;
          checked++;
          if (!canConnect(outCluster, c2, s2, port, protocol)) violations.push(`fork ${f}: ${c2.name} → ${s2.name}:${port}/${protocol} is denied, but ${c.name} → ${s.name} is allowed in the base`);
        }
      }
    }

  for (const a of outPods)
    for (const b of outPods) {
      if (a === b || (!origin.has(a.name) && !origin.has(b.name))) continue;
      for (const { port, protocol } of portsOf(b)) {
        checked++;
        if (canConnect(outCluster, a, b, port, protocol) && !canConnect(baseCluster, orig(a), orig(b), port, protocol))
          violations.push(`new hole: ${a.name} → ${b.name}:${port}/${protocol} is allowed, but ${orig(a).name} → ${orig(b).name} is not in the base`);
      }
    }
  return { violations, checked };
}
