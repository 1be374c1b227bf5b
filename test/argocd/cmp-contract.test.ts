// The CMP contract, played as argocd-cmp-server plays it: the repository unpacked to a fresh temp
// dir with files 0644, the bundled CLI run by `node` with the app path as working directory and
// the CMP environment; stdout parsed as Argo CD parses it (multi-document YAML or concatenated
// JSON, `List` expanded). And the failure path: non-zero exit, empty stdout, stderr for the UI.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, ROOT } from "../helpers/cli.ts";
import { parseStream } from "../helpers/stream.ts";

const APP_PATH = "apps/bookshop";
let repo: string;

function chmodTree(dir: string) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      chmodSync(p, 0o755);
      chmodTree(p);
    } else chmodSync(p, 0o644);
  }
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "kubefork-cmp-"));
  mkdirSync(join(repo, "apps"), { recursive: true });
  cpSync(join(ROOT, "fixtures/bookshop/app"), join(repo, APP_PATH), { recursive: true });
  writeFileSync(join(repo, "README.md"), "the deployment repository\n");
  chmodTree(repo);
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

/** The environment argocd-cmp-server gives `generate` (DOMAIN.md, Argo CD sections). */
function cmpEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: "/tmp",
    ARGOCD_APP_NAME: "bookshop",
    ARGOCD_APP_NAMESPACE: "bookshop",
    ARGOCD_APP_REVISION: "0123456789abcdef0123456789abcdef01234567",
    ARGOCD_APP_REVISION_SHORT: "0123456",
    ARGOCD_APP_SOURCE_PATH: APP_PATH,
    ARGOCD_APP_SOURCE_REPO_URL: "https://git.example.com/shop/deploy.git",
    ARGOCD_APP_SOURCE_TARGET_REVISION: "main",
    KUBE_VERSION: "1.31.0",
    KUBE_API_VERSIONS: "v1,apps/v1,networking.istio.io/v1,networking.k8s.io/v1,policy/v1,autoscaling/v2",
    ARGOCD_ENV_KUBEFORK_NOW: "2026-11-23T12:00:00Z",
    ...extra,
  };
}

function generate(env: Record<string, string>, cwd = join(repo, APP_PATH)) {
  // plugin.yaml's generate.command is [kubefork, render]; the image's kubefork is this bundle.
  const r = spawnSync(process.execPath, [BUNDLE, "render"], { cwd, env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const names = (objs: Record<string, any>[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);

describe("CMP contract", () => {
  it("renders base and every live fork from the app path, as YAML", () => {
    const r = generate(cmpEnv());
    expect(r.code).toBe(0);
    const objs = parseStream(r.stdout);
    expect(names(objs)).toContain("Deployment/ratings-v1-alice");
    expect(names(objs)).toContain("Deployment/reviews-v2-bob");
    expect(names(objs)).not.toContain("Deployment/details-v1-dave");
    expect(r.stderr).toMatch(/forks\/dave\.yaml:7:3: note: .*expired/);
  });

  it("the fork parameter from ARGOCD_APP_PARAMETERS (and PARAM_FORK beside it) renders one fork's part", () => {
    const r = generate(cmpEnv({ ARGOCD_APP_PARAMETERS: '[{"name":"fork","string":"bob"}]', PARAM_FORK: "bob" }));
    expect(r.code).toBe(0);
    const objs = parseStream(r.stdout);
    expect(objs.length).toBeGreaterThan(0);
    expect(objs.every((o) => o.metadata.labels?.["kubefork.dev/fork"] === "bob")).toBe(true);
  });

  it("PARAM_SCOPE=shared alone (no ARGOCD_APP_PARAMETERS) renders the shared part", () => {
    const r = generate(cmpEnv({ PARAM_SCOPE: "shared" }));
    expect(r.code).toBe(0);
    const objs = parseStream(r.stdout);
    expect(objs.some((o) => o.metadata.labels?.["kubefork.dev/fork"])).toBe(false);
    expect(names(objs)).toContain("VirtualService/ratings-kubefork");
  });

  it("the Application env chooses JSON output; Argo CD reads concatenated objects", () => {
    const r = generate(cmpEnv({ ARGOCD_ENV_KUBEFORK_OUTPUT: "json" }));
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("{")).toBe(true);
    expect(parseStream(r.stdout).length).toBe(parseStream(generate(cmpEnv()).stdout).length);
  });

  it("a plugin parameter beats the Application env, which beats the sidecar env", () => {
    const r = generate(cmpEnv({ ARGOCD_APP_PARAMETERS: '[{"name":"fork","string":"alice"}]', ARGOCD_ENV_KUBEFORK_FORK: "bob", KUBEFORK_FORK: "carol" }));
    expect(new Set(parseStream(r.stdout).map((o) => o.metadata.labels["kubefork.dev/fork"]))).toEqual(new Set(["alice"]));
    const s = generate(cmpEnv({ ARGOCD_ENV_KUBEFORK_FORK: "bob", KUBEFORK_FORK: "carol" }));
    expect(new Set(parseStream(s.stdout).map((o) => o.metadata.labels["kubefork.dev/fork"]))).toEqual(new Set(["bob"]));
    const t = generate({ ...cmpEnv({ KUBEFORK_FORK: "carol" }) });
    expect(new Set(parseStream(t.stdout).map((o) => o.metadata.labels["kubefork.dev/fork"]))).toEqual(new Set(["carol"]));
  });

  it("an invalid fork file: exit 1, empty stdout, the file and line on stderr", () => {
    const broken = join(repo, APP_PATH, "forks/eve.yaml");
    writeFileSync(broken, "apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata: {name: eve}\nspec:\n  workloads:\n    - name: nope\n");
    chmodSync(broken, 0o644);
    try {
      const r = generate(cmpEnv());
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("forks/eve.yaml:6:7: error: spec.workloads[0].name: no Deployment 'nope' in the base");
      // The shared Application keeps rendering: the broken fork is left out with a warning.
      const shared = generate(cmpEnv({ PARAM_SCOPE: "shared" }));
      expect(shared.code).toBe(0);
      expect(shared.stderr).toContain("forks/eve.yaml:6:7: warning: spec.workloads[0].name: no Deployment 'nope' in the base (fork left out of the shared render)");
    } finally {
      rmSync(broken);
    }
  });

  it("malformed ARGOCD_APP_PARAMETERS fails closed (usage exit, empty stdout)", () => {
    const r = generate(cmpEnv({ ARGOCD_APP_PARAMETERS: "[{" }));
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("ARGOCD_APP_PARAMETERS");
  });

  it("an unknown fork identifier fails rather than printing nothing", () => {
    const r = generate(cmpEnv({ PARAM_FORK: "zoe" }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("no fork 'zoe': there is no forks/zoe.yaml");
  });

  it("an app path without kubefork.yaml fails with a hint", () => {
    const r = generate(cmpEnv(), repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("no kubefork.yaml in the app directory");
  });

  it("exits promptly on SIGTERM, even while base.command runs, with nothing on stdout", async () => {
    const app = mkdtempSync(join(tmpdir(), "kubefork-term-"));
    writeFileSync(join(app, "kubefork.yaml"), "apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: t}\nspec:\n  base: {command: [sleep, '30']}\n");
    const child = spawn(process.execPath, [BUNDLE, "render"], { cwd: app, env: cmpEnv() });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 400));
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.on("exit", (c, sig) => r(c ?? (sig ? 128 + 15 : null))));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code).toBe(143);
    expect(stdout).toBe("");
    rmSync(app, { recursive: true, force: true });
  });
});
