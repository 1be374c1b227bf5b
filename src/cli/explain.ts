// `kubefork explain ID [DIR] [--format text|markdown] [--now T]`: what the fork adds and changes;
// `kubefork comment [DIR] --fork ID... --removed ID...`: the pull-request comment of several forks.
import { startCommand, type ManagedApp, type Started } from "./common.ts";
import { forkIdFromPath } from "../util/fork-id.ts";
import { EXIT, exitCodeFor, isError, noSuchFork, type Problem } from "../problems.ts";
import { render } from "../render.ts";
import { formatComment, type CommentSection } from "../review/comment.ts";
import { explainFork, formatExplainMarkdown, formatExplainText, type Explanation } from "../review/explain.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";

export interface ExplainFlags {
  format?: string;
  now?: string;
  namespace?: string;
}

export async function explainCommand(io: Io, id: string, dir: string | undefined, flags: ExplainFlags): Promise<number> {
  const start = await startCommand(io, dir, flags, "valid");
  if (typeof start === "number") return start;
  const r = explainOne(start, id);
  if ("problems" in r) {
    printProblems(io, r.problems);
    return r.code;
  }
  const e = r.explanation;
  io.stdout(flags.format === "markdown" ? formatExplainMarkdown(e) : flags.format === "json" ? `${JSON.stringify(e, null, 2)}\n` : formatExplainText(e));
  return EXIT.ok;
}

/** One fork explained, or the problems that stop it (and the exit code they give). */
function explainOne(start: Started<ManagedApp>, id: string): { explanation: Explanation } | { problems: Problem[]; code: number } {
  const { app, now, defaultNamespace: ns } = start;
  const manager = app.manager;
  const fork = app.forks.find((f) => f.id === id);
  const own = app.forkProblems.filter((p) => p.file !== undefined && forkIdFromPath(p.file) === id);
  if (!fork) {
    if (own.length) return { problems: own, code: exitCodeFor(own) };
    return { problems: [noSuchFork(manager.manager.spec.forksDir, id, app.forks.map((f) => f.id))], code: EXIT.invalid };
  }
  // This fork alone, everything it touches: its own objects and the shared routing it extends.
  const result = render({ manager, base: app.base, forks: [fork], forkProblems: own, forkFiles: [fork.file] }, { now, scope: { kind: "all" }, defaultNamespace: ns });
  if (result.problems.some(isError) || !result.plan) return { problems: result.problems, code: exitCodeFor(result.problems) };
  return { explanation: explainFork({ manager, fork, base: app.base, output: result.output, ingress: result.plan.ingress, now, defaultNamespace: ns }) };
}

export interface CommentFlags extends ExplainFlags {
  fork?: string[];
  removed?: string[];
}

/**
 * `kubefork comment [DIR] --fork ID... --removed ID...`: the body of the pull-request comment,
 * `explain --format markdown` of each changed fork (a fork that does not render: its problems),
 * and a line for each removed one. Exit 0 whatever the forks' state: the comment reports it.
 */
export async function commentCommand(io: Io, dir: string | undefined, flags: CommentFlags): Promise<number> {
  const start = await startCommand(io, dir, flags, "valid");
  if (typeof start === "number") return start;
  const ids = (list: string[] | undefined) => [...new Set((list ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean))];
  const sections: CommentSection[] = ids(flags.removed).map((id) => ({ id, kind: "removed" }));
  for (const id of ids(flags.fork)) {
    const r = explainOne(start, id);
    sections.push("problems" in r ? { id, kind: "invalid", problems: r.problems } : { id, kind: "explained", markdown: formatExplainMarkdown(r.explanation) });
  }
  io.stdout(formatComment(sections));
  return EXIT.ok;
}
