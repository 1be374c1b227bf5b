// What the bundle initialises at start-up (issue 7). Not a timing test (the bench measures time):
// it checks that `--version` and `--help` stay free of the work only commands need, which is what
// keeps every start cheap. A hook preloaded into the real bundle reports, at exit, whether zod was
// initialised (zod keeps its configuration in globalThis.__zod_globalConfig) and whether the two
// costly node built-ins were loaded (process.moduleLoadList). node:net is not among them: a piped
// stdout, as Argo CD's, needs it anyway. `render` computes in a worker thread (src/cli/main.ts), which
// the preloaded hook reports from too: what the process initialised is the union of the two. A
// render served from the cache starts no worker.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUNDLE, copyApp, ROOT } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "kubefork-startup-"));
const hook = join(dir, "hook.cjs");
writeFileSync(
  hook,
  `const { isMainThread } = require("node:worker_threads");
process.on("exit", () => {
  const zod = globalThis.__zod_globalConfig;
  const builtins = process.moduleLoadList.filter((m) => /^NativeModule (child_process|crypto)$/.test(m)).map((m) => m.slice(13));
  require("node:fs").writeSync(2, "\\nSTARTUP " + JSON.stringify({ thread: isMainThread ? "main" : "worker", zod: zod ? { english: typeof zod.localeError === "function" } : null, builtins }) + "\\n");
});
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Startup {
  zod: { english: boolean } | null;
  builtins: string[];
}

function start(args: string[], cwd = ROOT, env: Record<string, string> = {}): { code: number | null; stdout: string; startup: Startup; threads: string[] } {
  const r = spawnSync(process.execPath, ["--require", hook, BUNDLE, ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH, NO_COLOR: "1", ...env } });
  const reports = r.stderr
    .split("\n")
    .filter((l) => l.startsWith("STARTUP "))
    .map((l) => JSON.parse(l.slice("STARTUP ".length)) as Startup & { thread: string });
  expect(reports.map((t) => t.thread), `no report from the hook in the main thread; stderr:\n${r.stderr}`).toContain("main");
  const startup: Startup = { zod: reports.find((t) => t.zod)?.zod ?? null, builtins: [...new Set(reports.flatMap((t) => t.builtins))].sort() };
  return { code: r.status, stdout: r.stdout, startup, threads: reports.map((t) => t.thread) };
}

describe("start-up of the bundle", () => {
  it.each([["--version"], ["--help"], ["render", "--help"]])("%s initialises no zod schema and loads neither child_process nor crypto", (...args) => {
    const r = start(args);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toBe("");
    expect(r.startup).toEqual({ zod: null, builtins: [] });
  });

  it("render initialises zod with English messages, and no child_process without base.command", () => {
    const r = start(["render", "fixtures/bookshop/app", "--now", "2026-11-23T12:00:00Z"]);
    expect(r.code).toBe(0);
    expect(r.threads).toEqual(["worker", "main"]);
    expect(r.stdout).toContain("kind: VirtualService");
    expect(r.startup.zod).toEqual({ english: true });
    expect(r.startup.builtins).not.toContain("child_process");
  });

  it("render loads child_process when base.command runs (and the hook sees built-ins at all)", () => {
    const app = copyApp(join(ROOT, "fixtures/bookshop/app"), { forks: [] });
    try {
      const manager = join(app, "kubefork.yaml");
      const text = readFileSync(manager, "utf8");
      expect(text).toContain('paths: ["base/**/*.yaml"]');
      writeFileSync(manager, text.replace('paths: ["base/**/*.yaml"]', 'command: ["cat", "base/details.yaml"]'));
      const r = start(["render"], app);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("name: details-v1");
      expect(r.startup.builtins).toContain("child_process");
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it("a render served from the cache initialises no zod and no parser: it hashes and prints", () => {
    const tmp = mkdtempSync(join(tmpdir(), "kubefork-startup-cache-"));
    const apps = [0, 1].map(() => copyApp(join(ROOT, "fixtures/bookshop/app")));
    try {
      const args = (app: string) => ["render", app, "--fork", "alice", "--now", "2026-11-23T12:00:00Z"];
      const first = start(args(apps[0]!), ROOT, { TMPDIR: tmp });
      expect(first.code).toBe(0);
      expect(first.startup.zod).toEqual({ english: true }); // computed the commit
      expect(first.threads).toEqual(["worker", "main"]); // computed in the worker
      const hit = start(args(apps[1]!), ROOT, { TMPDIR: tmp }); // a fresh copy, as Argo CD gives
      expect(hit.code).toBe(0);
      expect(hit.stdout).toBe(first.stdout);
      expect(hit.startup).toEqual({ zod: null, builtins: ["crypto"] });
      expect(hit.threads).toEqual(["main"]); // served without starting a worker
    } finally {
      for (const d of [tmp, ...apps]) rmSync(d, { recursive: true, force: true });
    }
  });

  it("refuses to start on a Node.js without process.getBuiltinModule (before 20.16)", () => {
    const old = join(dir, "old-node.cjs");
    writeFileSync(old, "delete process.getBuiltinModule;\n");
    const r = spawnSync(process.execPath, ["--require", old, BUNDLE, "render", "fixtures/bookshop/app"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`error: kubefork needs Node.js 20.16 or later; this is ${process.version}\n`);
  });
});
