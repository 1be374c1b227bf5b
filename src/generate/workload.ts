// Workload copy: `<W>-<id>` with the fork's replicas, images, env, args, command and patches, and
// pod labels that no base Service or workload selects (invariant 2).
import jsonpatch from "fast-json-patch";
import type { EnvVar } from "../model/common.ts";
import type { PatchOp } from "../model/fork.ts";
import { asRecord, clone, type KObject, type Labels } from "../model/k8s.ts";
import { podTemplateOf, type BaseIndex } from "../plan/base-index.ts";
import { selects } from "../plan/labels.ts";
import type { ForkPlan, WorkloadPlan } from "../plan/plan.ts";
import { error, formatPath, type ObjectRef, type PathSegment, type Problem, type ProblemCode } from "../problems.ts";
import { applyForkedConfig } from "./configmap.ts";
import { forkMetadata, refOf } from "./meta.ts";
import { adjustStatefulSet } from "./statefulset.ts";
import { emptyResult, type GenContext, type GenResult, type PatchObserver, type PatchStep, type WorkloadCopy } from "./types.ts";
import { operationScopes, snapshot } from "../model/patch-scope.ts";

interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
  args?: string[];
  command?: string[];
  [k: string]: unknown;
}

/** Copies every forked workload of every fork. */
export function generateWorkloads(ctx: GenContext): GenResult {
  const out = emptyResult();
  out.copies = [];
  for (const fp of ctx.plan.forks) {
    for (const wp of fp.workloads) {
      const r = copyWorkload(wp, fp, ctx.index, ctx.manager.spec.identifierEnv, ctx.observePatches);
      out.problems.push(...r.problems);
      if (!r.copy) continue;
      out.objects.push({ object: r.copy.object, fork: fp.id });
      out.copies.push(r.copy);
    }
  }
  return out;
}

/** Where a problem of a workload entry stands: `rel` below the entry, in the fork file. */
type Locate = (rel: PathSegment[]) => { file: string; line: number; column: number; path: string; ref: ObjectRef };

/**
 * The copy of one forked workload: the base object under the copy's name and pod labels
 * (draftCopy), the fork file's images, env, args and command (applyForkFields), forked ConfigMaps
 * and Secrets, a StatefulSet's own Service and volumes, then the patches (patchCopy), and last the
 * checks that the copy stays apart from the baseline (checkIsolation).
 */
export function copyWorkload(
  wp: WorkloadPlan,
  fp: ForkPlan,
  index: BaseIndex,
  identifierEnv: string,
  observePatches?: GenContext["observePatches"],
): { copy?: WorkloadCopy; problems: Problem[] } {
  const at = locator(wp, fp);
  const draft = draftCopy(wp, fp);
  const problems = applyForkFields(draft, wp, fp, identifierEnv, at);
  // forked ConfigMaps and redirected Secrets (src/generate/configmap.ts)
  applyForkedConfig(draft.template, wp, fp);
  // StatefulSets: own governing Service, fresh volumes (warnings only, reported with the copy)
  const stsWarnings = wp.base.object.kind === "StatefulSet" ? adjustStatefulSet(draft.spec, wp, fp) : [];
  const patched = patchCopy(draft.object, wp, fp, at, observePatches);
  if (patched.failed) problems.push(patched.failed);
  if (problems.length) return { problems };
  if (!patched.object) {
    const last = (wp.entry.patches ?? []).length - 1;
    return { problems: [error({ ...at(["patches", last]), code: "KF5104", message: "the patches leave no object (an operation on the path \"\" removed or replaced the whole copy)", hint: "patch fields of the copy, never the document itself" })] };
  }
  problems.push(...checkIsolation(patched.object, wp, fp, index, wp.entry.patches ?? [], at));
  if (problems.length) return { problems };
  return { copy: { fork: fp, workload: wp, object: patched.object, unpatched: patched.unpatched, steps: patched.steps }, problems: stsWarnings };
}

function locator(wp: WorkloadPlan, fp: ForkPlan): Locate {
  const entryPath: PathSegment[] = ["spec", "workloads", wp.entryIndex];
  return (rel) => {
    const path = [...entryPath, ...rel];
    const pos = fp.loaded.doc.locate(path);
    return { file: fp.file, line: pos.line, column: pos.column, path: formatPath(path), ref: workloadRef(wp) };
  };
}

/** The base workload a copy is made of, as problems name it. */
export function workloadRef(wp: WorkloadPlan): ObjectRef {
  return refOf(wp.base, wp.namespace);
}

/** The parts of a copy the fork file's fields change. */
interface Draft {
  object: KObject;
  spec: Record<string, unknown>;
  template: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
  containers: Container[];
  /** Init containers, then containers. */
  all: Container[];
}

