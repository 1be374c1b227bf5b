// NetworkPolicy reachability (invariant 6): fork pods drop the label keys that base selectors read
// (plan/labels.ts isolateLabels), so base NetworkPolicies that name the original pods stop
// applying to the fork pods. Base policies never change (invariant 1); per fork, kubefork adds:
//
//  (a) `<policy>-<id>`: for a base policy whose spec.podSelector selects the original pods of a
//      forked workload but not its fork pods, a copy selecting exactly those fork pods, with the
//      same policyTypes and rules. A protected server's fork stays protected (a pod that no policy
//      selects is open to all), and a client's fork keeps its egress.
//  (b) `<policy>-<id>-peers`: for a base policy whose from/to peers admit the original pods of a
//      forked workload but not its fork pods, a policy selecting the SAME pods as the base policy
//      whose rules admit only those fork pods, on the same ports.
//
// In both, every peer that admits a forked workload's original pods gains a peer admitting its fork
// pods of the same fork (podSelector on kubefork.dev/fork + kubefork.dev/workload; a namespaceSelector
// peer keeps its namespaceSelector ANDed with kubernetes.io/metadata.name of the workload's
// namespace, so the new peer admits no pod in any namespace the base peer did not admit).
//
// Why an extra policy can only admit more: "Network policies do not conflict; they are additive.
// If any policy or policies apply to a given pod for a given direction, the connections allowed in
// that direction from that pod is the union of what the applicable policies allow."
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/, "The two sorts of pod
// isolation"). A (b) policy selects pods the base policy already isolates in the same directions
// (same podSelector, policyTypes ⊆ the base's), so it isolates nothing new; an (a) policy isolates
// fork pods exactly as the base isolates their originals.
//
// kubernetes.io/metadata.name: the API server sets this immutable label on every Namespace, its
// value the namespace's name (KEP-2161, GA in Kubernetes 1.22). On an older cluster a narrowed
// namespaceSelector matches nothing: the fork peer then admits nothing (fails closed).
//
// Peers left as they are: ipBlock (pod IPs are not what ipBlock is for, and fork pods have their
// own), empty podSelector {} and namespaceSelector-only peers (they admit fork pods already: fork
// pods live in the original's namespace). Policies with podSelector {} select fork pods already.
import type { Manifest } from "../model/inputs.ts";
import { asArray, asRecord, clone, labelSelectorMatches, type KObject, type LabelSelector, type Labels } from "../model/k8s.ts";
import { podLabelsOf, type BaseIndex } from "../plan/base-index.ts";
import { FORK_LABEL, WORKLOAD_LABEL } from "../plan/labels.ts";
import { fitName } from "../plan/names.ts";
import type { ForkPlan, WorkloadPlan } from "../plan/plan.ts";
import { error, formatPath, warning, type PathSegment, type Problem, type ProblemCode } from "../problems.ts";
import { forkMetadata, objectRef, refOf } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

export const NETWORK_POLICY_KEY = "networking.k8s.io/NetworkPolicy";
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
  [k: string]: unknown;
}
type Direction = "Ingress" | "Egress";
const SECTION = { Ingress: "ingress", Egress: "egress" } as const;
const PEERS = { Ingress: "from", Egress: "to" } as const;

/** A forked workload as NetworkPolicies see it: its original pods and its fork pods. */
interface Forked {
  wp: WorkloadPlan;
  original: Labels;
}

export function generateNetworkPolicies(ctx: GenContext): GenResult {
  const out = emptyResult();
  const policies = ctx.index.ofKind(NETWORK_POLICY_KEY);
  if (policies.length === 0) return out;
  const taken = new Set(policies.map((m) => `${ctx.index.nsOf(m.object)}/${m.object.metadata.name}`));
  for (const fp of ctx.plan.forks) {
    const forked: Forked[] = fp.workloads.map((wp) => ({ wp, original: podLabelsOf(wp.base.object) }));
    for (const m of policies) {
      const r = counterparts(m, fp, forked, ctx.index);
      out.problems.push(...r.problems);
      for (const o of r.objects) {
        const key = `${ctx.index.nsOf(o)}/${o.metadata.name}`;
        if (taken.has(key)) {
          out.problems.push(
            error({
              code: "KF5001",
              file: fp.file,
              ref: objectRef(o),
              message: `the NetworkPolicy ${key} kubefork makes for fork '${fp.id}' from ${describeBase(m, ctx.index)} has the name of another NetworkPolicy`,
              hint: "rename the fork (its identifier is the file name) or the base NetworkPolicy",
            }),
          );
          continue;
        }
        taken.add(key);
        out.objects.push({ object: o, fork: fp.id });
      }
    }
  }
  return out;
}

/** A rule of the base policy, with the peers admitting fork pods that it gains. */
interface ExtendedRule {
  rule: Record<string, unknown>;
  added: Peer[];
}
type ExtendedRules = Partial<Record<Direction, ExtendedRule[]>>;

