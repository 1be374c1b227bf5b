// Guard rails on what a fork's copies really are, not on what the fork file says: RFC 6902 patches
// are judged by the change they make to the copied workload (an `add` of a whole pod spec, a
// `move` or a `copy` are caught like a `replace` of the field), and the copy's final images,
// replicas and Secret references are checked against the base workload and the policy. The same
// for every workload kind: the copy of a Rollout is the Deployment kubefork makes of it.
//
// Deny by default, whether kubefork.yaml has a policy or not:
// - a patch may change only what src/policy/allowlist.ts allows, unless `policy.allowPatchPaths`
//   lists the field's JSON Pointer (or a prefix of it);
// - a copy may not reference a Secret its base workload does not reference (env secretKeyRef,
//   envFrom secretRef, secret and projected volumes, imagePullSecrets) unless
//   `policy.allowSecretRefs` names it;
// - with `policy.images`, every image of the copy that differs from the base's must match it,
//   however it was set; with `policy.maxReplicas`, so must the copy's replicas.
import jsonpatch from "fast-json-patch";
import type { ForkManager, Policy } from "../model/manager.ts";
import type { PatchOp } from "../model/fork.ts";
import { asRecord, clone, type KObject } from "../model/k8s.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import type { ForkPlan, Plan, WorkloadPlan } from "../plan/plan.ts";
import { copyWorkload } from "../generate/workload.ts";
import { error, formatPath, type PathSegment, type Problem } from "../problems.ts";
import { disallowedLeaves, type AllowContext } from "./allowlist.ts";
import { imageMatches, normalizeImage } from "./policy.ts";

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

export interface CopyCheckInput {
  manager: ForkManager;
  plan: Plan;
  index: BaseIndex;
  /** The generated copy of a forked workload (after patches), when it was generated. */
  copyOf(fp: ForkPlan, wp: WorkloadPlan): KObject | undefined;
}

