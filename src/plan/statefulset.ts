// StatefulSets: the governing Service (spec.serviceName) of a StatefulSet copy. Its pods get
// their DNS names (`<pod>.<serviceName>.<ns>.svc`) from it, so the copy needs its own: either the
// fork's copy of that Service when it selects the original pods (one ServicePlan, never two
// copies), or a headless Service made for this workload alone.
import type { Manifest } from "../model/inputs.ts";
import { asRecord, mapSelects, type Labels } from "../model/k8s.ts";
import { podLabelsOf, type BaseIndex } from "./base-index.ts";
import { copyName } from "./names.ts";

export interface GoverningServicePlan {
  /** `spec.serviceName` of the base StatefulSet. */
  name: string;
  /** What the copy's `spec.serviceName` is set to: `<serviceName>-<id>`. */
  copyName: string;
  /** The base Service of that name, when the base has it. */
  base?: Manifest;
  /**
   * True when the fork's ServicePlan for that Service makes the copy (the Service selects the
   * original pods); false when the Service generator makes a headless Service for this
   * workload alone (the base lacks the Service, or it does not select the pods).
   */
  shared: boolean;
}

/** The governing Service of a StatefulSet copy; undefined for other kinds or without serviceName. */
export function planGoverningService(index: BaseIndex, base: Manifest, ns: string, forkId: string): GoverningServicePlan | undefined {
  if (base.object.kind !== "StatefulSet") return undefined;
  const name = asRecord(base.object.spec)?.serviceName;
  if (typeof name !== "string" || name === "") return undefined;
  const svc = index.servicesIn(ns).find((s) => s.object.metadata.name === name);
  const selects = svc !== undefined && mapSelects((asRecord(svc.object.spec)?.selector ?? undefined) as Labels | undefined, podLabelsOf(base.object));
  const plan: GoverningServicePlan = { name, copyName: copyName(name, forkId), shared: selects };
  if (svc) plan.base = svc;
  return plan;
}
