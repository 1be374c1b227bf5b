// `kubefork render [DIR] [--fork ID | --shared] [--now T] [-o yaml|json] [--no-cache]`
// Prints the YAML stream Argo CD applies. On any error: nothing on stdout, problems on stderr,
// a non-zero exit (Argo CD then keeps what runs).
//
// The pipeline is imported only when a render is computed: a render served from the cache
// (src/cli/render-cache.ts) reads the inputs, hashes them and prints.
import type { Scope } from "../render.ts";
import type { PartitionName, Window } from "../commit.ts";
import { error, exitCodeFor, EXIT, hasErrors, type Problem } from "../problems.ts";
import { loadSources, readSources, type AppSources } from "./app-dir.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";
import { resolveSettings, type RenderSettings, type SettingFlags } from "./settings.ts";
import { VERSION } from "./version.ts";

export interface RenderFlags extends Omit<SettingFlags, "cache"> {
  shared?: boolean;
  namespace?: string;
  /** commander's `--no-cache`: false when given. */
  cache?: string | boolean;
}

/** Environment that describes the target cluster: part of the cache key. */
const CLUSTER_ENV = ["KUBE_VERSION", "KUBE_API_VERSIONS"] as const;

export async function renderCommand(io: Io, dir: string | undefined, flags: RenderFlags): Promise<number> {
  const settingFlags: SettingFlags = { fork: flags.fork, now: flags.now, output: flags.output, scope: flags.shared ? "shared" : flags.scope, cache: flags.cache === false ? "off" : undefined };
  const { settings, problems: settingProblems } = resolveSettings(settingFlags, io.env, { stdoutIsTTY: io.stdoutIsTTY ?? io.isTTY });
  if (hasErrors(settingProblems)) {
    printProblems(io, settingProblems);
    return EXIT.usage;
  }
  const sources = await readSources(dir ?? io.cwd, { signal: io.signal, defaultNamespace: (ns) => defaultNamespace(flags, io, ns) });
  const manager = sources.app.manager;
  if (!manager || hasErrors(sources.app.problems)) return printed(io, [...settingProblems, ...sources.app.problems]);
  const scope: Scope = settings.fork ? { kind: "fork", id: settings.fork } : settings.scope === "shared" ? { kind: "shared" } : { kind: "all" };
  const now = settings.now ? Date.parse(settings.now) : io.now();
  const r: Request = { sources, scope, now, settings, defaultNamespace: defaultNamespace(flags, io, manager.manager.metadata.namespace) };

  // The full render is the one render of a commit in single-Application mode: nothing to share.
  const cache = settings.cache === "on" && scope.kind !== "all" ? await cacheFor(io, r) : undefined;
  if (!cache) return compute(io, r, settingProblems);
  const rc = await import("./render-cache.ts");
  const { partitionName } = await import("../commit.ts");
  const partition = partitionName(scope);
  const serve = (hit: { body: string; problems: Problem[] }) => {
    printProblems(io, [...settingProblems, ...hit.problems]);
    io.stdout(hit.body);
    return EXIT.ok;
  };
  const hit = rc.lookup(cache.root, cache.key, partition, now);
  if (hit) return serve(hit);
  // A partition the commit's pass did not give (a broken fork) is rendered alone, without waiting.
  if (!rc.lookup(cache.root, cache.key, "commit", now)) {
    if (rc.lock(cache.root, cache.key)) {
      try {
        await storeCommit(cache, r);
      } finally {
        rc.unlock();
      }
      const mine = rc.lookup(cache.root, cache.key, partition, now);
      if (mine) return serve(mine);
    } else {
      const waited = await rc.waitFor(cache.root, cache.key, partition, now);
      if (waited) return serve(waited);
    }
  }
  return compute(io, r, settingProblems, cache);
}

interface Request {
  sources: AppSources;
  scope: Scope;
  now: number;
  settings: RenderSettings;
  defaultNamespace: string;
}

interface CacheRef {
  root: string;
  key: string;
}

