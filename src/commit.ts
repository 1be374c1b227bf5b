// Every partition of one commit from one pass, for the render cache (src/cli/render-cache.ts).
// Pure, like render.ts. Per-fork mode runs `render --fork <id>` once per fork plus `render
// --shared`; the first of them computes what all of them print.
//
// The shared render is one pass over the forks that are not broken (render.ts leaves broken
// forks out of it). A fork's own render (`--fork X`) is a pass over X alone, and X's objects
// depend on X alone (invariant 10: the partitions are disjoint and their union is the render).
// Its problems are its own file's, plus any problem the pass raises on a base file or
// kubefork.yaml because of X. Which fork caused such a problem is not recorded, so the fork
// partitions are derived only when every problem of the shared pass names a fork file: X's are
// then those naming X's file. Otherwise each fork renders itself (and is cached on its own).
// test/commit.test.ts checks every derived partition against the render from scratch.
import type { LoadedFork } from "./model/inputs.ts";
import { expiresAt } from "./model/expiry.ts";
import { parseDuration } from "./model/common.ts";
import type { ForkManager } from "./model/manager.ts";
import { forkIdFromPath } from "./util/fork-id.ts";
import { forkPartitions, render, type RenderInput, type RenderResult, type Scope } from "./render.ts";
import { hasErrors } from "./problems.ts";
import { partitionName, type PartitionName, type Window } from "./commit-key.ts";

export { inWindow, partitionName, type PartitionName, type Window } from "./commit-key.ts";

/**
 * The render changes with `now` only where a fork expires (expires <= now: expired) or where
 * policy.maxLifetime starts to hold (expires - maxLifetime <= now). Between two such instants
 * every render of the same inputs is the same, provided no message quotes `now` itself: the
 * maxLifetime errors do, so a render holding one is not cached (errors never are; a shared render
 * that left a fork out is not either, see renderCommit).
 */
export function validityWindow(manager: ForkManager, forks: readonly LoadedFork[], now: number): Window {
  const max = manager.spec.policy?.maxLifetime !== undefined ? parseDuration(manager.spec.policy.maxLifetime) : undefined;
  let from: number | null = null;
  let to: number | null = null;
  for (const f of forks) {
    const expires = expiresAt(f.fork);
    if (expires === undefined) continue;
    for (const t of max === undefined ? [expires] : [expires, expires - max]) {
      if (t <= now) from = from === null ? t : Math.max(from, t);
      else to = to === null ? t : Math.min(to, t);
    }
  }
  return { from, to };
}

/**
 * The shared partition and, when the shared pass allows it, every healthy fork's, as `render`
 * gives each. Successful partitions only: a missing one is rendered (and fails, or is not
 * derivable) on its own.
 */
export function renderCommit(input: RenderInput, opts: { now: number; defaultNamespace: string }): Map<PartitionName, RenderResult> {
  const partitions = new Map<PartitionName, RenderResult>();
  const shared = render(input, { ...opts, scope: { kind: "shared" } });
  if (hasErrors(shared.problems) || !shared.plan || !shared.assembled) return partitions;
  const plan = shared.plan;
  const inPass = [...plan.forks.map((f) => f.loaded), ...plan.expired.map((e) => e.fork)];
  const files = new Set(inPass.map((f) => f.file));
  const leftOut = input.forks.length !== inPass.length || (input.forkFiles ?? []).some((f) => !files.has(f));
  // A fork left out of the shared render is explained there in words that may quote `now`.
  if (!leftOut) partitions.set("shared", shared);
  if (!shared.problems.every((p) => p.file !== undefined && files.has(p.file))) return partitions;
  const ids = new Map<string, number>();
  for (const f of input.forks) ids.set(f.id, (ids.get(f.id) ?? 0) + 1);
  const byFork = forkPartitions(shared.assembled);
  for (const f of inPass) {
    if (ids.get(f.id) !== 1 || forkIdFromPath(f.file) !== f.id) continue;
    const scope: Scope = { kind: "fork", id: f.id };
    const output = byFork.get(f.id) ?? [];
    if (output.length === 0) continue;
    const problems = shared.problems.filter((p) => p.file === f.file);
    partitions.set(partitionName(scope), { objects: output.map((o) => o.object), output, problems, plan });
  }
  return partitions;
}
