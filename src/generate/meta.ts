// Metadata of generated objects: what kubefork made, for which fork, from which file (invariant 7).
import { refOf } from "../model/inputs.ts";
import { objectRef, type KMetadata } from "../model/k8s.ts";
import type { ObjectRef } from "../problems.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import type { ForkPlan } from "../plan/plan.ts";
import {
  COPIED_FROM_ANNOTATION,
  EXPIRES_ANNOTATION,
  FORK_FILE_ANNOTATION,
  FORK_LABEL,
  FORKS_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_VALUE,
  OWNER_ANNOTATION,
} from "../plan/labels.ts";

/** Annotations that describe one live object and must not be copied onto another. */
const NOT_COPIED = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  "deployment.kubernetes.io/revision",
  "argocd.argoproj.io/tracking-id",
  "argocd.argoproj.io/installation-id",
]);

/**
 * Metadata for an object that belongs to one fork: the base object's labels and annotations
 * (minus per-object bookkeeping), kubefork's labels, and annotations naming the fork file.
 */
export function forkMetadata(base: KMetadata | undefined, fp: ForkPlan, name: string, copiedFrom?: string): KMetadata {
  const md: KMetadata = { name };
  if (base?.namespace !== undefined) md.namespace = base.namespace;
  md.labels = { ...(base?.labels ?? {}), [MANAGED_BY]: MANAGED_BY_VALUE, [FORK_LABEL]: fp.id };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(base?.annotations ?? {})) if (!NOT_COPIED.has(k)) annotations[k] = v;
  annotations[FORK_FILE_ANNOTATION] = fp.file;
  const spec = fp.loaded.fork.spec;
  if (spec.owner) annotations[OWNER_ANNOTATION] = spec.owner;
  if (spec.expires) annotations[EXPIRES_ANNOTATION] = spec.expires;
  if (copiedFrom) annotations[COPIED_FROM_ANNOTATION] = copiedFrom;
  md.annotations = annotations;
  return md;
}

/** Metadata for a routing object shared by several forks: managed by kubefork, no fork label. */
export function sharedMetadata(name: string, namespace: string | undefined, forks: readonly string[]): KMetadata {
  const md: KMetadata = { name };
  if (namespace !== undefined) md.namespace = namespace;
  md.labels = { [MANAGED_BY]: MANAGED_BY_VALUE };
  md.annotations = { [FORKS_ANNOTATION]: forks.join(",") };
  return md;
}

/** A problem's reference to a base manifest or an object: one helper each, in model/ so that plan/ and policy/ use them too. */
export { objectRef, refOf };

/** The reference to the base object of this kind (`group/Kind` key), namespace and name: the one that takes a name kubefork needs. */
export function takenRef(index: BaseIndex, kind: string, ns: string, name: string): ObjectRef | undefined {
  const m = index.named(kind, name).find((x) => index.nsOf(x.object) === ns);
  return m ? refOf(m, ns) : undefined;
}
