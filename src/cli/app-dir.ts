// Reads an app directory from disk (or runs base.command) and loads it. The only file-system
// access of a render lives here and in the commands.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { baseFileFilter, isForkFile, loadBase, loadForks, loadManager, MANAGER_FILE, type LoadedFork, type LoadedManager, type Manifest } from "../load/app.ts";
import { DEFAULT_LIMITS, type TextFile } from "../load/documents.ts";
import { LIMITS } from "../load/limits.ts";
import { error, type Problem } from "../problems.ts";

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

export interface ReadOptions {
  /** Signal to abort base.command (SIGTERM handling). */
  signal?: AbortSignal;
}

/** The app directory as read, before the forks and the base are parsed: what a render cache keys by. */
export interface AppSources {
  app: LoadedApp;
  /** kubefork.yaml as read. */
  managerFile?: TextFile;
  forkTexts: TextFile[];
  /** Base files in their canonical order (or base.command's output as one file); unset when reading stopped. */
  baseTexts?: TextFile[];
  /** Set once loadSources has parsed them into `app`. */
  loaded?: boolean;
}

export async function readApp(dirArg: string, opts: ReadOptions = {}): Promise<LoadedApp> {
  return loadSources(await readSources(dirArg, opts));
}

/** Parses what readSources read: the forks, then the base (once: a second call returns the same app). */
export function loadSources(sources: AppSources): LoadedApp {
  const { app } = sources;
  if (!app.manager || sources.loaded) return app;
  sources.loaded = true;
  const forks = loadForks(sources.forkTexts, DEFAULT_LIMITS);
  app.forks = forks.forks;
  app.forkProblems.push(...forks.problems);
  if (!sources.baseTexts) return app;
  const base = loadBase(sources.baseTexts, DEFAULT_LIMITS);
  app.base = base.manifests;
  app.problems.push(...base.problems);
  return app;
}

/** Reads kubefork.yaml (parsed: it says what else to read), the fork files and the base, without parsing them. */
export async function readSources(dirArg: string, opts: ReadOptions = {}): Promise<AppSources> {
  const dir = resolve(dirArg);
  const app: LoadedApp = { dir, base: [], forks: [], forkFiles: [], problems: [], forkProblems: [] };
  const forkTexts: TextFile[] = [];
  const sources: AppSources = { app, forkTexts };
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(root).isDirectory()) throw new Error("not a directory");
  } catch {
    app.problems.push(error({ message: `cannot read the app directory ${dirArg}`, hint: "pass the directory that holds kubefork.yaml" }));
    return sources;
  }

  const managerFile = readText(root, MANAGER_FILE, app.problems, LIMITS.managerFileBytes, true);
  if (managerFile) sources.managerFile = managerFile;
  const m = loadManager(managerFile ?? undefined);
  app.problems.push(...m.problems);
  if (!m.manager) return sources;
  app.manager = m.manager;
  const spec = m.manager.manager.spec;

  // Fork files: *.yaml / *.yml directly in forksDir.
  const forksDir = spec.forksDir.replace(/\/+$/, "");
  const forkFiles = listFiles(root, forksDir, app.problems, false).filter(isForkFile);
  if (forkFiles.length > LIMITS.forkFiles) {
    app.problems.push(error({ file: forksDir, message: `${forkFiles.length} fork files, more than the ${LIMITS.forkFiles} kubefork reads`, hint: "remove forks that are done (kubefork gc removes expired ones)" }));
    return sources;
  }
  for (const f of forkFiles) {
    app.forkFiles.push(f);
    const t = readText(root, f, app.forkProblems, LIMITS.forkFileBytes);
    if (t) forkTexts.push(t);
  }

  // The base: a command's output, or files.
  let baseTexts: TextFile[];
  if (spec.base?.command) {
    const out = await runBaseCommand(root, spec.base.command, opts.signal);
    if ("problem" in out) {
      const pos = m.manager.doc?.locate(["spec", "base", "command"]);
      app.problems.push({ ...out.problem, file: MANAGER_FILE, line: pos?.line, column: pos?.column, path: "spec.base.command" });
      return sources;
    }
    baseTexts = [{ path: `$(${spec.base.command.join(" ")})`, text: out.stdout }];
  } else {
    const isBase = baseFileFilter(m.manager.manager);
    baseTexts = [];
    let total = 0;
    for (const f of listFiles(root, "", app.problems, true, isBase)) {
      const t = readText(root, f, app.problems, LIMITS.baseFileBytes);
      if (!t) continue;
      total += t.text.length;
      if (total > LIMITS.baseTotalBytes) {
        app.problems.push(error({ file: f, message: `the base files exceed ${LIMITS.baseTotalBytes} bytes in all; kubefork stops reading here`, hint: "split the application, or narrow spec.base.paths" }));
        return sources;
      }
      baseTexts.push(t);
    }
  }
  sources.baseTexts = baseTexts;
  return sources;
}