/** The cache directory and this render's key, or undefined (no cache) when either cannot be had. */
async function cacheFor(io: Io, r: Request): Promise<CacheRef | undefined> {
  const { sources } = r;
  if (!sources.baseTexts || !sources.managerFile) return undefined;
  const { openCache } = await import("./render-cache.ts");
  const root = openCache(io.env);
  if (!root) return undefined;
  const { cacheKey } = await import("../commit-key.ts");
  const env: Record<string, string | undefined> = {};
  for (const name of CLUSTER_ENV) env[name] = io.env[name];
  const key = cacheKey({
    code: codeIdentity(),
    output: r.settings.output,
    defaultNamespace: r.defaultNamespace,
    env,
    manager: sources.managerFile,
    forks: sources.forkTexts,
    base: sources.baseTexts,
    readProblems: [...sources.app.problems, ...sources.app.forkProblems],
  });
  return { root, key };
}

let identity: string | undefined;
/** kubefork's version and a hash of the running bundle: a rebuilt kubefork never reads an older one's entries. */
function codeIdentity(): string {
  if (identity === undefined) {
    let code = "";
    try {
      const { readFileSync } = process.getBuiltinModule("node:fs");
      code = process.getBuiltinModule("node:crypto").createHash("sha256").update(readFileSync(process.argv[1] ?? "")).digest("hex");
    } catch {
      code = "unknown";
    }
    identity = `${VERSION} ${code}`;
  }
  return identity;
}

/** Renders every partition of the commit and stores the successful ones, then the commit marker. */
async function storeCommit(cache: CacheRef, r: Request): Promise<void> {
  const [{ renderCommit, validityWindow }, { emit }, rc] = await Promise.all([import("../commit.ts"), import("../emit/emit.ts"), import("./render-cache.ts")]);
  const app = loadSources(r.sources);
  if (!app.manager || hasErrors(app.problems)) return;
  const window = validityWindow(app.manager.manager, app.forks, r.now);
  const partitions = renderCommit(
    { manager: app.manager, base: app.base, forks: app.forks, forkProblems: app.forkProblems, forkFiles: app.forkFiles },
    { now: r.now, defaultNamespace: r.defaultNamespace },
  );
  for (const [name, result] of partitions) {
    if (result.objects.length === 0) continue;
    if (!rc.store(cache.root, cache.key, name, window, { body: emit(result.objects, r.settings.output), problems: [...app.problems, ...result.problems] })) return;
  }
  rc.store(cache.root, cache.key, "commit", window, { body: "", problems: [] });
  rc.evict(cache.root);
}

/** A render from scratch (the pipeline on this scope alone); stored when it succeeds and a cache is given. */
async function compute(io: Io, r: Request, settingProblems: readonly Problem[], cache?: CacheRef): Promise<number> {
  const [{ render }, { emit }] = await Promise.all([import("../render.ts"), import("../emit/emit.ts")]);
  const app = loadSources(r.sources);
  const problems: Problem[] = [...settingProblems, ...app.problems];
  if (!app.manager || hasErrors(app.problems)) return printed(io, problems);
  const result = render(
    { manager: app.manager, base: app.base, forks: app.forks, forkProblems: app.forkProblems, forkFiles: app.forkFiles },
    { now: r.now, scope: r.scope, defaultNamespace: r.defaultNamespace },
  );
  problems.push(...result.problems);
  printProblems(io, problems);
  if (hasErrors(problems)) return exitCodeFor(problems);
  if (result.objects.length === 0) {
    // Never exit 0 with an empty stdout: Argo CD would prune everything.
    printProblems(io, [error({ kind: "internal", message: "the render produced no objects; refusing to print an empty stream" })]);
    return EXIT.internal;
  }
  const body = emit(result.objects, r.settings.output);
  io.stdout(body);
  if (cache) {
    const [{ validityWindow, partitionName }, rc] = await Promise.all([import("../commit.ts"), import("./render-cache.ts")]);
    const window: Window = validityWindow(app.manager.manager, app.forks, r.now);
    const name: PartitionName = partitionName(r.scope);
    if (rc.store(cache.root, cache.key, name, window, { body, problems: [...app.problems, ...result.problems] })) rc.evict(cache.root);
  }
  return EXIT.ok;
}

function printed(io: Io, problems: Problem[]): number {
  if (!hasErrors(problems)) problems.push(error({ message: "no ForkManager loaded" }));
  printProblems(io, problems);
  return exitCodeFor(problems);
}

/** Namespace of base objects that name none: --namespace, the Application's destination, kubefork.yaml, or "default". */
export function defaultNamespace(flags: { namespace?: string }, io: Io, managerNamespace?: string): string {
  return flags.namespace || io.env.ARGOCD_APP_NAMESPACE || managerNamespace || "default";
}
