// `kubefork import FILE [--dir DIR]`: prints the kubefork.dev/v1alpha1 Fork equivalent to an original
// kubefork Fork (fork.k8s.wantedly.com/v1beta1 or vsconfig.k8s.wantedly.com/v1beta1), for a
// permanent migration. Selectors are resolved against the base of DIR (default: the app directory
// that holds FILE, else the working directory). Notes on what changes become YAML comments.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { dumpYaml } from "../emit/emit.ts";
import { isCompatFork, translateCompat } from "../load/compat.ts";
import { resolveCompat } from "../plan/compat.ts";
import { parsePositioned } from "../load/documents.ts";
import { MANAGER_FILE } from "../load/app.ts";
import { buildIndex } from "../plan/base-index.ts";
import { error, EXIT, exitCodeFor, formatProblemWithoutCode, hasErrors, sortProblems, type Problem } from "../problems.ts";
import { forkFilePath } from "../util/fork-id.ts";
import { startCommand } from "./common.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";

export interface ImportFlags {
  dir?: string;
  namespace?: string;
}

export async function importCommand(io: Io, file: string, flags: ImportFlags): Promise<number> {
  const abs = resolve(io.cwd, file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8").replace(/^\uFEFF/, "");
  } catch {
    printProblems(io, [error({ code: "KF6024", file, message: "cannot read the file", hint: "pass the path of a kubefork Fork manifest" })]);
    return EXIT.invalid;
  }
  const parsed = parsePositioned({ path: file, text });
  if (hasErrors(parsed.problems)) return fail(io, parsed.problems);
  if (parsed.docs.length !== 1)
    return fail(io, [error({ code: "KF6025", file, line: parsed.docs[1]?.line ?? 1, message: `expected one Fork, found ${parsed.docs.length} documents`, hint: "import one Fork at a time" })]);
  const doc = parsed.docs[0]!;
  if (!isCompatFork(doc.value)) {
    const v = doc.value as { apiVersion?: unknown } | null;
    return fail(io, [
      error({
        code: "KF6026",
        file,
        line: doc.line,
        message: v?.apiVersion === "kubefork.dev/v1alpha1" ? "this is already a kubefork.dev Fork" : "not an original kubefork Fork",
        hint: "kubefork import reads apiVersion fork.k8s.wantedly.com/v1beta1 (or vsconfig.k8s.wantedly.com/v1beta1), kind Fork",
      }),
    ]);
  }
  const translated = translateCompat(doc);
  if (!translated.fork) return fail(io, translated.problems);

  const dir = flags.dir !== undefined ? resolve(io.cwd, flags.dir) : (findAppDir(dirname(abs)) ?? io.cwd);
  const start = await startCommand(io, dir, flags, "valid");
  if (typeof start === "number") return start;
  const { app } = start;
  const spec = app.manager.manager.spec;
  const index = buildIndex(app.base, { defaultNamespace: start.defaultNamespace, clusterDomain: spec.clusterDomain });
  const resolved = resolveCompat(translated.fork, index);
  if (!resolved.fork || hasErrors(resolved.problems)) return fail(io, resolved.problems);

  const id = resolved.fork.id;
  const lines = [`# Imported by kubefork import from ${file}: save as ${forkFilePath(spec.forksDir, id)}`];
  // The notes as comments of the output, without their codes: stdout is the Fork file to save, and stays as it was.
  for (const p of sortProblems(resolved.problems)) for (const l of formatProblemWithoutCode(p).split("\n")) lines.push(`# ${l.trimStart()}`);
  io.stdout(`${lines.join("\n")}\n${dumpYaml(resolved.fork.fork)}`);
  return EXIT.ok;
}

function fail(io: Io, problems: readonly Problem[]): number {
  printProblems(io, problems);
  return exitCodeFor(problems) || EXIT.invalid;
}

/** The nearest directory at or above `from` that holds kubefork.yaml. */
function findAppDir(from: string): string | undefined {
  let d = from;
  for (;;) {
    if (existsSync(join(d, MANAGER_FILE))) return d;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}
