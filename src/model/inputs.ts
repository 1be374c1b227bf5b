// The typed inputs of a render, as src/load/app.ts gives them: the ForkManager, the base
// manifests and the forks, each with the document it came from. Every later step (plan/,
// generate/, policy/, review/) reads these, so they live here, below all of them.
import type { CompatSource } from "./compat-fork.ts";
import type { Fork } from "./fork.ts";
import { objectRef, type KObject } from "./k8s.ts";
import type { ObjectRef } from "../problems.ts";
import type { ForkManager } from "./manager.ts";
import type { SourceDoc } from "./source.ts";

/** A base object and the document it came from. */
export interface Manifest {
  object: KObject;
  doc: SourceDoc;
  /** Index inside a `kind: List` document, when it came from one. */
  item?: number;
}

/**
 * A problem's structured reference to a base manifest: its identity (`ns`: the namespace it takes
 * effect in, for a namespaced object that names none) and where it stands in the input.
 */
export function refOf(m: Manifest, ns?: string): ObjectRef {
  return { ...objectRef(m.object, ns), file: m.doc.file, index: m.doc.index, line: m.doc.line };
}

export interface LoadedFork {
  id: string;
  file: string;
  fork: Fork;
  doc: SourceDoc;
  /** Set for an original kubefork Fork (src/load/compat.ts): its workloads come from the base (src/plan/compat.ts). */
  compat?: CompatSource;
}

export interface LoadedManager {
  manager: ForkManager;
  file: string;
  doc?: SourceDoc;
}