/** One base policy as the counterparts read it. */
interface BasePolicy {
  m: Manifest;
  policy: KObject;
  /** Its namespace. */
  pns: string;
  spec: Record<string, unknown>;
  podSelector: LabelSelector;
  types: Direction[];
}

/** The (a) and (b) policies one fork needs for one base policy. */
export function counterparts(m: Manifest, fp: ForkPlan, forked: readonly Forked[], index: BaseIndex): { objects: KObject[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const objects: KObject[] = [];
  const spec = asRecord(m.object.spec) ?? {};
  // spec.podSelector is required; an absent one would be the empty selector: every pod.
  const base: BasePolicy = { m, policy: m.object, pns: index.nsOf(m.object), spec, podSelector: (asRecord(spec.podSelector) ?? {}) as LabelSelector, types: policyTypes(spec) };
  const selected = selectedWorkloads(base, fp, forked, index, problems);
  const extended = extendedRules(base, fp, forked, index, problems);
  if (selected.length) objects.push(forkPodsPolicy(base, fp, selected, extended));
  const peers = peersPolicy(base, fp, extended);
  if (peers) objects.push(peers);
  return { objects, problems };
}

/** Forked workloads whose original pods the policy selects and whose fork pods it does not. */
function selectedWorkloads(base: BasePolicy, fp: ForkPlan, forked: readonly Forked[], index: BaseIndex, problems: Problem[]): Forked[] {
  const selected: Forked[] = [];
  for (const f of forked) {
    if (f.wp.namespace !== base.pns) continue;
    const orig = labelSelectorMatches(base.podSelector, f.original);
    const fork = labelSelectorMatches(base.podSelector, f.wp.podLabels);
    if (orig && !fork) selected.push(f);
    else if (!orig && fork)
      problems.push(
        warnAt(base, "KF5015", ["spec", "podSelector"], fp, `${describeBase(base.m, index)} selects the fork pods of ${f.wp.kind} ${f.wp.namespace}/${f.wp.name} but not the original pods`, "its podSelector uses NotIn/DoesNotExist on a label fork pods drop; select the pods with a positive requirement"),
      );
  }
  return selected;
}

/** The peers of each rule, with the fork pods they should admit too. */
function extendedRules(base: BasePolicy, fp: ForkPlan, forked: readonly Forked[], index: BaseIndex, problems: Problem[]): ExtendedRules {
  const extended: ExtendedRules = {};
  for (const dir of base.types) {
    const rules = asArray(base.spec[SECTION[dir]]) as Record<string, unknown>[];
    extended[dir] = rules.map((rule, ri) => {
      const added: Peer[] = [];
      asArray(rule[PEERS[dir]]).forEach((p, pi) => {
        const peer = asRecord(p) as Peer | undefined;
        if (!peer) return;
        for (const f of forked) {
          const orig = peerAdmits(peer, base.pns, f.wp.namespace, f.original, index);
          const fork = peerAdmits(peer, base.pns, f.wp.namespace, f.wp.podLabels, index);
          if (orig !== false && fork === false) {
            const fp2 = forkPeer(peer, f, fp);
            if (!added.some((a) => JSON.stringify(a) === JSON.stringify(fp2))) added.push(fp2);
          } else if (orig === false && fork === true)
            problems.push(
              warnAt(base, "KF5016", ["spec", SECTION[dir], ri, PEERS[dir], pi], fp, `${describeBase(base.m, index)}: ${SECTION[dir]}[${ri}].${PEERS[dir]}[${pi}] admits the fork pods of ${f.wp.kind} ${f.wp.namespace}/${f.wp.name} but not the original pods`, "the peer's podSelector uses NotIn/DoesNotExist on a label fork pods drop; select peers with a positive requirement"),
            );
        }
      });
      return { rule, added };
    });
  }
  return extended;
}

/** (a) the fork pods of the selected workloads get the policy, rules extended. */
function forkPodsPolicy(base: BasePolicy, fp: ForkPlan, selected: readonly Forked[], extended: ExtendedRules): KObject {
  const { policy } = base;
  const cspec = clone(base.spec);
  cspec.podSelector = forkPodSelector(fp.id, selected.map((f) => f.wp.copyName));
  for (const dir of base.types) {
    const rules = extended[dir]!;
    if (!Array.isArray(cspec[SECTION[dir]])) continue;
    cspec[SECTION[dir]] = rules.map(({ rule, added }) => {
      const r = clone(rule);
      if (added.length) r[PEERS[dir]] = [...asArray(rule[PEERS[dir]]), ...clone(added)];
      return r;
    });
  }
  return {
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    metadata: forkMetadata(policy.metadata, fp, fitName(`${policy.metadata.name}-${fp.id}`), `NetworkPolicy/${policy.metadata.name}`),
    spec: cspec,
  };
}

/** (b) the pods the base policy selects admit (and reach) the fork pods its peers name; none when no peer gained any. */
function peersPolicy(base: BasePolicy, fp: ForkPlan, extended: ExtendedRules): KObject | undefined {
  const { policy } = base;
  const peerTypes = base.types.filter((dir) => extended[dir]!.some((r) => r.added.length));
  if (peerTypes.length === 0) return undefined;
  const pspec: Record<string, unknown> = { podSelector: clone(base.podSelector), policyTypes: peerTypes };
  for (const dir of peerTypes) {
    pspec[SECTION[dir]] = extended[dir]!.filter((r) => r.added.length).map(({ rule, added }) => {
      const r: Record<string, unknown> = { [PEERS[dir]]: clone(added) };
      if (rule.ports !== undefined) r.ports = clone(rule.ports);
      return r;
    });
  }
  return {
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    metadata: forkMetadata(policy.metadata, fp, fitName(`${policy.metadata.name}-${fp.id}-peers`), `NetworkPolicy/${policy.metadata.name}`),
    spec: pspec,
  };
}

/** spec.policyTypes, or its default: Ingress, plus Egress when the policy has egress rules. */
export function policyTypes(spec: Record<string, unknown>): Direction[] {
  const t = asArray(spec.policyTypes).filter((x): x is Direction => x === "Ingress" || x === "Egress");
  if (Array.isArray(spec.policyTypes)) return (["Ingress", "Egress"] as const).filter((d) => t.includes(d));
  return spec.egress !== undefined ? ["Ingress", "Egress"] : ["Ingress"];
}

/**
 * Does a peer of a policy in namespace `pns` admit pods with these labels in namespace `ns`?
 * `undefined` when it depends on labels of a Namespace the base does not define (the cluster
 * decides at run time).
 */
export function peerAdmits(peer: Peer, pns: string, ns: string, labels: Labels, index: BaseIndex): boolean | undefined {
  const pod = asRecord(peer.podSelector) as LabelSelector | undefined;
  const nsSel = asRecord(peer.namespaceSelector) as LabelSelector | undefined;
  if (!pod && !nsSel) return false; // ipBlock (or an invalid empty peer)
  const nsOk = nsSel ? namespaceSelects(nsSel, ns, index) : ns === pns;
  if (nsOk === false) return false;
  if (pod && !labelSelectorMatches(pod, labels)) return false;
  return nsOk;
}

/** Three-valued: with a Namespace object in the base its labels decide; else only kubernetes.io/metadata.name is known. */
export function namespaceSelects(sel: LabelSelector, ns: string, index: BaseIndex): boolean | undefined {
  const nsObj = index.ofKind("Namespace").find((m) => m.object.metadata.name === ns);
  if (nsObj) return labelSelectorMatches(sel, { ...(nsObj.object.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns });
  let unknown = false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (k !== NAMESPACE_NAME_LABEL) unknown = true;
    else if (v !== ns) return false;
  }
  for (const e of sel.matchExpressions ?? []) {
    if (e.key !== NAMESPACE_NAME_LABEL) unknown = true;
    else if (!labelSelectorMatches({ matchExpressions: [e] }, { [NAMESPACE_NAME_LABEL]: ns })) return false;
  }
  return unknown ? undefined : true;
}

/** The peer admitting the fork pods of `f` in place of its original pods. */
function forkPeer(peer: Peer, f: Forked, fp: ForkPlan): Peer {
  const podSelector = forkPodSelector(fp.id, [f.wp.copyName]);
  const nsSel = asRecord(peer.namespaceSelector) as LabelSelector | undefined;
  if (!nsSel) return { podSelector }; // the policy's own namespace, which is the workload's
  const namespaceSelector: LabelSelector = { matchLabels: { ...(nsSel.matchLabels ?? {}), [NAMESPACE_NAME_LABEL]: f.wp.namespace } };
  if (nsSel.matchExpressions?.length) namespaceSelector.matchExpressions = clone(nsSel.matchExpressions);
  return { namespaceSelector, podSelector };
}

/** Exactly the fork's pods of these workload copies. */
function forkPodSelector(id: string, copies: readonly string[]): LabelSelector {
  const names = [...new Set(copies)].sort();
  if (names.length === 1) return { matchLabels: { [FORK_LABEL]: id, [WORKLOAD_LABEL]: names[0]! } };
  return { matchLabels: { [FORK_LABEL]: id }, matchExpressions: [{ key: WORKLOAD_LABEL, operator: "In", values: names }] };
}

function describeBase(m: Manifest, index: BaseIndex): string {
  return `NetworkPolicy ${index.nsOf(m.object)}/${m.object.metadata.name}`;
}

function warnAt(base: BasePolicy, code: ProblemCode, path: PathSegment[], fp: ForkPlan, message: string, hint: string): Problem {
  const { m } = base;
  const full = m.item !== undefined ? ["items", m.item, ...path] : path;
  const pos = m.doc.locate(full);
  return warning({ code, file: m.doc.file, line: pos.line, column: pos.column, doc: m.doc.index, path: formatPath(full), ref: refOf(m, base.pns), message: `fork '${fp.id}': ${message}`, hint });
}