export function checkCopies(input: CopyCheckInput): Problem[] {
  const policy: Policy = input.manager.spec.policy ?? {};
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const push = (p: Problem) => {
    const key = `${p.file}|${p.line}|${p.path}|${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  };
  for (const fp of input.plan.forks)
    for (const wp of fp.workloads) {
      const final = input.copyOf(fp, wp);
      if (final) checkWorkload(input, policy, fp, wp, final).forEach(push);
    }
  return problems;
}

function checkWorkload(input: CopyCheckInput, policy: Policy, fp: ForkPlan, wp: WorkloadPlan, final: KObject): Problem[] {
  const problems: Problem[] = [];
  const entryPath: PathSegment[] = ["spec", "workloads", wp.entryIndex];
  const violation = (path: PathSegment[], rule: string, message: string, hint: string) => {
    const pos = fp.loaded.doc.locate(path);
    problems.push(error({ kind: "policy", file: fp.file, line: pos.line, column: pos.column, path: formatPath(path), object: `${wp.kind} ${wp.namespace}/${wp.name}`, message: `${message} (policy.${rule})`, hint }));
  };
  const base = wp.base.object;
  const baseImages = imagesOf(base);
  const baseSecrets = secretsOf(base);
  const secretAllowed = (name: string) => baseSecrets.has(name) || (policy.allowSecretRefs ?? []).some((p) => globMatch(p, name));
  const imageAllowed = (key: string, image: string) => !policy.images || baseImages.get(key) === image || policy.images.some((p) => imageMatches(p, image));
  const imageHint = () => `images must match one of: ${(policy.images ?? []).join(", ")}`;
  const secretHint = (name: string) => `the base ${wp.kind} does not use Secret ${name}; reference only its Secrets, or list ${name} in policy.allowSecretRefs of kubefork.yaml`;
  const reportedImages = new Set<string>();
  const reportedSecrets = new Set<string>();

  // Secrets referenced by the fork file's env (fork-wide, per workload, per container).
  const spec = fp.loaded.fork.spec;
  const envLists: { path: PathSegment[]; env: readonly { valueFrom?: { secretKeyRef?: Record<string, unknown> } }[] | undefined }[] = [
    { path: ["spec", "env"], env: spec.env },
    { path: [...entryPath, "env"], env: wp.entry.env },
    ...(wp.entry.containers ?? []).map((c, j) => ({ path: [...entryPath, "containers", j, "env"], env: c.env })),
  ];
  for (const { path, env } of envLists)
    (env ?? []).forEach((e, j) => {
      const name = e.valueFrom?.secretKeyRef?.name;
      if (typeof name === "string" && !secretAllowed(name)) {
        reportedSecrets.add(name);
        violation([...path, j, "valueFrom", "secretKeyRef", "name"], "allowSecretRefs", `the fork references Secret ${name}, which the base ${wp.kind} does not`, secretHint(name));
      }
    });
  // Secrets a fork's spec.secretRefs points the copies at (read only when the copy uses them).
  const finalSecrets = secretsOf(final);
  (spec.secretRefs ?? []).forEach((r, j) => {
    if (finalSecrets.has(r.to) && !secretAllowed(r.to) && !reportedSecrets.has(r.to)) {
      reportedSecrets.add(r.to);
      violation(["spec", "secretRefs", j, "to"], "allowSecretRefs", `the fork points ${wp.kind} ${wp.name} at Secret ${r.to}, which the base ${wp.kind} does not use`, secretHint(r.to));
    }
  });
  // Images set by the fork file are checked by checkPolicy; remember them so they are reported once.
  const declared = new Set([wp.entry.image, ...(wp.entry.containers ?? []).map((c) => c.image)].filter((x): x is string => x !== undefined));
  for (const [key, image] of imagesOf(final)) if (declared.has(image)) reportedImages.add(`${key}|${image}`);

  // Patches, one operation at a time, judged by what each changes in the copy (src/policy/allowlist.ts)
  // against the copy as kubefork makes it from the fork file's other fields, which are all allowed.
  const allow: AllowContext = { readLabels: input.index.readLabels() };
  let reportedReplicas = wp.entry.replicas > (policy.maxReplicas ?? Infinity); // reported by checkPolicy
  const patches = wp.entry.patches ?? [];
  if (patches.length > 0) {
    const pre = copyWorkload({ ...wp, entry: { ...wp.entry, patches: undefined } }, fp, input.index, input.manager.spec.identifierEnv).object;
    if (pre) {
      let state: KObject = pre;
      let before = disallowedLeaves(pre, pre, allow);
      for (let k = 0; k < patches.length; k++) {
        const op = patches[k]!;
        let next: KObject;
        try {
          next = jsonpatch.applyOperation(clone(state), clone(op) as jsonpatch.Operation, true, true, true, k).newDocument as KObject;
        } catch {
          break; // the workload generator reports the failing operation
        }
        const opPath: PathSegment[] = [...entryPath, "patches", k];
        const what = `patch operation ${k} (${op.op} ${op.path}${op.from !== undefined ? ` from ${op.from}` : ""})`;
        const after = disallowedLeaves(pre, next, allow);
        const denied = [...after].filter(([key, leaf]) => before.get(key)?.value !== leaf.value && !pathAllowed(leaf.pointer, policy.allowPatchPaths ?? [])).map(([, leaf]) => leaf);
        if (denied.length > 0) {
          const rules = [...new Set(denied.map((c) => c.rule))];
          const shown = denied.slice(0, 5).map((c) => c.pointer);
          violation(
            opPath,
            "allowPatchPaths",
            `${what} changes restricted field${denied.length > 1 ? "s" : ""} (${rules.join(", ")}): ${shown.join(", ")}${denied.length > shown.length ? `, and ${denied.length - shown.length} more` : ""}`,
            `a fork may change only images, env, args, command, resources, replicas, and labels and annotations no base selector, mesh or security setting reads; if the platform team allows this, list ${shown[0]} in spec.policy.allowPatchPaths of kubefork.yaml`,
          );
        }
        const maxReplicas = policy.maxReplicas;
        const replicas = asRecord(next.spec)?.replicas;
        if (maxReplicas !== undefined && typeof replicas === "number" && replicas > maxReplicas && replicas !== asRecord(state.spec)?.replicas) {
          reportedReplicas = true;
          violation(opPath, "maxReplicas", `${what} sets replicas ${replicas}, which exceeds maxReplicas ${maxReplicas}`, `set replicas to at most ${maxReplicas}`);
        }
        before = after;
        const imagesBefore = imagesOf(state);
        for (const [key, image] of imagesOf(next)) {
          if (imagesBefore.get(key) === image || reportedImages.has(`${key}|${image}`) || imageAllowed(key, image)) continue;
          reportedImages.add(`${key}|${image}`);
          violation(opPath, "images", `${what} sets image ${image} on ${key}, which is not allowed${normalizeImage(image) !== image ? ` (it is ${normalizeImage(image)})` : ""}`, imageHint());
        }
        const had = secretsOf(state);
        for (const name of secretsOf(next)) {
          if (had.has(name) || reportedSecrets.has(name) || secretAllowed(name)) continue;
          reportedSecrets.add(name);
          violation(opPath, "allowSecretRefs", `${what} references Secret ${name}, which the base ${wp.kind} does not`, secretHint(name));
        }
        state = next;
      }
    }
  }

  // Whatever else: the final copy against the base.
  const finalReplicas = asRecord(final.spec)?.replicas;
  if (!reportedReplicas && policy.maxReplicas !== undefined && typeof finalReplicas === "number" && finalReplicas > policy.maxReplicas)
    violation([...entryPath, "replicas"], "maxReplicas", `the copy runs ${finalReplicas} replicas, which exceeds maxReplicas ${policy.maxReplicas}`, `set replicas to at most ${policy.maxReplicas}`);
  for (const [key, image] of imagesOf(final))
    if (!reportedImages.has(`${key}|${image}`) && !imageAllowed(key, image)) violation(entryPath, "images", `the copy runs image ${image} on ${key}, which is not allowed`, imageHint());
  for (const name of secretsOf(final))
    if (!reportedSecrets.has(name) && !secretAllowed(name)) violation(entryPath, "allowSecretRefs", `the copy references Secret ${name}, which the base ${wp.kind} does not`, secretHint(name));
  return problems;
}

// ---------------------------------------------------------------- allowPatchPaths

/**
 * Whether `policy.allowPatchPaths` allows a change at `pointer`: an entry allows its own path
 * and everything below it; a `*` in an entry matches within one segment (`/spec/template/spec/containers/*\/securityContext`).
 */
export function pathAllowed(pointer: string, allow: readonly string[]): boolean {
  const segs = pointer.split("/").slice(1);
  return allow.some((entry) => {
    const want = entry.replace(/\/+$/, "").split("/").slice(1);
    if (want.length > segs.length) return false;
    return want.every((w, i) => globMatch(w, segs[i]!, "[^/]*"));
  });
}

// ---------------------------------------------------------------- images and secrets

/** `containers:app` → image, for every container list of the pod template. */
export function imagesOf(o: KObject): Map<string, string> {
  const out = new Map<string, string>();
  const pod = asRecord(asRecord(asRecord(o.spec)?.template)?.spec);
  for (const list of CONTAINER_LISTS)
    (Array.isArray(pod?.[list]) ? (pod![list] as unknown[]) : []).forEach((cv, i) => {
      const c = asRecord(cv);
      if (typeof c?.image === "string") out.set(`${list === "containers" ? "container" : list.replace(/s$/, "")} ${typeof c.name === "string" ? c.name : `#${i}`}`, c.image);
    });
  return out;
}

/** Names of the Secrets a workload's pods reference. */
export function secretsOf(o: KObject): Set<string> {
  const out = new Set<string>();
  const pod = asRecord(asRecord(asRecord(o.spec)?.template)?.spec);
  if (!pod) return out;
  const add = (v: unknown) => {
    if (typeof v === "string") out.add(v);
  };
  for (const list of CONTAINER_LISTS)
    for (const cv of Array.isArray(pod[list]) ? (pod[list] as unknown[]) : []) {
      const c = asRecord(cv);
      for (const e of Array.isArray(c?.env) ? (c!.env as unknown[]) : []) add(asRecord(asRecord(asRecord(e)?.valueFrom)?.secretKeyRef)?.name);
      for (const e of Array.isArray(c?.envFrom) ? (c!.envFrom as unknown[]) : []) add(asRecord(asRecord(e)?.secretRef)?.name);
    }
  for (const vv of Array.isArray(pod.volumes) ? pod.volumes : []) {
    const v = asRecord(vv);
    add(asRecord(v?.secret)?.secretName);
    for (const src of Array.isArray(asRecord(v?.projected)?.sources) ? (asRecord(v?.projected)!.sources as unknown[]) : []) add(asRecord(asRecord(src)?.secret)?.name);
  }
  for (const s of Array.isArray(pod.imagePullSecrets) ? pod.imagePullSecrets : []) add(asRecord(s)?.name);
  return out;
}

// ---------------------------------------------------------------- helpers

/** A name glob: `*` any run of characters (`any` says which), `?` one. */
export function globMatch(pattern: string, s: string, any = ".*"): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, any).replace(/\?/g, ".")}$`).test(s);
}

export type { PatchOp };
