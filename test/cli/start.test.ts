// How every command starts (src/cli/common.ts startCommand): --now read by the one strict RFC 3339
// reader (a usage error, exit 64, empty stdout, the words render uses for its `now` setting), and
// the app directory read with the one default namespace (--namespace, $ARGOCD_APP_NAMESPACE,
// kubefork.yaml, "default"), so that every command sees the same duplicates in the base.
// In process (src/cli/program.ts run); test/load/app-dir.test.ts checks --now through the bundle.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Io } from "../../src/cli/io.ts";
import { run } from "../../src/cli/program.ts";
import { NOW, ROOT } from "../helpers/cli.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function app(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "kubefork-start-"));
  dirs.push(dir);
  cpSync(join(ROOT, "test/corpus/_app"), dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env, cwd: ROOT, isTTY: false, now: () => Date.parse(NOW) };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

/** Every command that takes --now, as `name [positional...] DIR [flags...]`, with what it needs to run. */
const WITH_NOW: readonly { name: string; before?: string[]; after?: string[] }[] = [
  { name: "render" },
  { name: "validate" },
  { name: "list" },
  { name: "gc", after: ["--dry-run"] },
  { name: "explain", before: ["alice"] },
  { name: "comment", after: ["--fork", "alice"] },
  { name: "headers", before: ["alice"] },
  { name: "new", before: ["zed"], after: ["-w", "web", "--dry-run"] },
  { name: "trace", after: ["--host", "web"] },
];

const argv = (c: (typeof WITH_NOW)[number], dir: string, ...more: string[]) => [c.name, ...(c.before ?? []), dir, ...(c.after ?? []), ...more];

describe("--now: one strict reader in every command", () => {
  const bad = ["garbage", "2026-02-30T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23 12:00:00Z", "2026-11-23T12:00:00"];
  it.each(WITH_NOW.map((c) => [c.name, c] as const))("%s --now <not RFC 3339>: exit 64, empty stdout, the render's words", async (_, c) => {
    const dir = app();
    for (const now of bad) {
      const r = await cli(argv(c, dir, "--now", now));
      expect(r.code, `${c.name} --now ${now}: ${r.stderr}`).toBe(64);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`error: --now: now ${JSON.stringify(now)} is not an RFC 3339 date-time [KF6001]\n`);
    }
  });

  it.each(WITH_NOW.map((c) => [c.name, c] as const))("%s --now <RFC 3339> runs", async (_, c) => {
    const r = await cli(argv(c, app(), "--now", NOW));
    expect(r.code, r.stderr).toBe(0);
  });

  it("render reads the same words from its other sources (the env)", async () => {
    const r = await cli(["render", app()], { KUBEFORK_NOW: "garbage" });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('error: KUBEFORK_NOW: now "garbage" is not an RFC 3339 date-time [KF6001]\n');
  });

  it("the clock, when --now is not given: alice expires 2026-11-25", async () => {
    const at = async (now: string) => {
      let stdout = "";
      const io: Io = { stdout: (s) => void (stdout += s), stderr: () => {}, env: {}, cwd: ROOT, isTTY: false, now: () => Date.parse(now) };
      await run(["list", app(), "-o", "json"], io);
      return (JSON.parse(stdout) as { forks: { state: string }[] }).forks[0]!.state;
    };
    expect(await at("2026-11-24T00:00:00Z")).toBe("live");
    expect(await at("2026-11-26T00:00:00Z")).toBe("expired");
  });
});

describe("the app directory: read with the one default namespace in every command", () => {
  // The same ConfigMap once in shop and once naming no namespace: a duplicate when the default namespace is shop.
  const twice = {
    "base/one.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\n",
    "base/two.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
  };
  const compat = `apiVersion: fork.k8s.wantedly.com/v1beta1
kind: Fork
metadata:
  name: bob
spec:
  identifier: bob
  deadline: "2026-11-25T00:00:00Z"
  services:
    selector:
      matchLabels:
        app: web
`;
  // Those that report a broken base; gc and headers work from kubefork.yaml and the fork files alone.
  const REPORTING = WITH_NOW.filter((c) => c.name !== "gc" && c.name !== "headers");

  it.each(REPORTING.map((c) => [c.name, c] as const))("%s: -n shop and ARGOCD_APP_NAMESPACE=shop find the duplicate; none without", async (_, c) => {
    const dir = app(twice);
    const flag = await cli(argv(c, dir, "--now", NOW, "-n", "shop"));
    expect(flag.stderr).toContain("defined twice: also in base/one.yaml:1");
    expect(flag.code).not.toBe(0);
    const env = await cli(argv(c, dir, "--now", NOW), { ARGOCD_APP_NAMESPACE: "shop" });
    expect(env.stderr).toContain("defined twice: also in base/one.yaml:1");
    const none = await cli(argv(c, dir, "--now", NOW));
    expect(none.stderr).not.toContain("defined twice");
    expect(none.code, none.stderr).toBe(0);
  });

  it("import: -n shop finds the duplicate too", async () => {
    const dir = app(twice);
    const file = join(dir, "bob-original.yaml");
    writeFileSync(file, compat);
    const flag = await cli(["import", file, "--dir", dir, "-n", "shop"]);
    expect(flag.stderr).toContain("defined twice: also in base/one.yaml:1");
    expect(flag.code).toBe(1);
    expect(flag.stdout).toBe("");
    const none = await cli(["import", file, "--dir", dir]);
    expect(none.stderr).not.toContain("defined twice");
  });
});

