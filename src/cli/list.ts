// `kubefork list [DIR] [-o table|json] [--now T]`: one row per fork.
import { startCommand } from "./common.ts";
import { exitCodeFor, hasErrors, type Problem } from "../problems.ts";
import { summariseForks, type ForkSummary } from "../review/summary.ts";
import { formatTable } from "../review/table.ts";
import { rfc3339 } from "../review/time.ts";
import { paintStdout, type Io } from "./io.ts";
import { printProblems } from "./report.ts";

export interface ListFlags {
  output?: string;
  now?: string;
  namespace?: string;
}

export async function listCommand(io: Io, dir: string | undefined, flags: ListFlags): Promise<number> {
  const start = await startCommand(io, dir, flags, "manager");
  if (typeof start === "number") return start;
  const { now, app } = start;
  // A broken base is reported, and forks are then judged by their files alone.
  const baseProblems: Problem[] = app.problems;
  const rows = summariseForks(
    { manager: app.manager, base: app.base, baseOk: !hasErrors(app.problems), forks: app.forks, forkProblems: app.forkProblems, forkFiles: app.forkFiles },
    { now, defaultNamespace: start.defaultNamespace },
  );
  printProblems(io, baseProblems);
  if (flags.output === "json") io.stdout(`${JSON.stringify({ now: rfc3339(now), forks: rows.map(jsonRow) }, null, 2)}\n`);
  else if (rows.length === 0) io.stderr(`no forks in ${app.manager.manager.spec.forksDir}/; create one with kubefork new <id> --workload <name>\n`);
  else io.stdout(table(io, rows));
  return exitCodeFor(baseProblems);
}

function jsonRow(r: ForkSummary): Record<string, unknown> {
  const { problem, ...rest } = r;
  if (!problem) return rest;
  const p: Record<string, unknown> = { message: problem.message };
  for (const k of ["file", "line", "column", "path", "object", "hint"] as const) if (problem[k] !== undefined) p[k] = problem[k];
  return { ...rest, problem: p };
}

function table(io: Io, rows: readonly ForkSummary[]): string {
  const c = paintStdout(io);
  const state = (r: ForkSummary) => {
    if (r.state === "live") return c.green("live");
    if (r.state === "expired") return c.yellow("expired");
    const p = r.problem;
    const subject = p ? [p.object, p.path].filter(Boolean).join(" ") : "";
    const first = p ? `${p.file ? `${p.file}${p.line ? `:${p.line}` : ""}: ` : ""}${subject ? `${subject}: ` : ""}${p.message}` : "";
    return `${c.red("invalid")}${first ? `: ${first}` : ""}`;
  };
  return formatTable(
    ["fork", "workloads", "images", "hosts", "expires", "state"],
    rows.map((r) => [r.id, r.workloads.map((w) => (w.kind === "Deployment" ? w.name : `${w.kind}/${w.name}`)).join(", "), r.images.join(", "), r.hosts.join(", "), r.expiresIn, state(r)]),
    { header: c.bold },
  );
}
