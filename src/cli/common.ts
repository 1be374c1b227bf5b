// How every command starts, through this one code: the clock from --now (the strict RFC 3339
// reader of settings.ts, the one `render` reads its `now` setting with), the default namespace,
// then the app directory, read with that namespace. A command that reads any of them its own way
// would judge expiry, or duplicates in the base, differently from the others.
import { error, exitCodeFor, hasErrors, EXIT, type Problem } from "../problems.ts";
import type { LoadedManager } from "../model/inputs.ts";
import { readApp, type LoadedApp } from "./app-dir.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";
import { readNow } from "./settings.ts";

/** The flags every command that reads an app directory may take. */
export interface StartFlags {
  /** RFC 3339 time to judge expiry by (default: the clock). */
  now?: string;
  /** Namespace of base objects that name none. */
  namespace?: string;
}

/** An app directory with its ForkManager. */
export type ManagedApp = LoadedApp & { manager: LoadedManager };

/**
 * What a command needs of its app directory:
 * - `valid`: a ForkManager, and no error in kubefork.yaml or the base (else they are printed and
 *   the command exits);
 * - `manager`: a ForkManager; problems of the base are the command's to report;
 * - `any`: whatever was read; the command reports every problem itself.
 */
export type AppNeed = "valid" | "manager" | "any";

export interface Started<A extends LoadedApp> {
  /** ms since the epoch: --now, or the clock. */
  now: number;
  /** The app directory as given (DIR, or the working directory). */
  dir: string;
  app: A;
  /** Namespace of base objects that name none, as the render gives it. */
  defaultNamespace: string;
}

/** Namespace of base objects that name none: --namespace, the Application's destination, kubefork.yaml, or "default". */
export function defaultNamespace(flags: { namespace?: string }, io: Io, managerNamespace?: string): string {
  return flags.namespace || io.env.ARGOCD_APP_NAMESPACE || managerNamespace || "default";
}

/** The clock of a command: --now read strictly, or the clock. */
export function clockOrExit(io: Io, flag: string | undefined): { now: number } | number {
  const read = readNow(flag, "--now");
  if (read === undefined) return { now: io.now() };
  if ("problem" in read) {
    printProblems(io, [read.problem]);
    return EXIT.usage;
  }
  return { now: read.at };
}

/**
 * A command's start: the clock, then the app directory `dir` (default: the working directory)
 * read with the default namespace. Returns the exit code, after printing why, when --now is not
 * RFC 3339 (64) or the app directory does not give what `need` asks.
 */
export async function startCommand(io: Io, dir: string | undefined, flags: StartFlags, need: "valid" | "manager"): Promise<Started<ManagedApp> | number>;
export async function startCommand(io: Io, dir: string | undefined, flags: StartFlags, need: "any"): Promise<Started<LoadedApp> | number>;
export async function startCommand(io: Io, dir: string | undefined, flags: StartFlags, need: AppNeed): Promise<Started<LoadedApp> | number> {
  const clock = clockOrExit(io, flags.now);
  if (typeof clock === "number") return clock;
  const appDir = dir ?? io.cwd;
  const app = await readApp(appDir, { signal: io.signal, defaultNamespace: (ns) => defaultNamespace(flags, io, ns) });
  const started = { now: clock.now, dir: appDir, app, defaultNamespace: defaultNamespace(flags, io, app.manager?.manager.metadata.namespace) };
  if (need === "any" || (app.manager && (need === "manager" || !hasErrors(app.problems)))) return started;
  return appProblemsExit(io, app.problems);
}

/** Prints why an app directory does not serve (its problems, or that it has no ForkManager) and gives the exit code. */
export function appProblemsExit(io: Io, appProblems: readonly Problem[]): number {
  const problems = [...appProblems];
  if (!hasErrors(problems)) problems.push(error({ code: "KF6011", message: "no ForkManager loaded" }));
  printProblems(io, problems);
  return exitCodeFor(problems) || EXIT.invalid;
}