/**
 * Files under `sub` (relative paths with `/`, sorted bytewise). Refuses what resolves outside the
 * app directory (the starting directory included), a directory reached twice (a link loop),
 * dangling links named like manifests (a silently missing manifest would be pruned), and more
 * than LIMITS.files files or LIMITS.dirDepth levels.
 */
function listFiles(root: string, sub: string, problems: Problem[], recursive: boolean, keep: (path: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let count = 0;
  const inside = (target: string) => target === root || target.startsWith(root + sep);
  const outside = (r: string, target: string) =>
    problems.push(error({ file: r, message: `the link points outside the app directory (${target})`, hint: "kubefork reads only files inside the app directory; copy the file in instead of linking it" }));
  const walk = (rel: string, depth: number): boolean => {
    let real: string;
    try {
      real = realpathSync(join(root, rel));
    } catch {
      return true; // no such directory (e.g. no forks yet)
    }
    if (!inside(real)) {
      outside(rel, real);
      return false;
    }
    if (seen.has(real)) {
      problems.push(error({ file: rel, message: `the directory is reached twice (a link loop, or a link to a directory already read)`, hint: "remove the link: every manifest must be read once" }));
      return false;
    }
    seen.add(real);
    if (depth > LIMITS.dirDepth) {
      problems.push(error({ file: rel, message: `directories nest deeper than ${LIMITS.dirDepth} levels`, hint: "flatten the app directory" }));
      return false;
    }
    let entries: string[];
    try {
      entries = readdirSync(join(root, rel));
    } catch {
      return true;
    }
    for (const name of entries) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = join(root, r);
      const manifestName = /\.(ya?ml|json)$/.test(name);
      let st;
      try {
        st = lstatSync(abs);
        if (st.isSymbolicLink()) {
          let target: string;
          try {
            target = realpathSync(abs);
          } catch {
            if (manifestName && keep(r))
              problems.push(error({ file: r, message: "the link is dangling (its target does not exist, or it loops)", hint: "fix or remove the link" }));
            continue;
          }
          if (!inside(target)) {
            if ((manifestName && keep(r)) || statSync(target).isDirectory()) outside(r, target);
            continue;
          }
          st = statSync(abs);
        }
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (recursive && !name.startsWith(".") && !walk(r, depth + 1)) return false;
      } else if (st.isFile() && keep(r)) {
        if (++count > LIMITS.files) {
          problems.push(error({ file: r, message: `more than ${LIMITS.files} files in the app directory; kubefork stops reading here`, hint: "narrow spec.base.paths, or split the application" }));
          return false;
        }
        out.push(r);
      }
    }
    return true;
  };
  walk(sub, 0);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readText(root: string, rel: string, problems: Problem[], maxBytes: number, optional = false): TextFile | null {
  const abs = join(root, rel);
  let buf: Buffer;
  try {
    // Whatever the path, the file read is the one it resolves to: refuse anything outside.
    const real = realpathSync(abs);
    if (real !== root && !real.startsWith(root + sep)) {
      problems.push(error({ file: rel, message: `the file resolves outside the app directory (${real})`, hint: "kubefork reads only files inside the app directory; copy the file in instead of linking it" }));
      return null;
    }
    const st = statSync(real);
    if (!st.isFile()) {
      problems.push(error({ file: rel, message: "not a regular file" }));
      return null;
    }
    if (st.size > maxBytes) {
      problems.push(error({ file: rel, message: `the file is ${st.size} bytes, more than the ${maxBytes} kubefork reads from such a file`, hint: "split it, or check that it is what it should be" }));
      return null;
    }
    buf = readFileSync(real);
    if (buf.length > maxBytes) {
      problems.push(error({ file: rel, message: `the file is ${buf.length} bytes, more than the ${maxBytes} kubefork reads from such a file`, hint: "split it, or check that it is what it should be" }));
      return null;
    }
  } catch {
    if (!optional) problems.push(error({ file: rel, message: "cannot read the file" }));
    return null;
  }
  const text = decodeUtf8(buf);
  if (text === null) {
    problems.push(error({ file: rel, line: lineOfInvalidUtf8(buf), message: "the file is not valid UTF-8", hint: "save it as UTF-8" }));
    return null;
  }
  return { path: rel.split(sep).join("/"), text: text.replace(/^\uFEFF/, "") };
}

const decoder = new TextDecoder("utf-8", { fatal: true });
function decodeUtf8(buf: Buffer): string | null {
  try {
    return decoder.decode(buf);
  } catch {
    return null;
  }
}

function lineOfInvalidUtf8(buf: Buffer): number {
  // Decode line by line until one fails.
  let line = 1;
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || buf[i] === 0x0a) {
      if (decodeUtf8(buf.subarray(start, i)) === null) return line;
      line++;
      start = i + 1;
    }
  }
  return 1;
}

