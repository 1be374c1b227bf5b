// Reads an app directory from disk (or runs base.command) and loads it. The only file-system
// access of a render lives here and in the commands.
//
// Reading is light: the parsers and schemas (src/load/app.ts) are imported when something is
// parsed, so that a render served from the cache (src/cli/render.ts) reads and hashes its inputs
// without initialising them. kubefork.yaml says what else to read (its ReadPlan); a caller that
// knows the plan of these very bytes (the render cache) passes it, and the file is not parsed.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync, type Dirent, type Stats } from "node:fs";
import type { ChildProcessByStdio } from "node:child_process";
import { join, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { isUtf8 } from "node:buffer";
import { baseFileFilter, isForkFile, MANAGER_FILE } from "../load/paths.ts";
import type { LoadedFork, LoadedManager, Manifest } from "../model/inputs.ts";
import type { TextFile } from "../model/source.ts";
import { LIMITS } from "../model/limits.ts";
import { error, type Problem, type ProblemCode } from "../problems.ts";
import { groupEnded, groupStarted, killGroup as killProcessGroup } from "./supervisor.ts";

/** Largest base file kubefork reads (fork files and kubefork.yaml: LIMITS.forkFileBytes, LIMITS.managerFileBytes). */
export const MAX_FILE_BYTES = LIMITS.baseFileBytes;
/** How long base.command may run: well inside Argo CD's 60 s repo-server deadline. */
export const BASE_COMMAND_TIMEOUT_MS = 45_000;

export interface LoadedApp {
  dir: string;
  manager?: LoadedManager;
  base: Manifest[];
  forks: LoadedFork[];
  forkFiles: string[];
  /** Problems of kubefork.yaml and the base: any error here stops everything. */
  problems: Problem[];
  /** Problems of fork files, each naming its file. */
  forkProblems: Problem[];
}

/** What kubefork.yaml says to read, and the namespace it names: all that reading needs of it. */
export interface ReadPlan {
  forksDir: string;
  basePaths?: string[];
  baseCommand?: string[];
  namespace?: string;
}

export function readPlanOf(m: LoadedManager): ReadPlan {
  const { spec, metadata } = m.manager;
  const plan: ReadPlan = { forksDir: spec.forksDir };
  if (spec.base?.paths) plan.basePaths = [...spec.base.paths];
  if (spec.base?.command) plan.baseCommand = [...spec.base.command];
  if (metadata.namespace !== undefined) plan.namespace = metadata.namespace;
  return plan;
}

export interface ReadOptions {
  /** Signal to abort base.command (SIGTERM handling). */
  signal?: AbortSignal;
  /** Namespace of base objects that name none, from kubefork.yaml's metadata.namespace (default: it, or "default"). */
  defaultNamespace?: (managerNamespace: string | undefined) => string;
  /** How long base.command may run (default BASE_COMMAND_TIMEOUT_MS; tests shorten it). */
  baseCommandTimeoutMs?: number;
  /** The plan of a kubefork.yaml whose bytes parsed into it before (the render cache), if known. */
  knownPlan?: (manager: SourceFile) => ReadPlan | undefined;
  /**
   * Hash, do not keep: every input read (kubefork.yaml, the fork files, the base files or
   * base.command's output, in this order) goes to the sink made for the plan, and the files are
   * read into one reused buffer and not kept (forkTexts and baseTexts stay empty; `digested`).
   * The render cache computes its key so, and reads again only when it must render.
   */
  digest?: (plan: ReadPlan) => InputSink;
  /** base.command's output from an earlier read of this directory: a command never runs twice. */
  commandOutput?: string;
}

/** Receives the inputs as they are read, for the render cache's key (src/commit-key.ts). */
export type InputSink = (kind: "manager" | "fork" | "base", path: string, bytes: Uint8Array | string) => void;

/**
 * A file as read: its bytes (valid UTF-8, checked when read) and its text, decoded when first
 * asked for (a render served from the cache hashes the bytes and never needs the text).
 */
export interface SourceFile extends TextFile {
  bytes: Uint8Array | string;
}

/** The app directory as read, before the forks and the base are parsed: what a render cache keys by. */
export interface AppSources {
  app: LoadedApp;
  /** kubefork.yaml as read. */
  managerFile?: SourceFile;
  /** What kubefork.yaml says to read; unset when it could not be read or is not valid. */
  plan?: ReadPlan;
  /** The plan was given by ReadOptions.knownPlan: kubefork.yaml was not parsed (app.manager unset). */
  planKnown?: boolean;
  forkTexts: SourceFile[];
  /** Base files in their canonical order (or base.command's output as one file); unset when reading stopped. */
  baseTexts?: SourceFile[];
  /** Set once loadSources has parsed them into `app`. */
  loaded?: boolean;
  /** Read with ReadOptions.digest: the files went to the sink and were not kept. */
  digested?: boolean;
  /** base.command's output, when it ran. */
  commandOutput?: string;
  /** The namespace base objects that name none get: duplicates are judged by it. */
  defaultNamespace?: string;
}

export async function readApp(dirArg: string, opts: ReadOptions = {}): Promise<LoadedApp> {
  return loadSources(await readSources(dirArg, opts));
}

/** Parses what readSources read: kubefork.yaml if not yet, the forks, then the base (once: a second call returns the same app). */
export async function loadSources(sources: AppSources): Promise<LoadedApp> {
  const { app } = sources;
  if (!sources.plan || sources.loaded || sources.digested) return app;
  sources.loaded = true;
  const { loadBase, loadForks, loadManager } = await import("../load/app.ts");
  if (!app.manager) {
    // A known plan: these bytes parsed into a valid ForkManager before, and parse into it again.
    const m = loadManager(sources.managerFile);
    app.problems.push(...m.problems);
    if (!m.manager) return app;
    app.manager = m.manager;
  }
  const forks = loadForks(sources.forkTexts);
  app.forks = forks.forks;
  app.forkProblems.push(...forks.problems);
  if (!sources.baseTexts) return app;
  const base = loadBase(sources.baseTexts, undefined, sources.defaultNamespace);
  app.base = base.manifests;
  app.problems.push(...base.problems);
  return app;
}

/** Reads kubefork.yaml (parsed, unless its plan is known: it says what else to read), the fork files and the base, without parsing them. */
export async function readSources(dirArg: string, opts: ReadOptions = {}): Promise<AppSources> {
  const dir = resolve(dirArg);
  const app: LoadedApp = { dir, base: [], forks: [], forkFiles: [], problems: [], forkProblems: [] };
  const sources: AppSources = { app, forkTexts: [] };
  const root = appRoot(dir, dirArg, app.problems);
  if (root === undefined) return sources;
  const plan = await readManager(root, sources, opts);
  if (!plan) return sources;
  sources.plan = plan;
  const intake = intakeFor(plan, sources.managerFile, opts);
  if (!readForkFiles(root, plan, sources, intake)) return sources;
  const baseTexts = plan.baseCommand ? await readCommandBase(root, plan.baseCommand, sources, opts, intake) : readBaseFiles(root, plan, app.problems, intake);
  if (!baseTexts) return sources;
  sources.baseTexts = baseTexts;
  if (intake.sink) sources.digested = true;
  sources.defaultNamespace = (opts.defaultNamespace ?? ((ns) => ns || "default"))(plan.namespace);
  return sources;
}

/** The app directory, resolved; undefined (and the problem) when it is not a readable directory. */
function appRoot(dir: string, dirArg: string, problems: Problem[]): string | undefined {
  try {
    const root = realpathSync(dir);
    if (!statSync(root).isDirectory()) throw new Error("not a directory");
    return root;
  } catch {
    problems.push(error({ code: "KF1012", message: `cannot read the app directory ${dirArg}`, hint: "pass the directory that holds kubefork.yaml" }));
    return undefined;
  }
}

/** kubefork.yaml's manager, parsed when first asked for (only when its plan is not known, or base.command failed). */
const parsedManager = async (file: SourceFile | undefined) => (await import("../load/app.ts")).loadManager(file);

/** Reads kubefork.yaml and gives its plan: the known one for these bytes, else parsed (app.manager set); undefined when it is missing or invalid. */
async function readManager(root: string, sources: AppSources, opts: ReadOptions): Promise<ReadPlan | undefined> {
  const { app } = sources;
  const reported = app.problems.length;
  const managerFile = readText(root, MANAGER_FILE, app.problems, LIMITS.managerFileBytes, true);
  // A kubefork.yaml that is there but cannot be read has its problem: it is not also "missing".
  if (!managerFile && app.problems.length > reported) return undefined;
  if (managerFile) sources.managerFile = managerFile;
  const known = managerFile ? opts.knownPlan?.(managerFile) : undefined;
  if (known) {
    sources.planKnown = true;
    return known;
  }
  const m = await parsedManager(managerFile ?? undefined);
  app.problems.push(...m.problems);
  if (!m.manager) return undefined;
  app.manager = m.manager;
  return readPlanOf(m.manager);
}

/** forksDir as a path relative to the app directory, without a trailing slash. */
const forksDirOf = (plan: ReadPlan) => plan.forksDir.replace(/\/+$/, "");

/** Where files go as they are read: kept in their lists, or (ReadOptions.digest) hashed and dropped. */
interface Intake {
  sink?: InputSink;
  /** With a sink every file is read into this one buffer, hashed and dropped. */
  scratch?: { buf: Buffer };
  take(kind: "fork" | "base", t: SourceFile, list: SourceFile[]): void;
}

function intakeFor(plan: ReadPlan, managerFile: SourceFile | undefined, opts: ReadOptions): Intake {
  const sink = opts.digest?.(plan);
  if (!sink) return { take: (_kind, t, list) => void list.push(t) };
  if (managerFile) sink("manager", managerFile.path, managerFile.bytes);
  return { sink, scratch: { buf: Buffer.allocUnsafeSlow(1 << 20) }, take: (kind, t) => sink(kind, t.path, t.bytes) };
}

/**
 * Fork files: *.yaml / *.yml directly in forksDir. Every other entry there is an error of its own
 * (never skipped) that fails that entry's fork only (render --shared renders the rest with a
 * warning naming it). False when there are more than kubefork reads: nothing else is read.
 */
function readForkFiles(root: string, plan: ReadPlan, sources: AppSources, intake: Intake): boolean {
  const { app } = sources;
  const forksDir = forksDirOf(plan);
  const plain = new Map<string, number>();
  const listed: Problem[] = [];
  const names = listFiles(root, forksDir, listed, { recursive: false, everyEntry: true, plain });
  // The directory itself unreadable (or outside, or a loop): no render can tell which forks there
  // are, so every render fails, --shared too (it would drop every fork's routing). An entry's
  // problem fails only that entry's fork.
  for (const p of listed) (p.file === forksDir ? app.problems : app.forkProblems).push(p);
  const forkFiles = names.filter((f) => {
    if (isForkFile(f) || f.slice(f.lastIndexOf("/") + 1).startsWith(".")) return isForkFile(f);
    app.forkProblems.push(error({ code: "KF1013", file: f, message: "not a fork file: the forks directory holds only <id>.yaml files", hint: `rename it to ${forksDir}/<id>.yaml if it is a fork, or move it out of ${forksDir}/` }));
    return false;
  });
  if (forkFiles.length > LIMITS.forkFiles) {
    app.problems.push(error({ code: "KF1014", file: forksDir, message: `${forkFiles.length} fork files, more than the ${LIMITS.forkFiles} kubefork reads`, hint: "remove forks that are done (kubefork gc removes expired ones)" }));
    return false;
  }
  for (const f of forkFiles) {
    app.forkFiles.push(f);
    const t = readText(root, f, app.forkProblems, LIMITS.forkFileBytes, false, plain.get(f), intake.scratch);
    if (t) intake.take("fork", t, sources.forkTexts);
  }
  return true;
}

/** The base as base.command prints it (or as it printed it for an earlier read), one file; undefined when it failed. */
async function readCommandBase(root: string, command: string[], sources: AppSources, opts: ReadOptions, intake: Intake): Promise<SourceFile[] | undefined> {
  const { app } = sources;
  const out = opts.commandOutput !== undefined ? { stdout: opts.commandOutput } : await runBaseCommand(root, command, opts.signal, opts.baseCommandTimeoutMs ?? BASE_COMMAND_TIMEOUT_MS);
  if ("problem" in out) {
    const pos = (app.manager ?? (await parsedManager(sources.managerFile)).manager)?.doc?.locate(["spec", "base", "command"]);
    app.problems.push({ ...out.problem, file: MANAGER_FILE, line: pos?.line, column: pos?.column, path: "spec.base.command" });
    return undefined;
  }
  sources.commandOutput = out.stdout;
  const baseTexts: SourceFile[] = [];
  intake.take("base", { path: `$(${command.join(" ")})`, text: out.stdout, bytes: out.stdout }, baseTexts);
  return baseTexts;
}

/** The base files spec.base.paths selects, outside forksDir, in their canonical order; undefined when they are more than kubefork reads. */
function readBaseFiles(root: string, plan: ReadPlan, problems: Problem[], intake: Intake): SourceFile[] | undefined {
  const forksDir = forksDirOf(plan);
  const isBase = baseFileFilter({ spec: { forksDir: plan.forksDir, base: { paths: plan.basePaths } } });
  const plain = new Map<string, number>();
  const baseTexts: SourceFile[] = [];
  let total = 0;
  for (const f of listFiles(root, "", problems, { recursive: true, keep: isBase, skipDir: (d) => d === forksDir, plain })) {
    const t = readText(root, f, problems, LIMITS.baseFileBytes, false, plain.get(f), intake.scratch);
    if (!t) continue;
    total += t.bytes.length;
    if (total > LIMITS.baseTotalBytes) {
      problems.push(error({ code: "KF1015", file: f, message: `the base files exceed ${LIMITS.baseTotalBytes} bytes in all; kubefork stops reading here`, hint: "split the application, or narrow spec.base.paths" }));
      return undefined;
    }
    intake.take("base", t, baseTexts);
  }
  return baseTexts;
}

interface ListOptions {
  /** Descend into subdirectories (the base); else a directory entry is skipped, or reported with `everyEntry`. */
  recursive: boolean;
  /** Files to list (the rest are not inputs: a README, a chart's values). */
  keep?: (path: string) => boolean;
  /** Directories never walked (the forks directory, in the base walk). */
  skipDir?: (path: string) => boolean;
  /**
   * Every entry is an input (the forks directory): a directory, or a dangling, outside or
   * non-regular entry of any name, is reported. Else only those named like a manifest are.
   */
  everyEntry?: boolean;
  /** Filled with every listed file that is a regular file, not a link, and its size (-1: not asked; readText reads those directly). */
  plain?: Map<string, number>;
}

/**
 * Files under `sub` (relative paths with `/`, sorted bytewise). Refuses what resolves outside the
 * app directory (the starting directory included), a directory reached twice (a link loop),
 * dangling links named like manifests (a silently missing manifest would be pruned), a directory or
 * entry that cannot be read, a name that is not UTF-8, and more than LIMITS.files files or
 * LIMITS.dirDepth levels. Only a missing `sub` is empty without a word (no forks yet).
 */
function listFiles(root: string, sub: string, problems: Problem[], opts: ListOptions): string[] {
  const walk = new FileWalk(root, sub, problems, opts);
  walk.directoryAt(sub, 0);
  return walk.files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** One listing of listFiles: its options, what it found, and the directories it has been in. */
class FileWalk {
  readonly files: string[] = [];
  readonly #seen = new Set<string>();
  #count = 0;
  readonly #keep: (path: string) => boolean;
  constructor(
    readonly root: string,
    readonly sub: string,
    readonly problems: Problem[],
    readonly opts: ListOptions,
  ) {
    this.#keep = opts.keep ?? (() => true);
  }

  #report(code: ProblemCode, file: string, message: string, hint?: string): void {
    this.problems.push(error({ code, file, message, hint }));
  }

  #inside(target: string): boolean {
    return target === this.root || target.startsWith(this.root + sep);
  }

  #outside(r: string, target: string): void {
    this.#report("KF1019", r, `the link points outside the app directory (${target})`, "kubefork reads only files inside the app directory; copy the file in instead of linking it");
  }

  #unreadable(r: string, e: unknown, what = "the directory"): void {
    this.#report("KF1020", r, `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, "make it readable by the user kubefork runs as");
  }

  /** Walks the directory `rel`, `depth` levels below `sub`; false stops the whole walk. */
  directoryAt(rel: string, depth: number): boolean {
    const entered = this.#enter(rel, depth);
    if (entered !== "ok") return entered === "missing";
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(join(this.root, rel), { encoding: "buffer", withFileTypes: true });
    } catch (e) {
      this.#unreadable(rel || ".", e);
      return false;
    }
    for (const dirent of entries) {
      const raw = dirent.name;
      const name = decodeUtf8(raw);
      if (name === null) {
        this.#report("KF1021", rel ? `${rel}/${raw.toString("utf8")}` : raw.toString("utf8"), "the name is not valid UTF-8", "rename it: kubefork reads only UTF-8 names");
        continue;
      }
      if (!this.#entry(rel ? `${rel}/${name}` : name, name, depth, dirent)) return false;
    }
    return true;
  }

  /** Resolves a directory to walk and checks it: inside the app directory, not seen before, not too deep. */
  #enter(rel: string, depth: number): "ok" | "missing" | "refused" {
    let real: string;
    try {
      real = realpathSync(join(this.root, rel));
    } catch (e) {
      // No such directory (e.g. no forks yet); a dangling link there is no absence but a problem.
      if (rel === this.sub && (e as NodeJS.ErrnoException).code === "ENOENT" && !isLink(join(this.root, rel))) return "missing";
      this.#unreadable(rel, e);
      return "refused";
    }
    if (!this.#inside(real)) {
      this.#outside(rel, real);
      return "refused";
    }
    if (this.#seen.has(real)) {
      this.#report("KF1022", rel, `the directory is reached twice (a link loop, or a link to a directory already read)`, "remove the link: every manifest must be read once");
      return "refused";
    }
    this.#seen.add(real);
    if (depth > LIMITS.dirDepth) {
      this.#report("KF1018", rel, `directories nest deeper than ${LIMITS.dirDepth} levels`, "flatten the app directory");
      return "refused";
    }
    return "ok";
  }

  #file(r: string, plainSize?: number): boolean {
    if (!this.#keep(r)) return true;
    if (++this.#count > LIMITS.files) {
      this.#report("KF1017", r, `more than ${LIMITS.files} files in the app directory; kubefork stops reading here`, "narrow spec.base.paths, or split the application");
      return false;
    }
    this.files.push(r);
    if (this.opts.plain && plainSize !== undefined) this.opts.plain.set(r, plainSize);
    return true;
  }

  #directory(r: string, name: string, depth: number): boolean {
    if (name.startsWith(".") || this.opts.skipDir?.(r)) return true;
    if (this.opts.recursive) return this.directoryAt(r, depth + 1);
    if (this.opts.everyEntry) this.#report("KF1013", r, "a directory where only files are read", "move it out");
    return true;
  }

  #entry(r: string, name: string, depth: number, type: Dirent<Buffer>): boolean {
    // The type readdir gives (d_type): a regular file or a directory, no link, needs no lstat.
    if (type.isFile()) return this.#file(r, -1);
    if (type.isDirectory()) return this.#directory(r, name, depth);
    const st = this.#statOther(r, name);
    if (!st) return true;
    if (st.stats.isDirectory()) return this.#directory(r, name, depth);
    if (st.stats.isFile()) return this.#file(r, st.link ? undefined : st.stats.size);
    // A pipe, a socket, a device: never read, and never passed over without a word if it is an input.
    if (this.#counts(r, name)) this.#report("KF1024", r, "not a regular file (a pipe, socket or device)", "kubefork reads regular files only: replace it with the file it stands for");
    return true;
  }

  /** Whether an entry that cannot be read as a file is an input, to be reported: see ListOptions.everyEntry. */
  #counts(r: string, name: string): boolean {
    // A hidden entry of the forks directory (`.gitkeep`, an editor's `.#eve.yaml` lock link) is no fork, as a hidden file there is not.
    const input = this.opts.everyEntry === true ? !name.startsWith(".") : /\.(ya?ml|json)$/.test(name);
    return input && this.#keep(r);
  }

  /**
   * An entry whose type readdir did not tell, or a link: what it is (a link resolved, when its
   * target is inside the app directory); undefined when it is to be passed over, reported or not.
   */
  #statOther(r: string, name: string): { stats: Stats; link: boolean } | undefined {
    const abs = `${this.root}/${r}`; // r: names from readdir, joined by "/": nothing to normalise
    try {
      const st = lstatSync(abs);
      if (!st.isSymbolicLink()) return { stats: st, link: false };
      let target: string;
      try {
        target = realpathSync(abs);
      } catch {
        if (this.#counts(r, name)) this.#report("KF1023", r, "the link is dangling (its target does not exist, or it loops)", "fix or remove the link");
        return undefined;
      }
      if (!this.#inside(target)) {
        if (this.#counts(r, name) || statSync(target).isDirectory()) this.#outside(r, target);
        return undefined;
      }
      return { stats: statSync(abs), link: true };
    } catch (e) {
      this.#unreadable(r, e, "it");
      return undefined;
    }
  }
}