/** The base object (or the Deployment made of a Rollout) as the copy: its name and metadata, replicas, selector and pod labels. */
function draftCopy(wp: WorkloadPlan, fp: ForkPlan): Draft {
  const base = wp.base.object;
  const object = clone(wp.source ?? base);
  delete (object as Record<string, unknown>).status;
  object.metadata = forkMetadata(base.metadata, fp, wp.copyName, `${base.kind}/${base.metadata.name}`);
  const spec = (asRecord(object.spec) ?? {}) as Record<string, unknown>;
  object.spec = spec;
  spec.replicas = wp.entry.replicas;
  spec.selector = { matchLabels: { ...wp.selector } };
  const template = (asRecord(spec.template) ?? {}) as Draft["template"];
  spec.template = template;
  template.metadata = { ...(template.metadata ?? {}), labels: { ...wp.podLabels } };
  const pod = (template.spec ??= {});
  const containers = (Array.isArray(pod.containers) ? pod.containers : []) as Container[];
  const initContainers = (Array.isArray(pod.initContainers) ? pod.initContainers : []) as Container[];
  return { object, spec, template, containers, all: [...initContainers, ...containers] };
}

/** The fork file's image, env, and per-container image, env, args and command; the fork identifier env last. */
function applyForkFields(draft: Draft, wp: WorkloadPlan, fp: ForkPlan, identifierEnv: string, at: Locate): Problem[] {
  const { containers, all } = draft;
  const problems: Problem[] = [];
  const base = wp.base.object;
  // image shorthand: only when the pod has one container
  if (wp.entry.image !== undefined) {
    if (containers.length !== 1) {
      problems.push(
        error({
          ...at(["image"]),
          code: "KF5100",
          message: `image is ambiguous: ${base.kind} ${wp.namespace}/${wp.name} has ${containers.length} containers (${containers.map((c) => c.name).join(", ")})`,
          hint: `name the container: containers: [{name: ${containers[0]?.name ?? "<container>"}, image: ${wp.entry.image}}]`,
        }),
      );
    } else containers[0]!.image = wp.entry.image;
  }
  // env applies to every container (init containers too), fork-wide first, then this workload's
  const sharedEnv = [...(fp.loaded.fork.spec.env ?? []), ...(wp.entry.env ?? [])];
  for (const c of all) if (sharedEnv.length) c.env = mergeEnv(c.env, sharedEnv);
  problems.push(...applyContainerOverrides(draft, wp, at));
  // the identifier, last, so nothing overrides it
  for (const c of all) c.env = mergeEnv(c.env, [{ name: identifierEnv, value: fp.id }]);
  return problems;
}

/** Per-container overrides, by name. */
function applyContainerOverrides({ containers, all }: Draft, wp: WorkloadPlan, at: Locate): Problem[] {
  const problems: Problem[] = [];
  const base = wp.base.object;
  (wp.entry.containers ?? []).forEach((o, j) => {
    const c = all.find((x) => x.name === o.name);
    if (!c) {
      problems.push(
        error({
          ...at(["containers", j, "name"]),
          code: "KF5101",
          message: `no container '${o.name}' in ${base.kind} ${wp.namespace}/${wp.name}`,
          hint: `containers are: ${all.map((x) => x.name).join(", ")}`,
        }),
      );
      return;
    }
    if (o.image !== undefined) {
      if (wp.entry.image !== undefined && containers.length === 1 && c === containers[0]) {
        problems.push(error({ ...at(["containers", j, "image"]), code: "KF5102", message: "the image is given twice: here and in the workload's image", hint: "keep one of the two" }));
      }
      c.image = o.image;
    }
    if (o.env) c.env = mergeEnv(c.env, o.env);
    if (o.args) c.args = [...o.args];
    if (o.command) c.command = [...o.command];
  });
  return problems;
}

/**
 * RFC 6902 patches on the copy, one operation at a time so a failure names its index; the copy
 * before them is kept for the policy (and given to the observer), and the object they leave, if
 * it is one.
 */
function patchCopy(
  object: KObject,
  wp: WorkloadPlan,
  fp: ForkPlan,
  at: Locate,
  observePatches: GenContext["observePatches"] | undefined,
): { object?: KObject; unpatched: KObject; steps: PatchStep[]; failed?: Problem } {
  const patches = wp.entry.patches ?? [];
  const unpatched = patches.length ? clone(object) : object;
  const observer = patches.length ? observePatches?.(fp, wp, unpatched) : undefined;
  const applied = applyPatches(object, patches, observer);
  const result = { object: asRecord(applied.object) ? applied.object : undefined, unpatched, steps: applied.steps };
  if (!applied.failed) return result;
  const { k, error: e } = applied.failed;
  const op = patches[k]!;
  const kind = wp.base.object.kind;
  return {
    ...result,
    failed: error({
      ...at(["patches", k]),
      code: "KF5103",
      message: `patch operation ${k} (${op.op} ${op.path}) failed: ${patchMessage(e)}`,
      hint: `the patch applies to the copied ${kind} as rendered (see kubefork render --fork ${fp.id}); check that ${op.path} exists${op.op === "add" ? " up to its parent" : ""}`,
    }),
  };
}

/**
 * Applies RFC 6902 operations in place, one at a time, snapshotting the scopes each may change
 * (src/model/patch-scope.ts) before and after it, for the policy to judge each operation by: given
 * to `observer` as they are taken (so memory stays bounded by one step), or recorded. Stops at the
 * first operation that fails.
 */
