// `kubefork render [DIR] [--fork ID | --shared] [--now T] [-o yaml|json]`
// Prints the YAML stream Argo CD applies. On any error: nothing on stdout, problems on stderr,
// a non-zero exit (Argo CD then keeps what runs).
import { emit } from "../emit/emit.ts";
import { render, type Scope } from "../render.ts";
import { error, exitCodeFor, EXIT, hasErrors, type Problem } from "../problems.ts";
import { readApp } from "./app-dir.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";
import { resolveSettings, type SettingFlags } from "./settings.ts";

export interface RenderFlags extends SettingFlags {
  shared?: boolean;
  namespace?: string;
}

export async function renderCommand(io: Io, dir: string | undefined, flags: RenderFlags): Promise<number> {
  const settingFlags: SettingFlags = { fork: flags.fork, now: flags.now, output: flags.output, scope: flags.shared ? "shared" : flags.scope };
  const { settings, problems: settingProblems } = resolveSettings(settingFlags, io.env);
  if (hasErrors(settingProblems)) {
    printProblems(io, settingProblems);
    return EXIT.usage;
  }
  const problems: Problem[] = [...settingProblems];
  const app = await readApp(dir ?? io.cwd, { signal: io.signal });
  problems.push(...app.problems);
  if (!app.manager || hasErrors(app.problems)) {
    if (!app.manager && !hasErrors(problems)) problems.push(error({ message: "no ForkManager loaded" }));
    printProblems(io, problems);
    return exitCodeFor(problems);
  }
  const scope: Scope = settings.fork ? { kind: "fork", id: settings.fork } : settings.scope === "shared" ? { kind: "shared" } : { kind: "all" };
  const now = settings.now ? Date.parse(settings.now) : io.now();
  const result = render(
    { manager: app.manager, base: app.base, forks: app.forks, forkProblems: app.forkProblems, forkFiles: app.forkFiles },
    { now, scope, defaultNamespace: defaultNamespace(flags, io, app.manager.manager.metadata.namespace) },
  );
  problems.push(...result.problems);
  printProblems(io, problems);
  if (hasErrors(problems)) return exitCodeFor(problems);
  if (result.objects.length === 0) {
    // Never exit 0 with an empty stdout: Argo CD would prune everything.
    printProblems(io, [error({ kind: "internal", message: "the render produced no objects; refusing to print an empty stream" })]);
    return EXIT.internal;
  }
  io.stdout(emit(result.objects, settings.output));
  return EXIT.ok;
}

/** Namespace of base objects that name none: --namespace, the Application's destination, kubefork.yaml, or "default". */
export function defaultNamespace(flags: { namespace?: string }, io: Io, managerNamespace?: string): string {
  return flags.namespace || io.env.ARGOCD_APP_NAMESPACE || managerNamespace || "default";
}