/**
 * Reads a file of the app directory. `listedSize`: listFiles found it a regular file, not a link,
 * of that size (-1: not known), in a directory that resolves inside the app directory; it is then
 * read at once (opened without following links), else resolved and checked first.
 */
function readText(root: string, rel: string, problems: Problem[], maxBytes: number, optional = false, listedSize?: number, scratch?: { buf: Buffer }): SourceFile | null {
  const tooLarge = (size: number): null => {
    problems.push(error({ code: "KF1025", file: rel, message: `the file is ${size} bytes, more than the ${maxBytes} kubefork reads from such a file`, hint: "split it, or check that it is what it should be" }));
    return null;
  };
  if (listedSize !== undefined) {
    if (listedSize > maxBytes) return tooLarge(listedSize);
    // rel: names from readdir joined by "/", nothing to normalise.
    const buf = readListed(`${root}/${rel}`, listedSize, maxBytes, scratch);
    if (buf) return utf8File(rel, buf, problems);
    // Changed since it was listed, or unreadable: the careful way below names the problem.
  }
  const abs = join(root, rel);
  let buf: Buffer;
  try {
    // Whatever the path, the file read is the one it resolves to: refuse anything outside.
    const real = realpathSync.native(abs);
    if (real !== root && !real.startsWith(root + sep)) {
      problems.push(error({ code: "KF1019", file: rel, message: `the file resolves outside the app directory (${real})`, hint: "kubefork reads only files inside the app directory; copy the file in instead of linking it" }));
      return null;
    }
    const st = statSync(real);
    if (!st.isFile()) {
      problems.push(error({ code: "KF1024", file: rel, message: "not a regular file", hint: "kubefork reads regular files only (not devices, sockets or pipes)" }));
      return null;
    }
    if (st.size > maxBytes) return tooLarge(st.size);
    buf = readFileSync(real);
    if (buf.length > maxBytes) return tooLarge(buf.length);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!optional || code !== "ENOENT") problems.push(error({ code: "KF1020", file: rel, message: `cannot read the file${code ? ` (${code})` : ""}`, hint: code === "EACCES" ? "make it readable by the user kubefork runs as" : undefined }));
    return null;
  }
  return utf8File(rel, buf, problems);
}

