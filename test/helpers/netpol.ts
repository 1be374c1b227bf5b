// A small, pure NetworkPolicy evaluator for tests, written from the Kubernetes documentation
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/), independent of
// src/generate/network-policy.ts:
// - a pod is isolated for ingress (egress) when some policy in its namespace selects it and has
//   Ingress (Egress) in its policyTypes (default: Ingress, plus Egress when it has egress rules);
// - an isolated pod admits what the union of the selecting policies' rules admits;
// - a connection A → B on a port needs both A's egress and B's ingress to allow it;
// - a peer with podSelector alone: pods of the policy's namespace; namespaceSelector alone: every pod
//   of the selected namespaces; both in one peer: those pods in those namespaces; ipBlock: by IP;
// - a rule without from/to admits every peer, without ports every port; a named port is the
//   destination pod's container port of that name.
import type { Obj } from "./stream.ts";

export type Labels = Record<string, string>;

export interface Pod {
  /** e.g. the workload's name, for messages. */
  name: string;
  namespace: string;
  labels: Labels;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  ip?: string;
}

export interface Cluster {
  policies: readonly Obj[];
  /** Namespace labels; `kubernetes.io/metadata.name` is added by the evaluator, as the API server does. */
  namespaces?: Record<string, Labels>;
}

export function selectorMatches(selector: any, labels: Labels): boolean {
  if (selector === undefined || selector === null) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === "In" && !(has && (e.values ?? []).includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function types(policy: Obj): string[] {
  if (Array.isArray(policy.spec?.policyTypes)) return policy.spec.policyTypes;
  return policy.spec?.egress !== undefined ? ["Ingress", "Egress"] : ["Ingress"];
}

function nsLabels(c: Cluster, ns: string): Labels {
  return { ...(c.namespaces?.[ns] ?? {}), "kubernetes.io/metadata.name": ns };
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const n = Number(bits);
  const size = 2 ** (32 - n);
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(net!) / size);
}

function peerMatches(c: Cluster, policyNs: string, peer: any, pod: Pod): boolean {
  if (peer.ipBlock) return !!pod.ip && inCidr(pod.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => inCidr(pod.ip!, e));
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  const nsOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, nsLabels(c, pod.namespace)) : pod.namespace === policyNs;
  return nsOk && (peer.podSelector ? selectorMatches(peer.podSelector, pod.labels) : true);
}

function portMatches(rulePorts: any[] | undefined, dest: Pod, port: number, protocol: string): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "string") return (dest.ports ?? []).some((cp) => cp.name === p.port && cp.containerPort === port && (cp.protocol ?? "TCP") === protocol);
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
  });
}

/** Is `pod` allowed, by the policies isolating it in `dir`, to talk with `peer` (dest for port names: `dest`)? */
function allowed(c: Cluster, dir: "Ingress" | "Egress", pod: Pod, peer: Pod, dest: Pod, port: number, protocol: string): { isolated: boolean; allowed: boolean } {
  const section = dir === "Ingress" ? "ingress" : "egress";
  const peersKey = dir === "Ingress" ? "from" : "to";
  let isolated = false;
  for (const p of c.policies) {
    if (p.kind !== "NetworkPolicy") continue;
    const ns = p.metadata?.namespace ?? "default";
    if (ns !== pod.namespace || !selectorMatches(p.spec?.podSelector ?? {}, pod.labels) || !types(p).includes(dir)) continue;
    isolated = true;
    for (const rule of p.spec?.[section] ?? []) {
      const peers = rule[peersKey];
      const peerOk = !peers || peers.length === 0 || peers.some((x: any) => peerMatches(c, ns, x, peer));
      if (peerOk && portMatches(rule.ports, dest, port, protocol)) return { isolated, allowed: true };
    }
  }
  return { isolated, allowed: !isolated };
}

/** Can `from` open a connection to `to` on `port`? Both `from`'s egress and `to`'s ingress must allow it. */
export function canConnect(c: Cluster, from: Pod, to: Pod, port: number, protocol = "TCP"): boolean {
  return allowed(c, "Egress", from, to, to, port, protocol).allowed && allowed(c, "Ingress", to, from, to, port, protocol).allowed;
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

/** One pod per workload of a render (its template's labels and container ports). */
export function podsOf(objects: readonly Obj[], defaultNamespace = "default"): Pod[] {
  return objects
    .filter((o) => WORKLOADS.has(o.kind))
    .map((o) => ({
      name: `${o.metadata.namespace ?? defaultNamespace}/${o.metadata.name}`,
      namespace: o.metadata.namespace ?? defaultNamespace,
      labels: o.spec?.template?.metadata?.labels ?? {},
      ports: (o.spec?.template?.spec?.containers ?? []).flatMap((ct: any) => ct.ports ?? []),
    }));
}

/** Namespace labels of the Namespace objects of a render. */
export function namespacesOf(objects: readonly Obj[]): Record<string, Labels> {
  const out: Record<string, Labels> = {};
  for (const o of objects) if (o.kind === "Namespace") out[o.metadata.name] = o.metadata.labels ?? {};
  return out;
}
