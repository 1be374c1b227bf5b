// What every generator receives and returns.
import type { Manifest } from "../model/inputs.ts";
import type { SourceDoc } from "../model/source.ts";
import type { ForkManager } from "../model/manager.ts";
import type { KObject } from "../model/k8s.ts";
import type { Scope } from "../model/patch-scope.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import type { ForkPlan, Plan, WorkloadPlan } from "../plan/plan.ts";
import type { RoutingPlan } from "../plan/routing.ts";
import type { Problem } from "../problems.ts";

export interface GenContext {
  manager: ForkManager;
  index: BaseIndex;
  plan: Plan;
  /** Which mesh flavour routes each forked host (src/plan/routing.ts). */
  routing: RoutingPlan;
  /**
   * Given each patch step of a copy as it is applied (so that no step is kept): the render passes
   * the policy's judge here. Without it, the copy records its steps.
   */
  observePatches?: (fp: ForkPlan, wp: WorkloadPlan, unpatched: KObject) => PatchObserver;
  /** Where kubefork.yaml came from, to point problems at its lines (absent in unit tests). */
  managerSource?: { file: string; doc?: SourceDoc };
}

/** An object of the output, with the partition it belongs to: one fork's, or the shared part. */
export interface OutputObject {
  object: KObject;
  /** The fork identifier this object belongs to alone, or null for the shared part. */
  fork: string | null;
}

/** What one patch operation changed: its scopes (src/model/patch-scope.ts) with their values before and after it. */
export interface PatchStep {
  scopes: Scope[];
  before: unknown[];
  after: unknown[];
}

/** Watches a copy's patches being applied, one step at a time (the policy's judge: src/policy/copies.ts). */
export interface PatchObserver {
  step(k: number, step: PatchStep): void;
}

/** A forked workload's copy as generated, with what the policy judges it by (src/policy/copies.ts). */
export interface WorkloadCopy {
  fork: ForkPlan;
  workload: WorkloadPlan;
  /** The copy after every change (what is emitted). */
  object: KObject;
  /** The copy as kubefork makes it from the fork file's other fields, before the patches. */
  unpatched: KObject;
  /** One step per patch operation applied, in order; empty when an observer was given them instead. */
  steps: PatchStep[];
}

export interface GenResult {
  /** New objects. */
  objects: OutputObject[];
  /** Base objects to print changed (extended routing), keyed by the base manifest. */
  replace: Map<Manifest, KObject>;
  problems: Problem[];
  /** Workload copies with their patch traces (the workload generator only). */
  copies?: WorkloadCopy[];
}

export type Generator = (ctx: GenContext) => GenResult;

export function emptyResult(): GenResult {
  return { objects: [], replace: new Map(), problems: [] };
}
