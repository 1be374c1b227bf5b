// Runs the bundled CLI as Argo CD's cmp-server would: a separate `node` process.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BUNDLE = join(ROOT, "dist/kubefork.cjs");
export const BOOKSHOP = join(ROOT, "fixtures/bookshop/app");

/** The `--now` of every test that does not set its own, and the flag that passes it. */
export const NOW = "2026-11-23T12:00:00Z";
export const NOW_ARGS = ["--now", NOW];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** The CLI process's environment: PATH and HOME of this one, NO_COLOR, then `env`. */
const cliEnv = (opts: CliOptions) => ({ PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", ...opts.env }) as NodeJS.ProcessEnv;

export function runCli(args: readonly string[], opts: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { cwd: opts.cwd ?? ROOT, env: cliEnv(opts), encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? (r.signal ? 128 : -1), stdout: r.stdout, stderr: r.stderr };
}

/** The CLI started, not waited for (to signal it); `done` resolves when it has exited and closed its output. */
export function startCli(args: readonly string[], opts: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult & { signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BUNDLE, ...args], { cwd: opts.cwd ?? ROOT, env: cliEnv(opts), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr })));
  return { child, done };
}

/** Copies an app directory to a fresh temp dir; `forks` keeps only those fork files (by identifier). */
export function copyApp(src: string, opts: { forks?: readonly string[]; forksDir?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "kubefork-"));
  cpSync(src, dir, { recursive: true });
  if (opts.forks) {
    const forksDir = join(dir, opts.forksDir ?? "forks");
    let files: string[] = [];
    try {
      files = readdirSync(forksDir);
    } catch {
      files = [];
    }
    for (const f of files) if (!opts.forks.includes(f.replace(/\.ya?ml$/, ""))) rmSync(join(forksDir, f));
  }
  return dir;
}

/** A copy of the bookshop app in a fresh temporary directory. */
export function bookshopCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "kubefork-review-"));
  cpSync(BOOKSHOP, join(dir, "app"), { recursive: true });
  return join(dir, "app");
}
