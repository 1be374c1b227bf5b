// `npm run test:fast`: the suites that do not spawn a process (the bundled CLI, git, a shell), so
// no bundle build and no process start-up: a quick loop while editing. `npm test` runs everything.
// A suite is slow when its own text runs a process: runCli (test/helpers/cli.ts), node:child_process
// or the bundle's path; everything else is fast. Chosen from the files themselves, so a new test
// file lands on the right side without a list to keep.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export const SPAWNS = /\brunCli\(|from "node:child_process"|\bBUNDLE\b/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? testFiles(p) : p.endsWith(".test.ts") ? [p] : [];
  });
}

export const FAST = testFiles("test")
  .filter((f) => !SPAWNS.test(readFileSync(f, "utf8")))
  .sort();

export default defineConfig({
  test: {
    include: FAST,
    testTimeout: 60_000,
  },
});
