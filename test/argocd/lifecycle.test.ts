// The GitOps lifecycle over a real git repository: commit a fork → the render shows it; git revert
// → the render is the base again, byte for byte; expiry → gc removes the file → commit → base.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/cli.ts";
import { parseStream } from "../helpers/stream.ts";

const repo = mkdtempSync(join(tmpdir(), "kubefork-git-"));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" });
const NOW = "2026-11-23T12:00:00Z";
const render = (now = NOW) => {
  const r = runCli(["render", repo, "--now", now]);
  expect(r.code).toBe(0);
  return r.stdout;
};
const forkNames = (out: string) => parseStream(out).filter((o) => o.metadata.labels?.["kubefork.dev/fork"]).map((o) => `${o.kind}/${o.metadata.name}`);

describe("GitOps lifecycle", () => {
  it("commit creates, edit updates, revert removes, gc expires", () => {
    cpSync(join(ROOT, "fixtures/bookshop/app"), repo, { recursive: true });
    rmSync(join(repo, "forks"), { recursive: true });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "base");
    const base = render();
    expect(forkNames(base)).toEqual([]);

    // commit a fork → it renders
    cpSync(join(ROOT, "fixtures/bookshop/app/forks/alice.yaml"), join(repo, "forks/alice.yaml"));
    git("add", "-A");
    git("commit", "-qm", "fork alice");
    expect(forkNames(render())).toEqual(["Service/ratings-alice", "Deployment/ratings-v1-alice", "NetworkPolicy/ratings-ingress-alice", "AuthorizationPolicy/ratings-viewer-alice", "ConfigMap/kubefork-alice.status"]);

    // edit it → the copy changes
    writeFileSync(join(repo, "forks/alice.yaml"), execFileSync("sed", ["s/pr-42/pr-43/", join(repo, "forks/alice.yaml")], { encoding: "utf8" }));
    git("commit", "-qam", "alice: pr-43");
    expect(render()).toContain("registry.example.com/bookshop/ratings:pr-43");

    // revert both → the render is the base again, byte for byte
    git("revert", "--no-edit", "HEAD");
    git("revert", "--no-edit", "HEAD~2");
    expect(existsSync(join(repo, "forks/alice.yaml"))).toBe(false);
    expect(render()).toBe(base);

    // a fork that expires: rendered before, left out after, removed by gc
    cpSync(join(ROOT, "fixtures/bookshop/app/forks/bob.yaml"), join(repo, "forks/bob.yaml"));
    git("add", "-A");
    git("commit", "-qm", "fork bob");
    expect(forkNames(render()).length).toBeGreaterThan(0);
    const after = "2026-11-27T00:00:00Z";
    // expired: only its status object is left (state: expired), until gc removes the file
    expect(forkNames(render(after))).toEqual(["ConfigMap/kubefork-bob.status"]);
    expect(render(after)).toContain("state: expired");
    const gc = runCli(["gc", repo, "--now", after]);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toBe("forks/bob.yaml\n");
    git("commit", "-qam", "gc: remove expired forks");
    expect(git("status", "--porcelain")).toBe("");
    expect(render(after)).toBe(base);
  });
});
