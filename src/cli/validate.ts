// `kubefork validate [DIR] [--format text|github|json]`: every problem at once; exit 1 if any error.
import { isAbsolute, relative, resolve, sep } from "node:path";
import { render } from "../render.ts";
import { EXIT, exitCodeFor, hasErrors, type Problem } from "../problems.ts";
import { startCommand } from "./common.ts";
import type { Io } from "./io.ts";
import { githubAnnotations, printProblems, problemsJson, summary } from "./report.ts";

export interface ValidateFlags {
  format?: string;
  now?: string;
  namespace?: string;
}

export async function validateCommand(io: Io, dir: string | undefined, flags: ValidateFlags): Promise<number> {
  const start = await startCommand(io, dir, flags, "any");
  if (typeof start === "number") return start;
  const { now, app, dir: appDir } = start;
  const problems: Problem[] = [...app.problems];
  if (app.manager && !hasErrors(app.problems)) {
    const result = render(
      { manager: app.manager, base: app.base, forks: app.forks, forkProblems: app.forkProblems, forkFiles: app.forkFiles },
      { now, scope: { kind: "all" }, defaultNamespace: start.defaultNamespace, reportAll: true },
    );
    problems.push(...result.problems);
  } else problems.push(...app.forkProblems);
  if (flags.format === "github") {
    // GitHub shows at most 10 error and 10 warning annotations per step: the full list goes to the log too.
    io.stdout(githubAnnotations(problems, repoPrefix(io, appDir)));
    printProblems(io, problems);
    io.stderr(`${hasErrors(problems) ? "invalid" : "valid"}: ${summary(problems)}\n`);
  } else if (flags.format === "json") {
    // For tools: stdout is the problems as values (codes, structured references); stderr the summary.
    io.stdout(problemsJson(problems));
    io.stderr(`${hasErrors(problems) ? "invalid" : "valid"}: ${summary(problems)}\n`);
  } else {
    printProblems(io, problems);
    const files = app.forkFiles.length;
    io.stderr(`${hasErrors(problems) ? "invalid" : "valid"}: ${files} fork file${files === 1 ? "" : "s"}, ${app.base.length} base objects; ${summary(problems)}\n`);
  }
  // SPEC: exit 1 for any problem found in the input (invalid or policy); a bug in kubefork is 3.
  const code = exitCodeFor(problems);
  return code === EXIT.ok ? EXIT.ok : code === EXIT.internal ? EXIT.internal : EXIT.invalid;
}

/**
 * GitHub resolves an annotation's `file` from the repository root. The runner turns an absolute
 * path under $GITHUB_WORKSPACE into a relative one, but a path inside a container (docker run -v
 * $PWD:/repo) it cannot; so the path is made relative here: to $GITHUB_WORKSPACE when the app
 * directory is inside it, else to the working directory (the checkout root in a workflow step).
 */
export function repoPrefix(io: Io, appDir: string): string {
  const abs = resolve(io.cwd, appDir);
  const ws = io.env.GITHUB_WORKSPACE;
  const inside = (root: string) => {
    const r = relative(root, abs);
    return r === "" || (!r.startsWith("..") && !isAbsolute(r)) ? r : undefined;
  };
  const rel = (ws ? inside(resolve(ws)) : undefined) ?? inside(resolve(io.cwd)) ?? abs;
  const posix = rel.split(sep).join("/");
  return posix === "" ? "" : `${posix.replace(/\/+$/, "")}/`;
}
