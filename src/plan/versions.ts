// Where a fork's request for a base Service goes: the host is pinned, as Istio pins it (SPEC
// invariant 4). A route destination or backendRef on Service B, for fork F, goes to the copy of the
// widest Service F forks that B is a version of:
//
// - B is a version of a forked Service S when both are in one namespace and B's selector includes
//   S's selector (B selects a subset of S's pods: bookinfo's reviews-v1/v2/v3 Services of
//   platform/kube/bookinfo-versions.yaml, istio/istio 86c9f01f, are versions of reviews). A forked
//   Service is a version of itself.
// - Widest: the fewest selector labels (it selects the most); on a tie B itself, then the first
//   name. It must have a port with the same target port as the port B is called on, which becomes
//   the port called. (Argo Rollouts' stable and canary Services select what the Rollout's Service
//   selects, up to the pod-template hash Argo adds at runtime: each stays itself.)
//
// So with bookinfo's route 90/10 to reviews-v1/reviews-v2, a fork of reviews-v2 or of reviews-v3
// (0% in the base) gets every request to reviews: both backends become reviews-<id> and their
// weights collapse, as Istio's destination swap drops subsets of the forked host. Backends of other
// applications (no forked Service's selector in theirs) stay.
import { asArray, asRecord, type Labels } from "../model/k8s.ts";
import type { BaseIndex } from "./base-index.ts";
import type { ForkPlan, ServicePlan } from "./plan.ts";

export interface ForkTarget {
  /** The forked Service whose copy takes the request. */
  service: ServicePlan;
  /** The copy's port to call, when the request named one (or the base Service has only one). */
  port?: number;
}

/**
 * The fork's copy that takes a request for the base Service `fqdn` on `port` (a Service port), or
 * undefined when the fork routes that Service as the base does.
 */
export function forkTarget(index: BaseIndex, fp: ForkPlan, fqdn: string, port: number | undefined): ForkTarget | undefined {
  const base = index.serviceByFqdn(fqdn);
  if (!base) return undefined;
  const ns = index.nsOf(base.object);
  const local = fp.services.filter((sp) => sp.namespace === ns);
  if (local.length === 0) return undefined;
  const selector = selectorOf(base.object.spec);
  const target = targetPortOf(base.object.spec, port);
  let best: ForkTarget | undefined;
  let bestWidth = Infinity;
  for (const sp of local) {
    const own = selectorOf(sp.base.object.spec);
    const width = Object.keys(own).length;
    if (sp.fqdn !== fqdn && (width === 0 || !includes(selector, own))) continue;
    // The backend itself keeps its port; a wider Service must serve the same target port.
    const p = sp.fqdn === fqdn ? { port } : portFor(sp.base.object.spec, target);
    if (!p) continue;
    const tie = width === bestWidth && best !== undefined && (sp.fqdn === fqdn || (best.service.fqdn !== fqdn && sp.name < best.service.name));
    if (width < bestWidth || tie) {
      best = p.port === undefined ? { service: sp } : { service: sp, port: p.port };
      bestWidth = width;
    }
  }
  return best;
}

function selectorOf(spec: unknown): Labels {
  return (asRecord(asRecord(spec)?.selector) as Labels | undefined) ?? {};
}

/** Does `selector` hold every label of `narrower`? */
function includes(selector: Labels, narrower: Labels): boolean {
  return Object.entries(narrower).every(([k, v]) => selector[k] === v);
}

function portsOf(spec: unknown): Record<string, unknown>[] {
  return asArray(asRecord(spec)?.ports).map((p) => asRecord(p) ?? {});
}

/** The target port (number or container port name) behind a Service port; `port` unset: the only port. */
function targetPortOf(spec: unknown, port: number | undefined): string | undefined {
  const ports = portsOf(spec);
  const p = port === undefined ? (ports.length === 1 ? ports[0] : undefined) : ports.find((x) => x.port === port);
  if (!p) return undefined;
  return String(p.targetPort ?? p.port);
}

/** The port of a wider Service that serves `target`: `{port}` to call, or undefined when none does. */
function portFor(spec: unknown, target: string | undefined): { port?: number } | undefined {
  if (target === undefined) return undefined;
  const p = portsOf(spec).find((x) => String(x.targetPort ?? x.port) === target);
  return p && typeof p.port === "number" ? { port: p.port } : undefined;
}

/**
 * Which of `forks` pin requests for a base Service on a port (forkTarget is defined for them), for
 * many lookups: forked Services indexed by namespace once, each answer memoised.
 */
export function pinningForks(index: BaseIndex, forks: readonly ForkPlan[]): (fqdn: string, port: number | undefined) => readonly ForkPlan[] {
  const byNs = new Map<string, { fp: ForkPlan; own: Labels; fqdn: string }[]>();
  for (const fp of forks)
    for (const sp of fp.services) {
      const l = byNs.get(sp.namespace) ?? [];
      l.push({ fp, own: selectorOf(sp.base.object.spec), fqdn: sp.fqdn });
      byNs.set(sp.namespace, l);
    }
  const memo = new Map<string, readonly ForkPlan[]>();
  return (fqdn, port) => {
    const key = `${fqdn}|${port ?? ""}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const base = index.serviceByFqdn(fqdn);
    const selector = base ? selectorOf(base.object.spec) : {};
    const maybe = new Set<ForkPlan>();
    for (const e of base ? (byNs.get(index.nsOf(base.object)) ?? []) : [])
      if (e.fqdn === fqdn || (Object.keys(e.own).length > 0 && includes(selector, e.own))) maybe.add(e.fp);
    const out = forks.filter((fp) => maybe.has(fp) && forkTarget(index, fp, fqdn, port) !== undefined);
    memo.set(key, out);
    return out;
  };
}