/**
 * A listed file's bytes: open (never through a link), read, close; undefined when it cannot be
 * read so, is larger than `max`, or its size is no longer the listed one (`size` -1: not known).
 * Into `scratch` when given: valid until the next read.
 */
function readListed(abs: string, size: number, max: number, scratch?: { buf: Buffer }): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const known = size >= 0 ? size : scratch ? -1 : fstatSync(fd).size;
    if (known > max) return undefined;
    // One byte more than expected: a regular file reads short only at its end.
    let buf = scratch?.buf ?? Buffer.allocUnsafeSlow(known + 1);
    if (buf.length < known + 1) buf = Buffer.allocUnsafeSlow(2 * (known + 1));
    let n = 0;
    for (;;) {
      const want = buf.length - n;
      const k = readSync(fd, buf, n, want, null);
      n += k;
      if (k < want || n > max || (known >= 0 && n > known)) break;
      if (n === buf.length) {
        const grown = Buffer.allocUnsafeSlow(2 * buf.length);
        buf.copy(grown, 0, 0, n);
        buf = grown;
      }
    }
    if (scratch) scratch.buf = buf;
    return n > max || (known >= 0 && n !== known) ? undefined : buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function utf8File(rel: string, buf: Buffer, problems: Problem[]): SourceFile | null {
  if (!isUtf8(buf)) {
    problems.push(error({ code: "KF1026", file: rel, line: lineOfInvalidUtf8(buf), message: "the file is not valid UTF-8", hint: "save it as UTF-8" }));
    return null;
  }
  return sourceFile(sep === "/" ? rel : rel.split(sep).join("/"), buf);
}