export function applyPatches(doc: KObject, patches: readonly PatchOp[], observer?: PatchObserver): { object: KObject; steps: PatchStep[]; failed?: { k: number; error: unknown } } {
  let patched = doc;
  const steps: PatchStep[] = [];
  for (let k = 0; k < patches.length; k++) {
    const op = patches[k]!;
    const scopes = operationScopes(op, patched);
    const before = scopes.map((s) => snapshot(patched, s, "before"));
    // RFC 6902 4.4: "The from location MUST NOT be a proper prefix of the path location" (a
    // location moved into its own child would hold itself).
    if (op.op === "move" && op.from !== undefined && op.path.startsWith(`${op.from}/`)) return { object: patched, steps, failed: { k, error: { name: "MOVE_INTO_CHILD" } } };
    try {
      // A copy of the operation: `add` inserts its value by reference, and a later `move` or
      // `remove` would otherwise change the fork file's parsed value (and every later use of it).
      patched = jsonpatch.applyOperation(patched, clone(op) as jsonpatch.Operation, true, true, true, k).newDocument as KObject;
    } catch (e) {
      return { object: patched, steps, failed: { k, error: e } };
    }
    const step: PatchStep = { scopes, before, after: scopes.map((s) => snapshot(patched, s, "after")) };
    if (observer) observer.step(k, step);
    else steps.push(step);
  }
  return { object: patched, steps };
}

/** After patches: name, namespace and selector unchanged, pods still matched by it, selected by no base selector. */
function checkIsolation(
  o: KObject,
  wp: WorkloadPlan,
  fp: ForkPlan,
  index: BaseIndex,
  patches: readonly PatchOp[],
  at: Locate,
): Problem[] {
  if (patches.length === 0) return [];
  const problems: Problem[] = [];
  // Located only for a problem: the first position asked of a fork file parses it for positions.
  const fail = (code: ProblemCode, message: string, hint: string) => problems.push(error({ ...at(["patches"]), code, message, hint }));
  const from = wp.source ?? wp.base.object;
  if (o.apiVersion !== from.apiVersion || o.kind !== from.kind)
    fail("KF5105", "patches must not change apiVersion or kind", `the copy is a ${from.kind}; patches apply to it only (kubefork never writes Secrets or other objects from a fork file)`);
  if (o.metadata?.name !== wp.copyName || o.metadata.namespace !== wp.base.object.metadata.namespace)
    fail("KF5106", "patches must not change metadata.name or metadata.namespace", "kubefork names the copy; remove that operation");
  const sel = asRecord(asRecord(o.spec)?.selector);
  if (JSON.stringify(sel) !== JSON.stringify({ matchLabels: wp.selector }))
    fail("KF5107", "patches must not change spec.selector", "kubefork sets the copy's selector to keep fork pods apart; remove that operation");
  const labels = (podTemplateOf(o)?.metadata?.labels ?? {}) as Labels;
  for (const [k, v] of Object.entries(wp.selector))
    if (labels[k] !== v) fail("KF5108", `patches removed the pod label ${k}`, "the copy's selector needs it; remove that operation");
  const selectedBy = index.selectorsIn(wp.namespace).filter((s) => selects(s, labels));
  if (selectedBy.length)
    fail(
      "KF5109",
      `after the patches, fork pods are selected by ${selectedBy.map((s) => s.owner).join(", ")}`,
      "a patch restored a label that base selectors use; the baseline would send traffic to fork pods. Remove that operation",
    );
  void fp;
  return problems;
}

/** Env merge: a variable of the same name is replaced where it stands; new ones are appended. */
export function mergeEnv(base: EnvVar[] | undefined, overrides: readonly EnvVar[]): EnvVar[] {
  const out = (base ?? []).map((e) => ({ ...e }));
  for (const o of overrides) {
    const i = out.findIndex((e) => e.name === o.name);
    const v = clone(o);
    if (i >= 0) out[i] = v;
    else out.push(v);
  }
  return out;
}

function patchMessage(e: unknown): string {
  const name = (e as { name?: string }).name;
  switch (name) {
    case "OPERATION_PATH_UNRESOLVABLE":
      return "the path does not exist";
    case "OPERATION_PATH_CANNOT_ADD":
      return "cannot add there: the parent does not exist";
    case "TEST_OPERATION_FAILED":
      return "the test operation did not match";
    case "OPERATION_FROM_UNRESOLVABLE":
      return "the from path does not exist";
    case "OPERATION_PATH_ILLEGAL_ARRAY_INDEX":
      return "illegal array index";
    case "MOVE_INTO_CHILD":
      return "a location cannot be moved into one of its own children (RFC 6902 section 4.4)";
    case "OPERATION_VALUE_OUT_OF_BOUNDS":
      return "array index out of bounds";
    default:
      // fast-json-patch refuses these keys so that no patch reaches an object's prototype.
      if (e instanceof TypeError && /__proto__|constructor\/prototype/.test(e.message))
        return "kubefork does not patch a key named __proto__, nor a path through constructor/prototype (they would reach an object's prototype); set that key in the base";
      return String((e as Error).message ?? e).split("\n")[0]!;
  }
}
