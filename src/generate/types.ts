// What every generator receives and returns.
import type { Manifest } from "../model/inputs.ts";
import type { SourceDoc } from "../model/source.ts";
import type { ForkManager } from "../model/manager.ts";
import type { KObject } from "../model/k8s.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import type { Plan } from "../plan/plan.ts";
import type { RoutingPlan } from "../plan/routing.ts";
import type { Problem } from "../problems.ts";

export interface GenContext {
  manager: ForkManager;
  index: BaseIndex;
  plan: Plan;
  /** Which mesh flavour routes each forked host (src/plan/routing.ts). */
  routing: RoutingPlan;
  /** Where kubefork.yaml came from, to point problems at its lines (absent in unit tests). */
  managerSource?: { file: string; doc?: SourceDoc };
}

/** An object of the output, with the partition it belongs to: one fork's, or the shared part. */
export interface OutputObject {
  object: KObject;
  /** The fork identifier this object belongs to alone, or null for the shared part. */
  fork: string | null;
}

export interface GenResult {
  /** New objects. */
  objects: OutputObject[];
  /** Base objects to print changed (extended routing), keyed by the base manifest. */
  replace: Map<Manifest, KObject>;
  problems: Problem[];
}

export type Generator = (ctx: GenContext) => GenResult;

export function emptyResult(): GenResult {
  return { objects: [], replace: new Map(), problems: [] };
}
