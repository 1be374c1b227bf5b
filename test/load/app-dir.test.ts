// Reading the app directory: base.command in its own process group (bounded whatever it leaves
// running), and a bad entry under forks/ failing only that fork.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readApp } from "../../src/cli/app-dir.ts";
import { LIMITS } from "../../src/model/limits.ts";
import { BUNDLE, ROOT, runCli } from "../helpers/cli.ts";
import { parseStream } from "../helpers/stream.ts";

const NOW = ["--now", "2026-11-23T12:00:00Z"];
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function app(command?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kubefork-appdir-"));
  dirs.push(dir);
  cpSync(join(ROOT, "test/corpus/_app"), dir, { recursive: true });
  if (command !== undefined) {
    const m = readFileSync(join(dir, "kubefork.yaml"), "utf8").replace("  routing: istio\n", `  routing: istio\n  base:\n    command: [sh, -c, ${JSON.stringify(command)}]\n`);
    writeFileSync(join(dir, "kubefork.yaml"), m);
  }
  return dir;
}

const MANIFESTS = "for f in base/*.yaml; do cat $f; echo ---; done";

describe("base.command", () => {
  it("ends as soon as the command exits, though a descendant still holds stdout", async () => {
    const t = Date.now();
    const a = await readApp(app(`${MANIFESTS}; sleep 600 &`));
    expect(a.problems).toEqual([]);
    expect(a.base.length).toBeGreaterThan(0);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it("kills the whole process group at the timeout", async () => {
    const t = Date.now();
    const a = await readApp(app("sleep 600 & sleep 600"), { baseCommandTimeoutMs: 500 });
    expect(Date.now() - t).toBeLessThan(5000);
    expect(a.problems.map((p) => p.message)).toEqual([expect.stringContaining("was stopped after 0.5s")]);
    expect(a.problems[0]!.file).toBe("kubefork.yaml");
  });

  it("refuses output that is not UTF-8", async () => {
    const a = await readApp(app(`${MANIFESTS}; printf 'x: \\377\\n'`));
    expect(a.problems.map((p) => p.message)).toEqual([expect.stringMatching(/printed output that is not valid UTF-8 \(line \d+ of its output\)/)]);
  });

  it("a render ends within 5 s of SIGTERM, the command's group with it", async () => {
    const dir = app("sleep 600 & sleep 600");
    const child = spawn(process.execPath, [BUNDLE, "render", dir, ...NOW], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    await new Promise((r) => setTimeout(r, 700));
    const t = Date.now();
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(Date.now() - t).toBeLessThan(5000);
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
  });
});

describe("a bad entry under forks/ fails only its fork", () => {
  const bad = (): string => {
    const dir = app();
    symlinkSync("/", join(dir, "forks/root"));
    writeFileSync(join(dir, "forks/eve.json"), "{}");
    return dir;
  };

  it("fails the full render, naming each entry", () => {
    const r = runCli(["render", bad(), ...NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("forks/root: error: the link points outside the app directory (/)");
    expect(r.stderr).toContain("forks/eve.json: error: not a fork file");
  });

  it("fails --fork of it, and renders --fork of another", () => {
    const dir = bad();
    const eve = runCli(["render", dir, ...NOW, "--fork", "eve"]);
    expect(eve.code).toBe(1);
    expect(eve.stdout).toBe("");
    expect(eve.stderr).toContain("forks/eve.json: error: not a fork file");
    const alice = runCli(["render", dir, ...NOW, "--fork", "alice"]);
    expect(alice.code, alice.stderr).toBe(0);
    expect(alice.stdout).toContain("alice");
  });

  it("renders --shared with a warning naming each entry, the same base as without them", () => {
    const r = runCli(["render", bad(), ...NOW, "--shared"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("forks/root: warning: the link points outside the app directory");
    expect(r.stderr).toContain("forks/eve.json: warning: not a fork file");
    // the same objects as without the bad entries, but for the status ConfigMap that lists the warnings
    const objects = (out: string) => parseStream(out).filter((o) => o.metadata?.name !== "kubefork.status");
    expect(objects(r.stdout)).toEqual(objects(runCli(["render", app(), ...NOW, "--shared"]).stdout));
    expect(objects(r.stdout).length).toBeGreaterThan(0);
  });

  it("a directory nested deeper than the walk's limit under forks/: fails the full render and that entry's fork, never --shared or another fork", () => {
    const dir = app();
    const deep = join(dir, "forks/deep", ...Array.from({ length: LIMITS.dirDepth + 4 }, (_, i) => `d${i}`));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, "x.yaml"), "apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata: {name: x}\nspec: {workloads: [{name: web}]}\n");
    const all = runCli(["render", dir, ...NOW]);
    expect(all.code).toBe(1);
    expect(all.stdout).toBe("");
    expect(all.stderr).toContain("forks/deep: error: a directory where only files are read");
    const own = runCli(["render", dir, ...NOW, "--fork", "deep"]);
    expect(own.code).toBe(1);
    expect(own.stdout).toBe("");
    const shared = runCli(["render", dir, ...NOW, "--shared"]);
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.stderr).toContain("forks/deep: warning: a directory where only files are read");
    // The base walk never went down there: no "nest deeper" problem, the same objects as without it.
    expect(shared.stderr).not.toContain("nest deeper");
    const objects = (out: string) => parseStream(out).filter((o) => o.metadata?.name !== "kubefork.status");
    expect(objects(shared.stdout)).toEqual(objects(runCli(["render", app(), ...NOW, "--shared"]).stdout));
    const alice = runCli(["render", dir, ...NOW, "--fork", "alice"]);
    expect(alice.code, alice.stderr).toBe(0);
    expect(alice.stdout).toContain("alice");
  });

  it.each([
    ["a link outside the app directory (not read, as an unreadable one)", "/", "forks: error: the link points outside the app directory (/) [KF1019]"],
    ["a dangling link: no 'no forks yet'", "./gone", "forks: error: cannot read the directory (ENOENT) [KF1020]"],
  ])("the forks directory itself unreadable fails every render, --shared too (it cannot tell which forks there are): %s", (_name, target, message) => {
    const dir = app();
    rmSync(join(dir, "forks"), { recursive: true, force: true });
    symlinkSync(target, join(dir, "forks"));
    for (const args of [[], ["--shared"], ["--fork", "alice"]]) {
      const r = runCli(["render", dir, ...NOW, ...args]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(message);
    }
  });

  it("a hidden entry of the forks directory (an editor's dangling .#<file> lock link) is no fork and no problem", () => {
    const dir = app();
    symlinkSync("root@host.1234:1700000000", join(dir, "forks/.#alice.yaml"));
    const r = runCli(["render", dir, ...NOW]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(".#alice");
    expect(r.stdout).toBe(runCli(["render", app(), ...NOW]).stdout);
  });

  it("never walks the forks directory as part of the base", () => {
    const dir = app();
    symlinkSync("/", join(dir, "forks/root"));
    const r = runCli(["render", dir, ...NOW, "--shared"]);
    expect(r.stderr).not.toContain("error");
  });
});

describe("keys named like Object.prototype members are data", () => {
  it("keeps __proto__ and constructor in base objects and in a fork's ConfigMap data", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubefork-proto-"));
    dirs.push(dir);
    cpSync(join(ROOT, "fixtures/configmap/app"), dir, { recursive: true });
    const base = join(dir, "base/web.yaml");
    writeFileSync(base, readFileSync(base, "utf8").replace("  LOG_LEVEL: info\n", "  LOG_LEVEL: info\n  __proto__: base\n  constructor: ctor\n"));
    const fork = join(dir, "forks/carol.yaml");
    writeFileSync(fork, readFileSync(fork, "utf8").replace('        FEATURE_CHECKOUT: "on"\n', '        FEATURE_CHECKOUT: "on"\n        __proto__: fork\n'));
    const r = runCli(["render", dir, ...NOW, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const maps = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { kind: string; metadata: { name: string }; data?: Record<string, string> });
    const data = (name: string) => Object.getOwnPropertyDescriptor(maps.find((o) => o.kind === "ConfigMap" && o.metadata.name === name)!.data, "__proto__")?.value;
    expect(data("web-config")).toBe("base");
    expect(data("web-config-carol")).toBe("fork");
    expect(r.stdout).toContain('"constructor":"ctor"');
  });
});

describe("--now is one strict RFC 3339 parser in every command", () => {
  it.each(["render", "validate", "list", "gc", "explain alice", "comment", "headers alice", "new zed -w reviews-v1 --dry-run", "trace --host reviews"])("%s --now garbage is a usage error", (cmd) => {
    for (const now of ["garbage", "2026-02-30T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23 12:00:00Z"]) {
      const [name, ...rest] = cmd.split(" ");
      const positional = rest.filter((w, i) => !w.startsWith("-") && (i === 0 || !rest[i - 1]!.startsWith("-")));
      const flags = rest.filter((w) => !positional.includes(w));
      const r = runCli([name!, ...positional, app(), ...flags, "--now", now]);
      expect(r.code, `${cmd} --now ${now}: ${r.stderr}`).toBe(64);
      expect(r.stdout).toBe("");
    }
  });
});
