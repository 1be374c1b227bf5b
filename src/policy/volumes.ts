// Shared claims: a forked workload whose pods mount a base PersistentVolumeClaim by name
// (`volumes[].persistentVolumeClaim.claimName`, as the base has it or as a patch sets it). The copy
// then uses the baseline's volume: with ReadWriteOnce the copy's pods fail to attach on another
// node or write into the baseline's data on the same node; ReadWriteOncePod admits one pod in the
// whole cluster. Either is an error unless `policy.allowSharedClaims` names the claim; a claim
// that may be shared (ReadWriteMany, ReadOnlyMany) gives a warning: fork pods see the base's data.
//
// Not this case: a StatefulSet's volumeClaimTemplates are per-pod claims. The controller names the
// claim of pod `<set>-<ordinal>` from template `<t>` `<t>-<set>-<ordinal>` and replaces any pod
// template volume of the template's name by it (kubernetes/kubernetes
// pkg/controller/statefulset/stateful_set_utils.go, getPersistentVolumeClaimName and updateStorage,
// @0fe831c3e98b5dc6de63a86eb3822acbf7d3c761). The copy is named `<set>-<id>`, so its claims are
// `<t>-<set>-<id>-<ordinal>`: new volumes of its own (src/generate/statefulset.ts).
import type { Policy } from "../model/manager.ts";
import { asArray, asRecord, type KObject } from "../model/k8s.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import type { ForkPlan, Plan, WorkloadPlan } from "../plan/plan.ts";
import { error, formatPath, warning, type ObjectRef, type PathSegment, type Problem } from "../problems.ts";
import { workloadRef } from "../generate/workload.ts";
import { globMatch } from "./copies.ts";

/** Access modes of a PersistentVolumeClaim (core/v1 PersistentVolumeAccessMode). */
const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"] as const;
type AccessMode = (typeof ACCESS_MODES)[number];

/** Who may write through a claim of each mode: one node or pod, many, or nobody. */
const WRITERS: Record<AccessMode, "single" | "many" | "none"> = {
  ReadWriteOnce: "single",
  ReadWriteOncePod: "single",
  ReadWriteMany: "many",
  ReadOnlyMany: "none",
};

/** One `persistentVolumeClaim` volume of a copy's pod template. */
export interface ClaimMount {
  /** Index in spec.template.spec.volumes. */
  index: number;
  volume: string;
  claim: string;
}

/** Volumes of a workload's pods that mount a claim by name (per-pod StatefulSet claim templates left out). */
export function claimMounts(o: KObject): ClaimMount[] {
  const spec = asRecord(o.spec);
  const perPod = new Set(o.kind === "StatefulSet" ? asArray(spec?.volumeClaimTemplates).map((t) => asRecord(asRecord(t)?.metadata)?.name) : []);
  const out: ClaimMount[] = [];
  asArray(asRecord(asRecord(spec?.template)?.spec)?.volumes).forEach((v, index) => {
    const vol = asRecord(v);
    const claim = asRecord(vol?.persistentVolumeClaim)?.claimName;
    if (typeof claim !== "string" || perPod.has(vol?.name)) return;
    out.push({ index, volume: typeof vol?.name === "string" ? vol.name : `#${index}`, claim });
  });
  return out;
}

/**
 * Whether the copy must not mount a claim with these access modes beside the baseline: it has a
 * single-writer mode (ReadWriteOnce, ReadWriteOncePod) and not ReadWriteMany. Unknown modes count for nothing.
 */
export function exclusiveModes(modes: readonly string[]): boolean {
  const known = modes.filter((m): m is AccessMode => (ACCESS_MODES as readonly string[]).includes(m)).map((m) => WRITERS[m]);
  return known.includes("single") && !known.includes("many");
}

export interface ClaimCheckInput {
  policy: Policy;
  plan: Plan;
  index: BaseIndex;
  /** The generated copy of a forked workload (after patches), when it was generated. */
  copyOf(fp: ForkPlan, wp: WorkloadPlan): KObject | undefined;
}

export function checkSharedClaims(input: ClaimCheckInput): Problem[] {
  const problems: Problem[] = [];
  for (const fp of input.plan.forks)
    for (const wp of fp.workloads) {
      const copy = input.copyOf(fp, wp);
      if (copy) problems.push(...checkWorkloadClaims(input, fp, wp, copy));
    }
  return problems;
}

