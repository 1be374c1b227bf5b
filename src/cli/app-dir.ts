// Reads an app directory from disk (or runs base.command) and loads it. The only file-system
// access of a render lives here and in the commands.
import { spawn } from "node:child_process";
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { baseFileFilter, isForkFile, loadBase, loadForks, loadManager, MANAGER_FILE, type LoadedFork, type LoadedManager, type Manifest } from "../load/app.ts";
import { DEFAULT_LIMITS, type TextFile } from "../load/documents.ts";
import { error, type Problem } from "../problems.ts";

/** Largest file kubefork reads (a base file, a fork file, kubefork.yaml). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
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

export async function readApp(dirArg: string, opts: ReadOptions = {}): Promise<LoadedApp> {
  const dir = resolve(dirArg);
  const app: LoadedApp = { dir, base: [], forks: [], forkFiles: [], problems: [], forkProblems: [] };
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(root).isDirectory()) throw new Error("not a directory");
  } catch {
    app.problems.push(error({ message: `cannot read the app directory ${dirArg}`, hint: "pass the directory that holds kubefork.yaml" }));
    return app;
  }

  const managerFile = readText(root, MANAGER_FILE, app.problems, true);
  const m = loadManager(managerFile ?? undefined);
  app.problems.push(...m.problems);
  if (!m.manager) return app;
  app.manager = m.manager;
  const spec = m.manager.manager.spec;

  // Fork files: *.yaml / *.yml directly in forksDir.
  const forksDir = spec.forksDir.replace(/\/+$/, "");
  const forkTexts: TextFile[] = [];
  for (const f of listFiles(root, forksDir, app.forkProblems, false).filter(isForkFile)) {
    app.forkFiles.push(f);
    const t = readText(root, f, app.forkProblems);
    if (t) forkTexts.push(t);
  }
  const forks = loadForks(forkTexts, DEFAULT_LIMITS);
  app.forks = forks.forks;
  app.forkProblems.push(...forks.problems);

  // The base: a command's output, or files.
  let baseTexts: TextFile[];
  if (spec.base?.command) {
    const out = await runBaseCommand(root, spec.base.command, opts.signal);
    if ("problem" in out) {
      const pos = m.manager.doc?.locate(["spec", "base", "command"]);
      app.problems.push({ ...out.problem, file: MANAGER_FILE, line: pos?.line, column: pos?.column, path: "spec.base.command" });
      return app;
    }
    baseTexts = [{ path: `$(${spec.base.command.join(" ")})`, text: out.stdout }];
  } else {
    const isBase = baseFileFilter(m.manager.manager);
    baseTexts = [];
    for (const f of listFiles(root, "", app.problems, true).filter(isBase)) {
      const t = readText(root, f, app.problems);
      if (t) baseTexts.push(t);
    }
  }
  const base = loadBase(baseTexts, DEFAULT_LIMITS);
  app.base = base.manifests;
  app.problems.push(...base.problems);
  return app;
}

/** Files under `sub` (relative paths with `/`, sorted bytewise), refusing links that leave the directory. */
function listFiles(root: string, sub: string, problems: Problem[], recursive: boolean): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: string[];
    try {
      entries = readdirSync(join(root, rel));
    } catch {
      return;
    }
    for (const name of entries) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = join(root, r);
      let st;
      try {
        st = lstatSync(abs);
        if (st.isSymbolicLink()) {
          const target = realpathSync(abs);
          if (target !== root && !target.startsWith(root + sep)) {
            if (/\.(ya?ml|json)$/.test(name) || statSync(target).isDirectory())
              problems.push(error({ file: r, message: `the link points outside the app directory (${target})`, hint: "kubefork reads only files inside the app directory; copy the file in instead of linking it" }));
            continue;
          }
          st = statSync(abs);
        }
      } catch {
        continue; // a dangling link
      }
      if (st.isDirectory()) {
        if (recursive && !name.startsWith(".")) walk(r);
      } else if (st.isFile()) out.push(r);
    }
  };
  walk(sub);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readText(root: string, rel: string, problems: Problem[], optional = false): TextFile | null {
  const abs = join(root, rel);
  let buf: Buffer;
  try {
    const st = statSync(abs);
    if (st.size > MAX_FILE_BYTES) {
      problems.push(error({ file: rel, message: `the file is ${st.size} bytes, more than the ${MAX_FILE_BYTES} kubefork reads`, hint: "split it, or check that it is a manifest" }));
      return null;
    }
    buf = readFileSync(abs);
  } catch {
    if (!optional) problems.push(error({ file: rel, message: "cannot read the file" }));
    return null;
  }
  const text = decodeUtf8(buf);
  if (text === null) {
    problems.push(error({ file: rel, line: lineOfInvalidUtf8(buf), message: "the file is not valid UTF-8", hint: "save it as UTF-8" }));
    return null;
  }
  return { path: relative(root, abs).split(sep).join("/"), text: text.replace(/^\uFEFF/, "") };
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
    const child = spawn(cmd!, args, { cwd, stdio: ["ignore", "pipe", "pipe"], signal, timeout: BASE_COMMAND_TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    child.stdout.on("data", (d: Buffer) => {
      size += d.length;
      if (size > MAX_FILE_BYTES * 4) child.kill("SIGKILL");
      else out.push(d);
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
