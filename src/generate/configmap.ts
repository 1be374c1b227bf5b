// Forked configuration (spec.configMaps, spec.secretRefs).
//
// ConfigMaps: each override copies the base ConfigMap as `<name>-<id>` with the given keys replaced
// or added (binaryData kept, `immutable` dropped: a fork's configuration is edited while it lives,
// and an immutable object cannot be updated in place). Every reference to it in the fork's copied
// workloads (envFrom, env valueFrom, volumes, projected volumes; containers and init containers) is
// rewritten to the copy, and the pod template gets `kubefork.dev/config-hash`, a hash of the copies
// it reads, so fork pods roll when the forked configuration changes (the copy's name doesn't).
//
// Secrets are referenced, never copied: `secretRefs: [{from, to}]` points the same kinds of
// references (and imagePullSecrets) from Secret `from` to the existing Secret `to`. kubefork never
// reads or writes a Secret's data.
import { asRecord, clone, type KObject } from "../model/k8s.ts";
import type { ConfigMapPlan } from "../plan/configmaps.ts";
import { shortHash } from "../plan/names.ts";
import type { ForkPlan, WorkloadPlan } from "../plan/plan.ts";
import { podReferences, rewriteReferences } from "../plan/references.ts";
import { forkMetadata } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

export const CONFIG_HASH_ANNOTATION = "kubefork.dev/config-hash";

type Rec = Record<string, unknown>;

/** The copy of a base ConfigMap with the fork's keys. */
export function copyConfigMap(cp: ConfigMapPlan, fp: ForkPlan): KObject {
  const base = cp.base.object;
  const out: KObject = { apiVersion: base.apiVersion, kind: "ConfigMap", metadata: forkMetadata(base.metadata, fp, cp.copyName, `ConfigMap/${cp.name}`) };
  out.data = { ...((asRecord(base.data) as Record<string, string> | undefined) ?? {}), ...cp.entry.data };
  if (base.binaryData !== undefined) out.binaryData = clone(base.binaryData);
  return out;
}

/**
 * Applied by the workload generator to a copied pod template: references to forked ConfigMaps and
 * redirected Secrets are rewritten, and the config hash annotation is set when it reads a copy.
 */
export function applyForkedConfig(template: { metadata?: Rec; spec?: Rec }, wp: WorkloadPlan, fp: ForkPlan): void {
  const pod = template.spec;
  if (!pod) return;
  const plans = fp.configMaps.filter((p) => p.namespace === wp.namespace);
  const secretRefs = fp.loaded.fork.spec.secretRefs ?? [];
  if (plans.length === 0 && secretRefs.length === 0) return;
  const read = podReferences(pod).configMaps;
  rewriteReferences(pod, new Map(plans.map((p) => [p.name, p.copyName])), new Map(secretRefs.map((r) => [r.from, r.to])));
  const used = plans.filter((p) => read.has(p.name));
  if (used.length === 0) return;
  const hash = shortHash(JSON.stringify(used.map((p) => [p.copyName, copyConfigMap(p, fp).data, p.base.object.binaryData ?? null])));
  const md = (template.metadata ??= {});
  md.annotations = { ...((md.annotations as Record<string, string> | undefined) ?? {}), [CONFIG_HASH_ANNOTATION]: hash };
}

/** The ConfigMap copies of every fork (their overrides were planned and checked by planFork). */
export function generateConfigMaps(ctx: GenContext): GenResult {
  const out = emptyResult();
  for (const fp of ctx.plan.forks) for (const p of fp.configMaps) out.objects.push({ object: copyConfigMap(p, fp), fork: fp.id });
  return out;
}
