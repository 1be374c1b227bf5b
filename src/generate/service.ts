// Service copy: `<S>-<id>`, ClusterIP, the same ports, selecting exactly the fork's pods (invariant 3).
import type { KObject } from "../model/k8s.ts";
import { asRecord } from "../model/k8s.ts";
import type { ForkPlan, ServicePlan } from "../plan/plan.ts";
import { forkMetadata } from "./meta.ts";
import { governingService } from "./statefulset.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

/** Service spec fields that carry over to a ClusterIP copy. Addresses, node ports and load balancers don't. */
const KEPT_SPEC_FIELDS = [
  "sessionAffinity",
  "sessionAffinityConfig",
  "publishNotReadyAddresses",
  "ipFamilyPolicy",
  "ipFamilies",
  "internalTrafficPolicy",
  "trafficDistribution",
] as const;

export function generateServices(ctx: GenContext): GenResult {
  const out = emptyResult();
  for (const fp of ctx.plan.forks) {
    for (const sp of fp.services) out.objects.push({ object: copyService(sp, fp), fork: fp.id });
    // A StatefulSet copy whose serviceName no ServicePlan covers gets a headless Service of its own.
    for (const wp of fp.workloads) {
      const g = governingService(wp, fp);
      if (g) out.objects.push({ object: g, fork: fp.id });
    }
  }
  return out;
}

export function copyService(sp: ServicePlan, fp: ForkPlan): KObject {
  const base = sp.base.object;
  const bspec = asRecord(base.spec) ?? {};
  const spec: Record<string, unknown> = { type: "ClusterIP" };
  // A headless Service stays headless: clients of StatefulSets resolve pods through it.
  if (bspec.clusterIP === "None") spec.clusterIP = "None";
  spec.selector = { ...sp.selector };
  spec.ports = (Array.isArray(bspec.ports) ? bspec.ports : []).map((p) => {
    const port = { ...(p as Record<string, unknown>) };
    delete port.nodePort;
    return port;
  });
  for (const f of KEPT_SPEC_FIELDS) if (bspec[f] !== undefined) spec[f] = structuredClone(bspec[f]);
  return {
    apiVersion: base.apiVersion,
    kind: "Service",
    metadata: forkMetadata(base.metadata, fp, sp.copyName, `Service/${sp.name}`),
    spec,
  };
}