/** A file of valid UTF-8 bytes; its text, decoded on first use, has no leading BOM (not even two). */
class Utf8File implements SourceFile {
  #text: string | undefined;
  constructor(
    readonly path: string,
    readonly bytes: Buffer,
  ) {}
  get text(): string {
    return (this.#text ??= withoutBom(decodeValid(this.bytes)));
  }
}

function sourceFile(path: string, bytes: Buffer): SourceFile {
  return new Utf8File(path, bytes);
}

const withoutBom = (s: string) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);

/** Bytes known to be valid UTF-8, decoded as TextDecoder does by default (a leading BOM dropped). */
const decodeValid = (buf: Buffer) => withoutBom(buf.toString("utf8"));

/** UTF-8 bytes as TextDecoder("utf-8", { fatal: true }) decodes them, or null when they are not valid UTF-8. */
function decodeUtf8(buf: Buffer): string | null {
  return isUtf8(buf) ? decodeValid(buf) : null;
}

function lineOfInvalidUtf8(buf: Buffer): number {
  // Decode line by line until one fails.
  let line = 1;
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || buf[i] === 0x0a) {
      if (!isUtf8(buf.subarray(start, i))) return line;
      line++;
      start = i + 1;
    }
  }
  return 1;
}

/** After base.command exits, how long its killed process group may take to close the pipes. */
const BASE_COMMAND_DRAIN_MS = 2_000;

