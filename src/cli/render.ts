// `kubefork render [DIR] [--fork ID | --shared] [--now T] [-o yaml|json] [--no-cache]`
// Prints the YAML stream Argo CD applies. On any error: nothing on stdout, problems on stderr,
// a non-zero exit (Argo CD then keeps what runs).
//
// The pipeline is imported only when a render is computed. A render served from the cache
// (src/cli/render-cache.ts) initialises no parser and no schema: it reads kubefork.yaml and looks
// up what it says to read (its read plan, stored by the render that parsed these bytes), reads the
// inputs, hashes them and prints. test/cli/startup.test.ts checks that it initialises no zod.
import type { Scope } from "../render.ts";
import { cacheKey, KeyHasher, partitionName, planKey, type KeyHead, type PartitionName, type Window } from "../commit-key.ts";
import { error, exitCodeFor, EXIT, hasErrors, type Problem } from "../problems.ts";
import { loadSources, readSources, type AppSources, type InputSink, type ReadOptions, type ReadPlan, type SourceFile } from "./app-dir.ts";
import type { Io } from "./io.ts";
import * as rc from "./render-cache.ts";
import { printProblems } from "./report.ts";
import { defaultNamespace } from "./common.ts";
import { clockOf, resolveSettings, type RenderSettings, type SettingFlags } from "./settings.ts";
import { BUILD_ID, VERSION } from "./version.ts";

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
  const scope: Scope = settings.fork ? { kind: "fork", id: settings.fork } : settings.scope === "shared" ? { kind: "shared" } : { kind: "all" };
  // The full render is the one render of a commit in single-Application mode: nothing to share.
  const cacheDir = settings.cache === "on" && scope.kind !== "all" ? openCacheDir(io) : undefined;
  // Without a cache there is nothing this thread can serve: the worker renders from the start.
  if (!cacheDir && io.offload) return io.offload({});
  const readOpts: ReadOptions = {
    signal: io.signal,
    defaultNamespace: (ns) => defaultNamespace(flags, io, ns),
    knownPlan: cacheDir && ((file) => cacheDir.knownPlan(file)),
    commandOutput: io.handoff?.commandOutput,
  };
  // With a cache the inputs are first only hashed as they are read (nothing kept), for the key;
  // they are read again only to render.
  let hasher: KeyHasher | undefined;
  const digest = (plan: ReadPlan): InputSink => {
    const k = (hasher = new KeyHasher(keyHead(io, cacheDir!, settings.output, defaultNamespace(flags, io, plan.namespace))));
    return (kind, path, bytes) => k.file(kind, path, bytes);
  };
  const read = await readSources(dir ?? io.cwd, cacheDir ? { ...readOpts, digest } : readOpts);
  const plan = read.plan;
  if (!plan || hasErrors(read.app.problems)) return printed(io, [...settingProblems, ...read.app.problems]);
  if (cacheDir && !read.planKnown && read.managerFile) cacheDir.storePlan(read.managerFile, plan);
  const now = clockOf(settings, () => io.now());
  const partition = partitionName(scope);
  const serve = (hit: { body: string; problems: Problem[] }) => {
    printProblems(io, [...settingProblems, ...hit.problems]);
    io.stdout(hit.body);
    return EXIT.ok;
  };
  const hashedKey = cacheDir && hasher && read.baseTexts ? hasher.digest(readProblems(read)) : undefined;
  const served = cacheDir && hashedKey ? rc.lookup(cacheDir.root, hashedKey, partition, now) : undefined;
  if (served) return serve(served);
  // A render to compute (or a commit to store) can be long work in one stretch: off this thread.
  if (io.offload) return io.offload({ commandOutput: read.commandOutput });

  // To render: the inputs kept (base.command does not run again).
  const sources = read.digested ? await readSources(dir ?? io.cwd, { ...readOpts, knownPlan: () => plan, commandOutput: read.commandOutput }) : read;
  if (!sources.plan || hasErrors(sources.app.problems)) return printed(io, [...settingProblems, ...sources.app.problems]);
  const r: Request = { sources, scope, now, settings, defaultNamespace: defaultNamespace(flags, io, plan.namespace) };
  const cache = cacheDir && cacheFor(io, cacheDir, r);
  if (!cache) return compute(io, r, settingProblems);
  const cached = await fromCommitPass(cache, r, partition, hashedKey);
  return cached ? serve(cached) : compute(io, r, settingProblems, cache);
}

/**
 * The partition from the cache, once the commit's pass is there: this process stores the pass if
 * it gets the lock, or waits for the one that has it. Undefined when the pass does not give the
 * partition (a broken fork): it is then rendered alone, without waiting.
 */
async function fromCommitPass(cache: CacheRef, r: Request, partition: PartitionName, hashedKey: string | undefined): Promise<rc.Cached | undefined> {
  const now = r.now;
  // The same key, unless a file changed between the two reads: then this one, of what renders.
  const hit = cache.key === hashedKey ? undefined : rc.lookup(cache.root, cache.key, partition, now);
  if (hit || rc.lookup(cache.root, cache.key, "commit", now)) return hit;
  if (!rc.lock(cache.root, cache.key)) return rc.waitFor(cache.root, cache.key, partition, now);
  try {
    await storeCommit(cache, r);
  } finally {
    rc.unlock();
  }
  return rc.lookup(cache.root, cache.key, partition, now);
}

