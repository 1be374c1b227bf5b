// `kubefork explain ID [DIR] [--format text|markdown] [--now T]`: what the fork adds and changes.
import { appOrExit, nowFrom } from "./common.ts";
import { error, EXIT, exitCodeFor, isError } from "../problems.ts";
import { render } from "../render.ts";
import { explainFork, formatExplainMarkdown, formatExplainText } from "../review/explain.ts";
import type { Io } from "./io.ts";
import { defaultNamespace } from "./render.ts";
import { printProblems } from "./report.ts";

export interface ExplainFlags {
  format?: string;
  now?: string;
  namespace?: string;
}

export async function explainCommand(io: Io, id: string, dir: string | undefined, flags: ExplainFlags): Promise<number> {
  const now = nowFrom(io, flags.now);
  if (now === undefined) return EXIT.usage;
  const app = await appOrExit(io, dir);
  if (typeof app === "number") return app;
  const manager = app.manager;
  const fork = app.forks.find((f) => f.id === id);
  const own = app.forkProblems.filter((p) => p.file !== undefined && p.file.slice(p.file.lastIndexOf("/") + 1).replace(/\.ya?ml$/, "") === id);
  if (!fork) {
    const problems = own.length ? own : [error({ message: `no fork '${id}': there is no ${manager.manager.spec.forksDir}/${id}.yaml`, hint: app.forks.length ? `forks are: ${app.forks.map((f) => f.id).join(", ")}` : "create one with kubefork new" })];
    printProblems(io, problems);
    return own.length ? exitCodeFor(own) : EXIT.invalid;
  }
  // This fork alone, everything it touches: its own objects and the shared routing it extends.
  const ns = defaultNamespace(flags, io, manager.manager.metadata.namespace);
  const result = render({ manager, base: app.base, forks: [fork], forkProblems: own, forkFiles: [fork.file] }, { now, scope: { kind: "all" }, defaultNamespace: ns });
  if (result.problems.some(isError)) {
    printProblems(io, result.problems);
    return exitCodeFor(result.problems);
  }
  const e = explainFork({ manager, fork, base: app.base, output: result.output, now, defaultNamespace: ns });
  io.stdout(flags.format === "markdown" ? formatExplainMarkdown(e) : flags.format === "json" ? `${JSON.stringify(e, null, 2)}\n` : formatExplainText(e));
  return EXIT.ok;
}