function checkWorkloadClaims(input: ClaimCheckInput, fp: ForkPlan, wp: WorkloadPlan, copy: KObject): Problem[] {
  const problems: Problem[] = [];
  const baseClaims = new Set(claimMounts(wp.source ?? wp.base.object).map((m) => m.claim));
  // The last patch that touched the volumes, looked for once (a copy may mount a claim per patch).
  let last: number | undefined;
  const lastVolumesPatch = () => (last ??= lastTouchingVolumes(wp.entry.patches ?? []));
  for (const m of claimMounts(copy)) {
    const claim = input.index.named("PersistentVolumeClaim", m.claim).find((c) => input.index.nsOf(c.object) === wp.namespace);
    // A claim neither in the base nor mounted by the base workload is the fork's own business.
    if (!claim && !baseClaims.has(m.claim)) continue;
    const pointer = `/spec/template/spec/volumes/${m.index}/persistentVolumeClaim/claimName`;
    const from = baseClaims.has(m.claim) ? `the base ${wp.kind}'s pod template` : "a patch";
    const where = locate(fp, wp, baseClaims.has(m.claim) ? -1 : lastVolumesPatch());
    const subject = `the copy mounts PersistentVolumeClaim ${wp.namespace}/${m.claim} (volume ${m.volume}, from ${from}; ${pointer})`;
    if (!claim) {
      problems.push(warning({ ...where, code: "KF3022", message: `${subject}, which is not in the base: its access modes are unknown, and fork pods share its volume with the baseline`, hint: hintFor(m) }));
      continue;
    }
    const modes = asArray(asRecord(claim.object.spec)?.accessModes).filter((x): x is string => typeof x === "string");
    const shown = modes.length ? `whose access modes are ${modes.join(", ")}` : "which has no access modes";
    const allowed = (input.policy.allowSharedClaims ?? []).some((p) => globMatch(p, m.claim));
    if (exclusiveModes(modes) && !allowed) {
      problems.push(
        error({
          kind: "policy",
          ...where,
          code: "KF3023",
          message: `${subject}, ${shown}: the copy's pods cannot attach it beside the baseline's, or write into the baseline's data (policy.allowSharedClaims)`,
          hint: hintFor(m),
        }),
      );
      continue;
    }
    problems.push(warning({ ...where, code: "KF3024", message: `${subject}, ${shown}${allowed ? " (allowed by policy.allowSharedClaims)" : ""}: fork pods share the baseline's data`, hint: hintFor(m) }));
  }
  return problems;
}

/** The index of the last patch whose path touches the volumes, or -1. */
function lastTouchingVolumes(patches: readonly { path: string }[]): number {
  for (let i = patches.length - 1; i >= 0; i--) if (touchesVolumes(patches[i]!.path)) return i;
  return -1;
}

/** The fork file's field to point at: patch `k` (the last that set the volumes), or the workload entry when k < 0. */
function locate(fp: ForkPlan, wp: WorkloadPlan, k: number): { file: string; line: number; column: number; path: string; object: string; ref: ObjectRef } {
  const entry: PathSegment[] = ["spec", "workloads", wp.entryIndex];
  const path: PathSegment[] = k >= 0 ? [...entry, "patches", k] : [...entry, "name"];
  const pos = fp.loaded.doc.locate(path);
  return { file: fp.file, line: pos.line, column: pos.column, path: formatPath(path), object: `${wp.kind} ${wp.namespace}/${wp.name}`, ref: workloadRef(wp) };
}

function touchesVolumes(pointer: string): boolean {
  const vols = "/spec/template/spec/volumes";
  return pointer === vols || pointer.startsWith(`${vols}/`) || vols.startsWith(`${pointer}/`) || pointer === "";
}

function hintFor(m: ClaimMount): string {
  return (
    `give the copy a volume of its own with a patch on /spec/template/spec/volumes/${m.index} (e.g. {op: replace, path: /spec/template/spec/volumes/${m.index}, value: {name: ${m.volume}, emptyDir: {}}}, ` +
    `with /spec/template/spec/volumes in spec.policy.allowPatchPaths), ` +
    `or, if the fork may share the baseline's data, list ${m.claim} in spec.policy.allowSharedClaims of kubefork.yaml`
  );
}
