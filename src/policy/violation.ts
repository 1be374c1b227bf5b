// A policy violation, positioned in the fork file that commits it: one builder for every check.
import type { LoadedFork } from "../model/inputs.ts";
import { error, formatPath, type ObjectRef, type PathSegment, type Problem, type ProblemCode } from "../problems.ts";

/**
 * A policy violation at `path` of a fork file; by default its metadata.name, the field to change
 * when the fork's identifier is what breaks the rule (a reserved name, a taken host or object name).
 */
export function forkViolation(fork: Pick<LoadedFork, "file" | "doc">, p: { code: ProblemCode; message: string; hint?: string; object?: string; ref?: ObjectRef }, path: readonly PathSegment[] = ["metadata", "name"]): Problem {
  const pos = fork.doc.locate(path);
  return error({ kind: "policy", file: fork.file, line: pos.line, column: pos.column, path: formatPath(path), ...p });
}
