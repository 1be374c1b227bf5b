// Problems are values: every step returns them, nothing throws for bad input.
// The CLI prints them and picks the exit code from their kinds.
import { CODES, type ProblemCode } from "./codes.ts";
import { forkFilePath } from "./util/fork-id.ts";
import { formatPath, type PathSegment } from "./util/paths.ts";

export type { ProblemCode };
/** How a problem's `path` is written: src/util/paths.ts, the one field-path formatter. */
export { formatPath, type PathSegment };

/** What kind of failure a problem is; each maps to its own exit code. */
export type ProblemKind = "invalid" | "policy" | "internal";

export type Severity = "error" | "warning" | "note";

/** The Kubernetes object a problem concerns, and where it stands in the input. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The file, the document's index in it (0-based), the document's first line. */
  file?: string;
  index?: number;
  line?: number;
}

export interface Problem {
  kind: ProblemKind;
  severity: Severity;
  /** The stable code of this kind of problem (src/codes.ts), printed after the message. */
  code: ProblemCode;
  /** Path of the file relative to the app directory, e.g. `forks/alice.yaml`. */
  file?: string;
  /** 1-based line and column in `file`. */
  line?: number;
  column?: number;
  /** Index of the YAML document inside the file (0-based), for multi-document files. */
  doc?: number;
  /** Field path inside the document, e.g. `spec.workloads[0].image`. */
  path?: string;
  /** The Kubernetes object concerned, e.g. `Deployment bookshop/ratings-v1`. */
  object?: string;
  /** The same object, structured. */
  ref?: ObjectRef;
  message: string;
  /** How to fix it. */
  hint?: string;
  /** Stack of an internal error. */
  stack?: string;
}

/** Where a value came from: enough to point a reader at it. */
export interface Origin {
  file: string;
  doc?: number;
  line?: number;
  column?: number;
}

export function error(p: Omit<Problem, "severity" | "kind"> & { kind?: ProblemKind }): Problem {
  return { kind: "invalid", severity: "error", ...p };
}

export function warning(p: Omit<Problem, "severity" | "kind"> & { kind?: ProblemKind }): Problem {
  return { kind: "invalid", severity: "warning", ...p };
}

export function note(p: Omit<Problem, "severity" | "kind"> & { kind?: ProblemKind }): Problem {
  return { kind: "invalid", severity: "note", ...p };
}

export function isError(p: Problem): boolean {
  return p.severity === "error";
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some(isError);
}

/** Stable order: by file, line, column, then message. Lets `validate` print the same list every run. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      cmp(a.file ?? "", b.file ?? "") ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One problem as people read it: `file:line:col: error: path: message [KF2001]` then `  hint: ...`. */
export function formatProblem(p: Problem): string {
  return formatText(p, true);
}

/**
 * The same without the code, where the text lands in output that stays as it was before problems
 * had codes: the status ConfigMaps on stdout, the comments of kubefork import's output.
 */
export function formatProblemWithoutCode(p: Problem): string {
  return formatText(p, false);
}

function formatText(p: Problem, withCode: boolean): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ""}` : ""}: ` : "";
  const label = p.severity === "error" ? (p.kind === "policy" ? "policy violation" : p.kind === "internal" ? "internal error" : "error") : p.severity;
  const subject = [p.object, p.path].filter(Boolean).join(" ");
  let out = `${where}${label}: ${subject ? `${subject}: ` : ""}${p.message}`;
  if (withCode) out += ` [${p.code}]`;
  if (p.hint) out += `\n  hint: ${p.hint}`;
  if (p.stack) out += `\n${p.stack}`;
  return out;
}

/** The name and one-line summary of a problem's code. */
export function codeInfo(code: ProblemCode): { name: string; summary: string } {
  return CODES[code];
}

/** Exit codes, one per kind of failure (kpt-functions-sdk style). */
export const EXIT = {
  ok: 0,
  invalid: 1,
  policy: 2,
  internal: 3,
  usage: 64,
} as const;

/** The exit code for a set of problems: internal beats invalid beats policy; warnings alone are ok. */
export function exitCodeFor(problems: readonly Problem[]): number {
  const errors = problems.filter(isError);
  if (errors.length === 0) return EXIT.ok;
  if (errors.some((p) => p.kind === "internal")) return EXIT.internal;
  if (errors.some((p) => p.kind === "invalid")) return EXIT.invalid;
  return EXIT.policy;
}

/**
 * The problem of a command (render --fork, explain, headers) that names a fork with no file: one
 * message, one code (KF6027), and the forks there are.
 */
export function noSuchFork(forksDir: string, id: string, known: readonly string[]): Problem {
  return error({
    code: "KF6027",
    message: `no fork '${id}': there is no ${forkFilePath(forksDir, id)}`,
    hint: known.length ? `forks are: ${known.join(", ")}` : "there are no forks yet; create one with kubefork new",
  });
}