async function runBaseCommand(cwd: string, command: string[], signal?: AbortSignal): Promise<{ stdout: string } | { problem: Problem }> {
  return new Promise((resolvePromise) => {
    const [cmd, ...args] = command;
    // node:child_process (with net and streams) is loaded only here: most apps have no base.command.
    const { spawn } = process.getBuiltinModule("node:child_process");
    const child = spawn(cmd!, args, { cwd, stdio: ["ignore", "pipe", "pipe"], signal, timeout: BASE_COMMAND_TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    child.stdout.on("data", (d: Buffer) => {
      size += d.length;
      if (size > LIMITS.baseTotalBytes) {
        tooLarge = true;
        child.kill("SIGKILL");
      } else out.push(d);
    });
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      resolvePromise({
        problem: error({
          message: e.code === "ENOENT" ? `base.command: ${cmd} is not installed` : `base.command failed to start: ${e.message}`,
          hint: e.code === "ENOENT" ? `install ${cmd} in the kubefork image (see Dockerfile), or use spec.base.paths` : undefined,
        }),
      });
    });
    child.on("close", (code, sig) => {
      if (tooLarge) {
        resolvePromise({ problem: error({ message: `base.command \`${command.join(" ")}\` printed more than ${LIMITS.baseTotalBytes} bytes; it was stopped`, hint: "split the application" }) });
        return;
      }
      if (code === 0) {
        resolvePromise({ stdout: Buffer.concat(out).toString("utf8") });
        return;
      }
      const stderr = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-5).join("\n    ");
      resolvePromise({
        problem: error({
          message: sig ? `base.command \`${command.join(" ")}\` was stopped (${sig})${sig === "SIGTERM" ? ` after ${BASE_COMMAND_TIMEOUT_MS / 1000}s` : ""}` : `base.command \`${command.join(" ")}\` exited with ${code}${stderr ? `:\n    ${stderr}` : ""}`,
          hint: "run the command in the app directory to see the problem",
        }),
      });
    });
  });
}
