// `kubefork gc [DIR] [--now T] [--dry-run]`: deletes the files of expired forks, for a scheduled
// job that commits the removal. Argo CD caches a render per commit for 24 h, so expiry at render
// time alone goes stale; a commit makes Git the truth, and prune then removes the fork.
// Prints the removed paths (relative to DIR), one per line; invalid fork files are never removed.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { isExpired } from "../plan/plan.ts";
import { EXIT, exitCodeFor, hasErrors, warning, type Problem } from "../problems.ts";
import { startCommand } from "./common.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";

export interface GcFlags {
  now?: string;
  dryRun?: boolean;
}

export async function gcCommand(io: Io, dir: string | undefined, flags: GcFlags): Promise<number> {
  const start = await startCommand(io, dir, flags, "any");
  if (typeof start === "number") return start;
  const { now, app } = start;
  if (!app.manager) {
    printProblems(io, app.problems);
    return exitCodeFor(app.problems);
  }
  const problems: Problem[] = [];
  const broken = new Set(app.forkProblems.filter((p) => p.severity === "error").map((p) => p.file));
  for (const file of broken)
    problems.push(warning({ code: "KF6029", file, message: "not a valid fork file; gc leaves it alone", hint: "run kubefork validate to see why" }));
  const expired = app.forks.filter((f) => isExpired(f, now)).sort((a, b) => (a.file < b.file ? -1 : 1));
  for (const f of expired) {
    if (!flags.dryRun) rmSync(join(app.dir, f.file));
    io.stdout(`${f.file}\n`);
  }
  io.stderr(`${flags.dryRun ? "would remove" : "removed"} ${expired.length} expired fork${expired.length === 1 ? "" : "s"}${expired.length ? `: ${expired.map((f) => f.id).join(", ")}` : ""}\n`);
  printProblems(io, problems);
  return hasErrors(problems) ? exitCodeFor(problems) : EXIT.ok;
}
