// Status ConfigMaps: what a render has to say, where Argo CD users see it. Argo CD shows a plugin's
// stderr only when it fails (argo-cd cmpserver/plugin/plugin.go logs it on success), so the notes
// and warnings of a successful render would be invisible; these objects carry them into the
// resource tree and `kubectl get configmaps -l app.kubernetes.io/managed-by=kubefork`.
//
// - Each fork's partition holds `kubefork-<id>.status`: state, expiry, workloads, images, URLs,
//   and every problem whose file is the fork's file. An expired fork's one object is its status.
// - The shared part holds `kubefork.status` only when there is something to report: forks the
//   shared render left out and why, and problems that concern no fork with a status of its own.
//   With no fork and no problem there is none, and the output is the base (invariant 1).
//
// The names cannot be a fork copy's: a copy is `<name>-<id>` or `<cut>-<8 hex>`, so the text after
// its last `-` is an identifier or a hash, never with a dot; here it always holds `.status`
// (`kubefork.status` has no `-` at all). A base ConfigMap of the same name is an error.
// The data is small and deterministic: no time of now, problems sorted and capped.
import type { Fork } from "../model/fork.ts";
import type { KObject } from "../model/k8s.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import { EXPIRES_ANNOTATION, FORK_FILE_ANNOTATION, FORK_LABEL, MANAGED_BY, MANAGED_BY_VALUE, OWNER_ANNOTATION } from "../plan/labels.ts";
import type { Plan } from "../plan/plan.ts";
import { error, formatProblemWithoutCode, sortProblems, type Problem } from "../problems.ts";
import { forkUrls } from "./ingress-common.ts";
import { takenRef } from "./meta.ts";
import type { OutputObject } from "./types.ts";

export const SHARED_STATUS_NAME = "kubefork.status";
/** At most this many problems in one status object (a ConfigMap holds at most 1 MiB). */
export const MAX_STATUS_PROBLEMS = 50;

export function statusName(id: string): string {
  return `kubefork-${id}.status`;
}

export interface StatusInput {
  plan: Plan;
  /** Every problem of the render so far. */
  problems: readonly Problem[];
  /** Every fork file of the app, loaded or not. */
  forkFiles: readonly string[];
  index: BaseIndex;
  defaultNamespace: string;
}

/** Images the fork sets (workload shorthand and per container), in file order, once each. */
export function forkImages(fork: Fork): string[] {
  const out: string[] = [];
  for (const w of fork.spec.workloads) {
    if (w.image !== undefined) out.push(w.image);
    for (const c of w.containers ?? []) if (c.image !== undefined) out.push(c.image);
  }
  return [...new Set(out)];
}

export function generateStatus(input: StatusInput): { objects: OutputObject[]; problems: Problem[] } {
  const objects: OutputObject[] = [];
  const own = new Set<string>();
  for (const fp of input.plan.forks) {
    own.add(fp.file);
    const workloads = fp.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name} -> ${w.copyName} (replicas ${w.entry.replicas})`);
    objects.push(forkStatus(input, fp.loaded.fork, fp.id, fp.file, "live", workloads));
  }
  for (const { fork } of input.plan.expired) {
    own.add(fork.file);
    const workloads = fork.fork.spec.workloads.map((w) => `${w.kind} ${w.namespace ? `${w.namespace}/` : ""}${w.name} (not rendered)`);
    objects.push(forkStatus(input, fork.fork, fork.id, fork.file, "expired", workloads));
  }
  const leftOut = input.forkFiles.filter((f) => !own.has(f)).sort();
  const rest = input.problems.filter((p) => p.file === undefined || !own.has(p.file));
  if (leftOut.length > 0 || rest.length > 0) {
    const data: Record<string, string> = {};
    if (leftOut.length) data["left-out"] = lines(leftOut);
    if (rest.length) data.problems = problemText(rest);
    if (leftOut.length) data.hint = "a fork left out of the shared render keeps what it runs; fix its file (kubefork validate lists every problem)";
    objects.push({ object: configMap(SHARED_STATUS_NAME, { [MANAGED_BY]: MANAGED_BY_VALUE }, undefined, data), fork: null });
  }
  const problems: Problem[] = [];
  for (const o of objects) {
    const name = o.object.metadata.name;
    const taken = takenRef(input.index, "ConfigMap", input.defaultNamespace, name);
    if (taken) problems.push(error({ code: "KF5001", object: `ConfigMap ${input.defaultNamespace}/${name}`, ref: taken, message: `the base has a ConfigMap named ${name}, the name of kubefork's status object`, hint: "rename the base ConfigMap: kubefork.status and kubefork-<id>.status are kubefork's" }));
  }
  return { objects, problems };
}

function forkStatus(input: StatusInput, fork: Fork, id: string, file: string, state: "live" | "expired", workloads: string[]): OutputObject {
  const spec = fork.spec;
  const data: Record<string, string> = { state, "fork-file": file, expires: spec.expires ?? "never" };
  if (spec.owner) data.owner = spec.owner;
  data.workloads = lines(workloads);
  const images = forkImages(fork);
  if (images.length) data.images = lines(images);
  const urls = forkUrls(input.plan.ingress, id);
  if (urls.length) data.urls = lines(urls);
  const mine = input.problems.filter((p) => p.file === file);
  if (mine.length) data.problems = problemText(mine);
  if (state === "expired") data.hint = `the fork expired; remove ${file} (kubefork gc does it), or extend spec.expires`;
  const annotations: Record<string, string> = { [FORK_FILE_ANNOTATION]: file };
  if (spec.owner) annotations[OWNER_ANNOTATION] = spec.owner;
  if (spec.expires) annotations[EXPIRES_ANNOTATION] = spec.expires;
  return { object: configMap(statusName(id), { [MANAGED_BY]: MANAGED_BY_VALUE, [FORK_LABEL]: id }, annotations, data), fork: id };
}

function configMap(name: string, labels: Record<string, string>, annotations: Record<string, string> | undefined, data: Record<string, string>): KObject {
  const metadata: KObject["metadata"] = { name, labels };
  if (annotations) metadata.annotations = annotations;
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data };
}

function lines(items: readonly string[]): string {
  return items.map((i) => `${i}\n`).join("");
}

/** Problems as `kubefork validate` prints them, sorted, at most MAX_STATUS_PROBLEMS. */
function problemText(problems: readonly Problem[]): string {
  const sorted = [...new Set(sortProblems(problems).map(({ stack: _stack, ...p }) => formatProblemWithoutCode(p)))];
  const shown = sorted.slice(0, MAX_STATUS_PROBLEMS);
  if (sorted.length > shown.length) shown.push(`... and ${sorted.length - shown.length} more (kubefork validate lists them all)`);
  return lines(shown);
}
