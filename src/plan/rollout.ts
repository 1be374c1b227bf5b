// Argo Rollouts (argoproj.io/v1alpha1 Rollout): a fork of a Rollout is a plain apps/v1 Deployment
// built from the Rollout's pod template, or from its workloadRef target (a Deployment, ReplicaSet or
// PodTemplate of the base). A fork needs no canary machinery: one version, a few replicas.
// The Services the Rollout's strategy names (canary/stable, active/preview) are the Rollout's
// Services even when their Git selector would not show it.
import { refOf, type Manifest } from "../model/inputs.ts";
import { asRecord, clone, describe, type KObject } from "../model/k8s.ts";
import { error, type ObjectRef, type Problem } from "../problems.ts";
import type { BaseIndex } from "./base-index.ts";

export const ROLLOUT_KEY = "argoproj.io/Rollout";

/** The BaseIndex key of a fork entry's `kind`: `Rollout` is a CRD, indexed by group. */
export function indexKindOf(kind: string): string {
  return kind === "Rollout" ? ROLLOUT_KEY : kind;
}

/** Deployment spec fields a Rollout shares with a Deployment and that carry over to the fork. */
const KEPT = ["minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"] as const;

/**
 * The Deployment a forked Rollout is copied from (before any fork change): the Rollout's metadata,
 * its selector, and its pod template (inline or the workloadRef target's).
 */
export function rolloutSource(index: BaseIndex, m: Manifest): { source?: KObject; problem?: Problem } {
  const o = m.object;
  const spec = asRecord(o.spec) ?? {};
  const inline = asRecord(spec.template);
  const found = inline ? { template: inline } : workloadRefTemplate(index, m, spec);
  if ("problem" in found) return { problem: found.problem };
  return { source: deploymentOf(o, spec, found.template) };
}

type At = (path: (string | number)[]) => { file: string; line?: number; column?: number; object: string; ref: ObjectRef };

/** Positions a field of the Rollout `m` (inside a List item when it is one). */
function rolloutAt(index: BaseIndex, m: Manifest): At {
  return (path) => {
    const full = m.item === undefined ? path : ["items", m.item, ...path];
    const p = m.doc.locate(full);
    return { file: m.doc.file, line: p.line, column: p.column, object: describe(m.object, index.nsOf(m.object)), ref: refOf(m, index.nsOf(m.object)) };
  };
}

/** The pod template of the base object the Rollout's spec.workloadRef names, or why there is none. */
function workloadRefTemplate(index: BaseIndex, m: Manifest, spec: Record<string, unknown>): { template: Record<string, unknown> } | { problem: Problem } {
  const o = m.object;
  const ns = index.nsOf(o);
  const at = rolloutAt(index, m);
  const ref = asRecord(spec.workloadRef);
  if (!ref) {
    return {
      problem: error({
        ...at(["spec"]),
        code: "KF4010",
        path: "spec",
        message: "the Rollout has neither spec.template nor spec.workloadRef, so there is no pod template to fork",
        hint: "give the Rollout a spec.template, or a spec.workloadRef {apiVersion: apps/v1, kind: Deployment, name: <deployment>} naming a Deployment of the base",
      }),
    };
  }
  const kind = typeof ref.kind === "string" ? ref.kind : "";
  const name = typeof ref.name === "string" ? ref.name : "";
  if (!["Deployment", "ReplicaSet", "PodTemplate"].includes(kind)) {
    return {
      problem: error({
        ...at(["spec", "workloadRef", "kind"]),
        code: "KF4011",
        path: "spec.workloadRef.kind",
        message: `workloadRef kind '${kind}' is not one Argo Rollouts supports`,
        hint: "use kind: Deployment, ReplicaSet or PodTemplate",
      }),
    };
  }
  const target = index.ofKind(kind).find((t) => t.object.metadata.name === name && index.nsOf(t.object) === ns);
  if (!target) {
    return {
      problem: error({
        ...at(["spec", "workloadRef", "name"]),
        code: "KF4012",
        path: "spec.workloadRef.name",
        message: `the workloadRef names ${kind} ${ns}/${name}, which is not in the base`,
        hint: `add the ${kind} to the base manifests (kubefork reads the pod template from it), or give the Rollout an inline spec.template`,
      }),
    };
  }
  const template = kind === "PodTemplate" ? asRecord(target.object.template) : asRecord(asRecord(target.object.spec)?.template);
  if (template) return { template };
  return {
    problem: error({
      file: target.doc.file,
      line: target.doc.line,
      code: "KF4013",
      object: describe(target.object, ns),
      ref: refOf(target, ns),
      message: `the workloadRef target of Rollout ${ns}/${o.metadata.name} has no pod template`,
      hint: "give it a template",
    }),
  };
}

/** The apps/v1 Deployment with the Rollout's metadata, replicas, selector, the KEPT fields and this pod template. */
function deploymentOf(o: KObject, spec: Record<string, unknown>, template: Record<string, unknown>): KObject {
  const dspec: Record<string, unknown> = {};
  if (spec.replicas !== undefined) dspec.replicas = spec.replicas;
  if (spec.selector !== undefined) dspec.selector = clone(spec.selector);
  dspec.template = clone(template);
  for (const k of KEPT) if (spec[k] !== undefined) dspec[k] = clone(spec[k]);
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: clone(o.metadata), spec: dspec };
}

/** Names of the Services a Rollout's strategy names (canary/stable, blue-green active/preview). */
export function rolloutServiceNames(o: KObject): string[] {
  const strategy = asRecord(asRecord(o.spec)?.strategy) ?? {};
  const canary = asRecord(strategy.canary) ?? {};
  const blueGreen = asRecord(strategy.blueGreen) ?? {};
  const names = [canary.stableService, canary.canaryService, blueGreen.activeService, blueGreen.previewService];
  return [...new Set(names.filter((n): n is string => typeof n === "string" && n !== ""))];
}

/** Base Services a Rollout's strategy names, in the Rollout's namespace. */
export function rolloutServices(index: BaseIndex, m: Manifest): Manifest[] {
  const ns = index.nsOf(m.object);
  const names = rolloutServiceNames(m.object);
  return index.servicesIn(ns).filter((s) => names.includes(s.object.metadata.name));
}