describe("the problems of one fork: those of its file (util/fork-id.ts forkIdFromPath), in every command", () => {
  it.each([
    ["render", (dir: string) => ["render", dir, "--fork", "eve"]],
    ["explain", (dir: string) => ["explain", "eve", dir]],
    ["headers", (dir: string) => ["headers", "eve", dir]],
  ])("%s: forks/eve.json is fork eve's problem, not 'no fork eve'", async (_, args) => {
    const r = await cli([...args(app({ "forks/eve.json": "{}" })), "--now", NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("forks/eve.json: error: not a fork file");
    expect(r.stderr).not.toContain("no fork 'eve'");
  });
});

describe("what the commands refuse carries a code (src/codes.ts KF6011-KF6032)", () => {
  const ORIGINAL = "apiVersion: fork.k8s.wantedly.com/v1beta1\nkind: Fork\nmetadata:\n  name: bob\nspec:\n  identifier: bob\n";
  const at = (dir: string, args: string[]) => args.map((a) => a.replace("$DIR", dir));
  it.each<[string, string[], Record<string, string>, number, string]>([
    ["an unknown command", ["rendr"], {}, 64, "KF6012"],
    ["an unknown option", ["validate", "$DIR", "--bogus"], {}, 64, "KF6012"],
    ["a value outside an option's choices", ["render", "$DIR", "-o", "xml"], {}, 64, "KF6012"],
    ["a missing required option", ["trace", "$DIR"], {}, 64, "KF6012"],
    ["a schema kubefork does not have", ["schema", "pod"], {}, 64, "KF6012"],
    ["new: an identifier that is not one", ["new", "Zed", "$DIR", "-w", "web"], {}, 64, "KF6013"],
    ["new: --env without =", ["new", "zed", "$DIR", "-w", "web", "--env", "X"], {}, 64, "KF6015"],
    ["new: --replicas not a number", ["new", "zed", "$DIR", "-w", "web", "--replicas", "two"], {}, 64, "KF6016"],
    ["new: --expires neither duration nor time", ["new", "zed", "$DIR", "-w", "web", "--expires", "soon"], {}, 64, "KF6017"],
    ["new: --expires past maxLifetime", ["new", "zed", "$DIR", "-w", "web", "--expires", "800h"], {}, 64, "KF6018"],
    ["new: the file exists", ["new", "alice", "$DIR", "-w", "web"], {}, 64, "KF6020"],
    ["new: the fork exists as .yml", ["new", "zed", "$DIR", "-w", "web"], { "forks/zed.yml": "{}" }, 64, "KF6021"],
    ["new: a workload not in the base", ["new", "zed", "$DIR", "-w", "shop"], {}, 1, "KF6022"],
    ["explain: no such fork", ["explain", "zoe", "$DIR"], {}, 1, "KF6027"],
    ["headers: no such fork", ["headers", "zoe", "$DIR"], {}, 1, "KF6027"],
    ["trace: flags that make no request", ["trace", "$DIR", "--host", "web", "--carrier", "baggage"], {}, 64, "KF6032"],
    ["import: a file it cannot read", ["import", "$DIR/none.yaml", "--dir", "$DIR"], {}, 1, "KF6024"],
    ["import: two documents", ["import", "$DIR/two.yaml", "--dir", "$DIR"], { "two.yaml": `${ORIGINAL}---\n${ORIGINAL}` }, 1, "KF6025"],
    ["import: not an original Fork", ["import", "$DIR/forks/alice.yaml", "--dir", "$DIR"], {}, 1, "KF6026"],
  ])("%s", async (_name, args, files, exit, code) => {
    const takesNow = WITH_NOW.some((c) => c.name === args[0]);
    const r = await cli([...at(app(files), args), ...(takesNow ? ["--now", NOW] : [])]);
    expect(r.code, r.stderr).toBe(exit);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n").some((l) => l.endsWith(` [${code}]`)), r.stderr).toBe(true);
  });

  it.each<[string, string[], Record<string, string>, string]>([
    ["gc leaves an invalid fork file alone", ["gc", "$DIR", "--dry-run"], { "forks/bad.yaml": "kind: Fork\n" }, "KF6029"],
    ["headers of an expired fork", ["headers", "alice", "$DIR", "--now", "2026-12-01T00:00:00Z"], {}, "KF6028"],
    ["new: the policy shortens the default lifetime", ["new", "zed", "$DIR", "-w", "web", "--dry-run"], {}, "KF6019"],
  ])("a warning: %s", async (_name, args, files, code) => {
    const dir = app(files);
    if (code === "KF6019") writeFileSync(join(dir, "kubefork.yaml"), readFileSync(join(dir, "kubefork.yaml"), "utf8").replace("maxLifetime: 168h", "maxLifetime: 24h"));
    const r = await cli([...at(dir, args), ...(args.includes("--now") ? [] : ["--now", NOW])]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`warning: .* \\[${code}\\]\n`));
  });
});
