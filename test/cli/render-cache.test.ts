// The render cache, through the bundled CLI as Argo CD runs it: every test has its own TMPDIR.
import { spawn } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BUNDLE, copyApp, ROOT, runCli, type CliResult } from "../helpers/cli.ts";

const NOW = "2026-11-23T12:00:00Z";
const BOOKSHOP = join(ROOT, "fixtures/bookshop/app");
const CACHE = "kubefork-render-cache";
const cleanup: string[] = [];
afterEach(() => {
  for (const d of cleanup.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(d);
  return d;
}

/** A copy of the app (Argo CD gives each render a fresh one) rendered with TMPDIR=tmp. */
function render(app: string, tmp: string, args: string[], env: Record<string, string> = {}): CliResult {
  const copy = copyApp(app);
  cleanup.push(copy);
  return runCli(["render", copy, "--now", NOW, ...args], { env: { TMPDIR: tmp, ...env } });
}

const scratch = (app: string, args: string[]) => render(app, fresh("kubefork-nocache-"), [...args, "--no-cache"]);
const entries = (tmp: string) => readdirSync(join(tmp, CACHE), { recursive: true }).map(String).filter((p) => p.includes("/"));
const PARTITIONS = [["--shared"], ...["alice", "bob", "carol", "dave"].map((id) => ["--fork", id])];

describe("render cache", () => {
  it("serves every partition of a commit byte for byte as a render from scratch; their union is the full render", () => {
    const tmp = fresh("kubefork-cache-");
    for (const format of ["yaml", "json"]) {
      const outs: string[] = [];
      for (const [i, args] of PARTITIONS.entries()) {
        const cached = render(BOOKSHOP, tmp, [...args, "-o", format]);
        const want = scratch(BOOKSHOP, [...args, "-o", format]);
        expect(cached, `${args.join(" ")} -o ${format}`).toEqual(want);
        expect(cached.code).toBe(0);
        if (i === 0) expect(entries(tmp).some((e) => e.endsWith("/fork-alice"))).toBe(true); // derived by the first
        outs.push(cached.stdout);
      }
      const full = scratch(BOOKSHOP, ["-o", format]);
      const docs = (s: string) => (format === "json" ? s.trim().split("\n") : s.split(/^---\n/m)).map((d) => d.trim()).filter(Boolean).sort();
      expect(outs.flatMap(docs).sort()).toEqual(docs(full.stdout));
      const before = entries(tmp).length;
      expect(render(BOOKSHOP, tmp, ["-o", format])).toEqual(full);
      expect(entries(tmp).length).toBe(before); // the full render is not cached
    }
  });

  it("renders anew after an edited fork file, an edited base file, a passing expiry", () => {
    const tmp = fresh("kubefork-cache-");
    const app = copyApp(BOOKSHOP);
    cleanup.push(app);
    const check = (args: string[], now = NOW) => {
      const got = runCli(["render", app, "--now", now, ...args], { env: { TMPDIR: tmp } });
      expect(got).toEqual(runCli(["render", app, "--now", now, ...args, "--no-cache"]));
      return got;
    };
    const before = check(["--fork", "alice"]);
    check(["--shared"]);
    const aliceFile = readFileSync(join(app, "forks/alice.yaml"), "utf8");
    writeFileSync(join(app, "forks/alice.yaml"), aliceFile.replace(/image: (\S+)/, "image: $1-edited"));
    const edited = check(["--fork", "alice"]);
    expect(edited.stdout).not.toBe(before.stdout);
    const baseFile = readdirSync(join(app, "base"), { recursive: true }).map(String).find((f) => f.endsWith(".yaml"))!;
    appendFileSync(join(app, "base", baseFile), "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: added-by-test, namespace: bookshop}\ndata: {a: b}\n");
    const shared = check(["--shared"]);
    expect(shared.stdout).toContain("added-by-test");
    // bob expires at some instant: a render after it is a new render, not the cached one.
    const expires = /expires: "?([^"\n]+)"?/.exec(readFileSync(join(app, "forks/bob.yaml"), "utf8"))![1]!;
    const live = check(["--fork", "bob"], new Date(Date.parse(expires) - 1000).toISOString());
    const gone = check(["--fork", "bob"], new Date(Date.parse(expires)).toISOString());
    expect(gone.stdout).not.toBe(live.stdout);
  });

  it("reads what an edited kubefork.yaml says to read, and ignores a corrupted read plan", () => {
    const tmp = fresh("kubefork-cache-");
    const app = copyApp(BOOKSHOP);
    cleanup.push(app);
    const check = (args: string[]) => {
      const got = runCli(["render", app, "--now", NOW, ...args], { env: { TMPDIR: tmp } });
      expect(got).toEqual(runCli(["render", app, "--now", NOW, ...args, "--no-cache"]));
      return got;
    };
    mkdirSync(join(app, "extra"));
    writeFileSync(join(app, "extra/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra-by-test, namespace: bookshop}\ndata: {a: b}\n");
    expect(check(["--shared"]).stdout).not.toContain("extra-by-test");
    check(["--fork", "alice"]);
    const manager = join(app, "kubefork.yaml");
    writeFileSync(manager, readFileSync(manager, "utf8").replace('paths: ["base/**/*.yaml"]', 'paths: ["base/**/*.yaml", "extra/*.yaml"]'));
    expect(check(["--shared"]).stdout).toContain("extra-by-test");
    check(["--fork", "alice"]);
    // The plan's directory holds a file `plan` only.
    const planDirs = readdirSync(join(tmp, CACHE)).filter((d) => existsSync(join(tmp, CACHE, d, "plan")));
    expect(planDirs.length).toBe(2);
    for (const d of planDirs) writeFileSync(join(tmp, CACHE, d, "plan"), readFileSync(join(tmp, CACHE, d, "plan"), "utf8").replace("extra/", "other/"));
    expect(check(["--shared"]).stdout).toContain("extra-by-test");
    check(["--fork", "bob"]);
  });

  it("renders anew when base.command prints something else", () => {
    const tmp = fresh("kubefork-cache-");
    const app = fresh("kubefork-cmd-");
    writeFileSync(join(app, "kubefork.yaml"), "apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: t}\nspec:\n  base:\n    command: [cat, manifests.txt]\n");
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\ndata: {v: "${v}"}\n`;
    writeFileSync(join(app, "manifests.txt"), cm("one"));
    const run = () => runCli(["render", app, "--now", NOW, "--shared"], { env: { TMPDIR: tmp } });
    expect(run().stdout).toContain("one");
    writeFileSync(join(app, "manifests.txt"), cm("two"));
    const second = run();
    expect(second.stdout).toContain("two");
    expect(second).toEqual(runCli(["render", app, "--now", NOW, "--shared", "--no-cache"]));
    // The key is computed first, the inputs kept only to render: the command still runs once a render.
    const manager = readFileSync(join(app, "kubefork.yaml"), "utf8");
    writeFileSync(join(app, "kubefork.yaml"), manager.replace("command: [cat, manifests.txt]", 'command: [sh, -c, "echo run >> runs.log; cat manifests.txt"]'));
    expect(run().stdout).toContain("two");
    expect(readFileSync(join(app, "runs.log"), "utf8")).toBe("run\n");
    expect(run().stdout).toContain("two");
    expect(readFileSync(join(app, "runs.log"), "utf8")).toBe("run\nrun\n");
  });

  it("ignores a corrupted, a truncated and a foreign entry", () => {
    const tmp = fresh("kubefork-cache-");
    const want = scratch(BOOKSHOP, ["--fork", "bob"]);
    render(BOOKSHOP, tmp, ["--fork", "alice"]);
    // The render's key directory (the other one holds kubefork.yaml's read plan).
    const keyDir = readdirSync(join(tmp, CACHE)).find((d) => existsSync(join(tmp, CACHE, d, "fork-bob")))!;
    const file = (p: string) => join(tmp, CACHE, keyDir, p);
    const bob = file("fork-bob");
    const original = readFileSync(bob);
    const tamper: [string, Buffer][] = [
      ["corrupted", Buffer.from(original.toString("utf8").replace("bob", "eve"))],
      ["truncated", original.subarray(0, original.length - 10)],
      ["foreign", readFileSync(file("fork-carol"))],
    ];
    for (const [what, bytes] of tamper) {
      writeFileSync(bob, bytes);
      expect(render(BOOKSHOP, tmp, ["--fork", "bob"]), what).toEqual(want);
    }
  });

  it("renders without a cache when TMPDIR is unwritable or the cache is off", () => {
    // A file where the directory should be: no directory can be made there (not even by root).
    const tmp = join(fresh("kubefork-cache-"), "file");
    writeFileSync(tmp, "");
    const want = scratch(BOOKSHOP, ["--fork", "alice"]);
    expect(render(BOOKSHOP, tmp, ["--fork", "alice"])).toEqual(want);
    const blocked = fresh("kubefork-cache-");
    writeFileSync(join(blocked, CACHE), "");
    expect(render(BOOKSHOP, blocked, ["--fork", "alice"])).toEqual(want);
    // A cache directory others may write to is not used.
    const open = fresh("kubefork-cache-");
    mkdirSync(join(open, CACHE), { mode: 0o777 });
    chmodSync(join(open, CACHE), 0o777);
    expect(render(BOOKSHOP, open, ["--fork", "alice"])).toEqual(want);
    expect(readdirSync(join(open, CACHE))).toEqual([]);
    const offs: Record<string, string>[] = [{ KUBEFORK_CACHE: "off" }, { ARGOCD_ENV_KUBEFORK_CACHE: "off" }, { PARAM_CACHE: "off" }];
    for (const env of offs) {
      const other = fresh("kubefork-cache-");
      expect(render(BOOKSHOP, other, ["--fork", "alice"], env)).toEqual(want);
      expect(readdirSync(other)).toEqual([]);
    }
  });

  it("gives every one of concurrent renders of one commit the right output", async () => {
    const tmp = fresh("kubefork-cache-");
    const wants = PARTITIONS.map((args) => scratch(BOOKSHOP, args));
    const runs = PARTITIONS.flatMap((args) => [args, args]).map((args) => {
      const copy = copyApp(BOOKSHOP);
      cleanup.push(copy);
      return new Promise<CliResult>((resolve) => {
        const child = spawn(process.execPath, [BUNDLE, "render", copy, "--now", NOW, ...args], { env: { PATH: process.env.PATH, NO_COLOR: "1", TMPDIR: tmp } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    });
    const got = await Promise.all(runs);
    got.forEach((g, i) => expect(g, PARTITIONS[i >> 1]!.join(" ")).toEqual(wants[i >> 1]));
    expect(readdirSync(join(tmp, CACHE)).filter((f) => f.endsWith(".lock"))).toEqual([]);
  });
});