/**
 * Runs base.command in a process group of its own (detached), so that the whole group can be
 * killed: at the timeout, on abort (SIGTERM), and as soon as the command itself exits, so that a
 * descendant left running (`sleep 600 &`) that still holds stdout cannot hold the render. A
 * descendant that left the group is cut off: its pipes are dropped BASE_COMMAND_DRAIN_MS later.
 */
async function runBaseCommand(cwd: string, command: string[], signal: AbortSignal | undefined, timeoutMs: number): Promise<CommandOutcome> {
  return new Promise((resolvePromise) => void new BaseCommandRun(cwd, command, signal, timeoutMs, resolvePromise));
}

type CommandOutcome = { stdout: string } | { problem: Problem };

/** One run of base.command: its process group, what it printed, and why it ended; it resolves once. */
class BaseCommandRun {
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;
  readonly #out: Buffer[] = [];
  readonly #err: Buffer[] = [];
  #size = 0;
  #stopped: { code: ProblemCode; why: string } | undefined;
  #exit: { code: number | null; sig: string | null } | undefined;
  #done = false;
  readonly #timer: NodeJS.Timeout;
  readonly #onAbort = () => this.#stop("KF1010", "was stopped (kubefork was asked to stop)");

  constructor(
    cwd: string,
    readonly command: string[],
    readonly signal: AbortSignal | undefined,
    timeoutMs: number,
    readonly resolve: (outcome: CommandOutcome) => void,
  ) {
    const [cmd, ...args] = command;
    // node:child_process (with net and streams) is loaded only here: most apps have no base.command.
    const { spawn } = process.getBuiltinModule("node:child_process");
    this.#child = spawn(cmd!, args, { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (this.#child.pid !== undefined) groupStarted(this.#child.pid);
    this.#timer = setTimeout(() => this.#stop("KF1031", `was stopped after ${timeoutMs / 1000}s`), timeoutMs);
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (signal?.aborted) this.#onAbort();
    this.#capture();
    this.#child.on("error", (e: NodeJS.ErrnoException) => this.#finish({ problem: notStarted(cmd!, e) }));
    const settle = () => this.#finish(commandResult(`base.command \`${command.join(" ")}\``, this.#exit!, this.#stopped, this.#out, this.#err));
    this.#child.on("exit", (code, sig) => {
      this.#exit = { code, sig };
      this.#killGroup(); // what the command left running
      setTimeout(settle, BASE_COMMAND_DRAIN_MS).unref();
    });
    this.#child.on("close", () => {
      if (this.#exit) settle();
    });
  }

  /** Keeps stdout up to the base's size limit (the command is stopped past it) and the start of stderr. */
  #capture(): void {
    this.#child.stdout.on("data", (d: Buffer) => {
      this.#size += d.length;
      if (this.#size > LIMITS.baseTotalBytes) this.#stop("KF1015", `printed more than ${LIMITS.baseTotalBytes} bytes; it was stopped`);
      else this.#out.push(d);
    });
    this.#child.stderr.on("data", (d: Buffer) => {
      if (this.#err.length < 64) this.#err.push(d);
    });
  }

  #killGroup(): void {
    if (this.#child.pid !== undefined) killProcessGroup(this.#child.pid);
  }

  #stop(code: ProblemCode, why: string): void {
    this.#stopped ??= { code, why };
    this.#killGroup();
  }

  #finish(outcome: CommandOutcome): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.signal?.removeEventListener("abort", this.#onAbort);
    this.#child.stdout.destroy();
    this.#child.stderr.destroy();
    if (this.#child.pid !== undefined) groupEnded(this.#child.pid);
    this.resolve(outcome);
  }
}