interface Request {
  sources: AppSources;
  scope: Scope;
  now: number;
  settings: RenderSettings;
  defaultNamespace: string;
}

interface CacheDir {
  root: string;
  code: string;
  knownPlan(file: SourceFile): ReadPlan | undefined;
  storePlan(file: SourceFile, plan: ReadPlan): void;
}

interface CacheRef {
  root: string;
  key: string;
}

const UNBOUNDED: Window = { from: null, to: null };

/** The cache directory, with kubefork.yaml's read plans; undefined (no cache) when it cannot be had. */
function openCacheDir(io: Io): CacheDir | undefined {
  const root = rc.openCache(io.env);
  if (!root) return undefined;
  const code = codeIdentity();
  return {
    root,
    code,
    knownPlan: (file) => {
      const hit = rc.lookup(root, planKey(code, file), "plan", 0);
      if (!hit) return undefined;
      try {
        return asReadPlan(JSON.parse(hit.body));
      } catch {
        return undefined;
      }
    },
    storePlan: (file, plan) => void rc.store(root, planKey(code, file), "plan", UNBOUNDED, { body: JSON.stringify(plan), problems: [] }),
  };
}

/** A stored plan, checked field by field (it came from disk). */
function asReadPlan(v: unknown): ReadPlan | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === "string");
  if (typeof o.forksDir !== "string") return undefined;
  if (o.basePaths !== undefined && !strings(o.basePaths)) return undefined;
  if (o.baseCommand !== undefined && !strings(o.baseCommand)) return undefined;
  if (o.namespace !== undefined && typeof o.namespace !== "string") return undefined;
  const plan: ReadPlan = { forksDir: o.forksDir };
  if (o.basePaths !== undefined) plan.basePaths = o.basePaths as string[];
  if (o.baseCommand !== undefined) plan.baseCommand = o.baseCommand as string[];
  if (o.namespace !== undefined) plan.namespace = o.namespace as string;
  return plan;
}

/** What the key covers besides the inputs. */
function keyHead(io: Io, dir: CacheDir, output: string, defaultNamespace: string): KeyHead {
  const env: Record<string, string | undefined> = {};
  for (const name of CLUSTER_ENV) env[name] = io.env[name];
  return { code: dir.code, output, defaultNamespace, env };
}

/** Problems met reading the inputs: part of the key (an unreadable fork file is an input too). */
const readProblems = (sources: AppSources): Problem[] => [...sources.app.problems, ...sources.app.forkProblems];

/** This render's key from the inputs as kept, or undefined (no cache) when they were not all read. */
function cacheFor(io: Io, dir: CacheDir, r: Request): CacheRef | undefined {
  const { sources } = r;
  if (!sources.baseTexts || !sources.managerFile) return undefined;
  const key = cacheKey({
    ...keyHead(io, dir, r.settings.output, r.defaultNamespace),
    manager: sources.managerFile,
    forks: sources.forkTexts,
    base: sources.baseTexts,
    readProblems: readProblems(sources),
  });
  return { root: dir.root, key };
}

let identity: string | undefined;
/** kubefork's version and a hash of the running bundle: a rebuilt kubefork never reads an older one's entries. */
function codeIdentity(): string {
  if (identity === undefined) {
    let code = BUILD_ID;
    if (code === undefined) {
      // From source, or a bundle built without scripts/build.mjs: hash the running file.
      try {
        const { readFileSync } = process.getBuiltinModule("node:fs");
        code = process.getBuiltinModule("node:crypto").createHash("sha256").update(readFileSync(process.argv[1] ?? "")).digest("hex");
      } catch {
        code = "unknown";
      }
    }
    identity = `${VERSION} ${code}`;
  }
  return identity;
}

/** Renders every partition of the commit and stores the successful ones, then the commit marker. */
async function storeCommit(cache: CacheRef, r: Request): Promise<void> {
  const [{ renderCommit, validityWindow }, { emit }] = await Promise.all([import("../commit.ts"), import("../emit/emit.ts")]);
  const app = await loadSources(r.sources);
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
  const app = await loadSources(r.sources);
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
    printProblems(io, [error({ code: "KF9002", kind: "internal", message: "the render produced no objects; refusing to print an empty stream", hint: "this is a bug in kubefork: please report it with the app directory" })]);
    return EXIT.internal;
  }
  const body = emit(result.objects, r.settings.output);
  io.stdout(body);
  if (cache) {
    const { validityWindow } = await import("../commit.ts");
    const window: Window = validityWindow(app.manager.manager, app.forks, r.now);
    const name: PartitionName = partitionName(r.scope);
    if (rc.store(cache.root, cache.key, name, window, { body, problems: [...app.problems, ...result.problems] })) rc.evict(cache.root);
  }
  return EXIT.ok;
}

function printed(io: Io, problems: Problem[]): number {
  if (!hasErrors(problems)) problems.push(error({ code: "KF6011", message: "no ForkManager loaded" }));
  printProblems(io, problems);
  return exitCodeFor(problems);
}
