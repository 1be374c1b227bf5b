// What every command that reads an app directory does first: the clock from --now, then the app.
import { error, exitCodeFor, hasErrors, EXIT } from "../problems.ts";
import type { LoadedManager } from "../model/inputs.ts";
import { readApp, type LoadedApp } from "./app-dir.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";
import { parseRfc3339 } from "../model/common.ts";

/** `--now` as ms since the epoch, or the clock; `undefined` (after printing why) when it is not RFC 3339. */
export function nowFrom(io: Io, flag: string | undefined): number | undefined {
  if (flag === undefined) return io.now();
  const at = parseRfc3339(flag);
  if (at === undefined) printProblems(io, [error({ message: `--now ${flag}: expected an RFC 3339 time such as 2026-11-23T12:00:00Z` })]);
  return at;
}

/**
 * Reads the app directory. Returns the exit code (after printing the problems) when there is no
 * ForkManager, or, unless `allowBaseProblems`, when kubefork.yaml or the base has errors.
 */
export async function appOrExit(io: Io, dir: string | undefined, opts: { allowBaseProblems?: boolean } = {}): Promise<(LoadedApp & { manager: LoadedManager }) | number> {
  const app = await readApp(dir ?? io.cwd, { signal: io.signal });
  if (app.manager && (opts.allowBaseProblems || !hasErrors(app.problems))) return app as LoadedApp & { manager: LoadedManager };
  const problems = [...app.problems];
  if (!hasErrors(problems)) problems.push(error({ message: "no ForkManager loaded" }));
  printProblems(io, problems);
  return exitCodeFor(problems) || EXIT.invalid;
}
