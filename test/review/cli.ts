// Runs the bundled CLI (dist/kubefork.cjs) as a user would; builds it once per test file.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BOOKSHOP = join(ROOT, "fixtures/bookshop/app");
export const NOW = ["--now", "2026-11-23T12:00:00Z"];

let built = false;
export function build(): void {
  if (built) return;
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  built = true;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function kubefork(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Run {
  build();
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...opts.env };
  const r = spawnSync(process.execPath, [join(ROOT, "dist/kubefork.cjs"), ...args], { cwd: opts.cwd ?? ROOT, encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the bookshop app in a fresh temporary directory. */
export function bookshopCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "kubefork-review-"));
  cpSync(BOOKSHOP, join(dir, "app"), { recursive: true });
  return join(dir, "app");
}
