// Runs the bundled CLI (dist/kubefork.cjs, built once by test/global-setup.ts) as a user would.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE, ROOT } from "../helpers/cli.ts";

export { ROOT };
export const BOOKSHOP = join(ROOT, "fixtures/bookshop/app");
export const NOW = ["--now", "2026-11-23T12:00:00Z"];

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function kubefork(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...opts.env };
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { cwd: opts.cwd ?? ROOT, encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the bookshop app in a fresh temporary directory. */
export function bookshopCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "kubefork-review-"));
  cpSync(BOOKSHOP, join(dir, "app"), { recursive: true });
  return join(dir, "app");
}
