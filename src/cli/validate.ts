// `kubefork validate [DIR] [--format text|github]`: every problem at once; exit 1 if any error.
import { render } from "../render.ts";
import { EXIT, exitCodeFor, hasErrors, type Problem } from "../problems.ts";
import { readApp } from "./app-dir.ts";
import type { Io } from "./io.ts";
import { defaultNamespace } from "./render.ts";
import { githubAnnotations, printProblems, summary } from "./report.ts";

export interface ValidateFlags {
  format?: string;
  now?: string;
  namespace?: string;
}

export async function validateCommand(io: Io, dir: string | undefined, flags: ValidateFlags): Promise<number> {
  const appDir = dir ?? io.cwd;
  const app = await readApp(appDir, { signal: io.signal });
  const problems: Problem[] = [...app.problems];
  if (app.manager && !hasErrors(app.problems)) {
    const now = flags.now ? Date.parse(flags.now) : io.now();
    const result = render(
      { manager: app.manager, base: app.base, forks: app.forks, forkProblems: app.forkProblems, forkFiles: app.forkFiles },
      { now, scope: { kind: "all" }, defaultNamespace: defaultNamespace(flags, io, app.manager.manager.metadata.namespace) },
    );
    problems.push(...result.problems);
  } else problems.push(...app.forkProblems);
  if (flags.format === "github") {
    const prefix = dir ? `${dir.replace(/\/+$/, "")}/` : "";
    io.stdout(githubAnnotations(problems, prefix === "./" ? "" : prefix));
  } else {
    printProblems(io, problems);
    const forks = app.forks.length;
    io.stderr(`${hasErrors(problems) ? "invalid" : "valid"}: ${forks} fork${forks === 1 ? "" : "s"}, ${app.base.length} base objects; ${summary(problems)}\n`);
  }
  // SPEC: exit 1 for any problem found in the input (invalid or policy); a bug in kubefork is 3.
  const code = exitCodeFor(problems);
  return code === EXIT.ok ? EXIT.ok : code === EXIT.internal ? EXIT.internal : EXIT.invalid;
}