function notStarted(cmd: string, e: NodeJS.ErrnoException): Problem {
  return error({
    code: "KF1030",
    message: e.code === "ENOENT" ? `base.command: ${cmd} is not installed` : `base.command failed to start: ${e.message}`,
    hint: e.code === "ENOENT" ? `install ${cmd} in the kubefork image (see Dockerfile), or use spec.base.paths` : undefined,
  });
}

function commandResult(shown: string, exit: { code: number | null; sig: string | null }, stopped: { code: ProblemCode; why: string } | undefined, out: Buffer[], err: Buffer[]): CommandOutcome {
  const hint = "run the command in the app directory to see the problem";
  if (stopped) return { problem: error({ code: stopped.code, message: `${shown} ${stopped.why}`, hint }) };
  if (exit.code === 0) {
    const buf = Buffer.concat(out);
    const stdout = decodeUtf8(buf);
    if (stdout === null) return { problem: error({ code: "KF1032", message: `${shown} printed output that is not valid UTF-8 (line ${lineOfInvalidUtf8(buf)} of its output)`, hint: "make the command print UTF-8" }) };
    return { stdout };
  }
  const stderr = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-5).join("\n    ");
  return {
    problem: error({
      code: "KF1033",
      message: exit.sig ? `${shown} was stopped (${exit.sig})` : `${shown} exited with ${exit.code}${stderr ? `:\n    ${stderr}` : ""}`,
      hint,
    }),
  };
}
