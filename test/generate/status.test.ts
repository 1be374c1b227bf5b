// Status ConfigMaps (src/generate/status.ts): what a successful render has to say, in the cluster,
// since Argo CD shows a plugin's stderr only when it fails.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyApp, NOW_ARGS as NOW, ROOT, runCli } from "../helpers/cli.ts";
import { parseStream, type Obj } from "../helpers/stream.ts";

const apps: string[] = [];
const app = (fixture: string, forks?: string[]) => {
  const dir = copyApp(join(ROOT, "fixtures", fixture, "app"), forks ? { forks } : {});
  apps.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of apps.splice(0)) rmSync(d, { recursive: true, force: true });
});
const configMap = (objects: Obj[], name: string) => objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);

describe("status ConfigMaps", () => {
  it("render --fork holds the fork's status, whose text holds the fork's warning", () => {
    const dir = app("statefulset");
    const r = runCli(["render", dir, "--fork", "bob", ...NOW]);
    expect(r.code).toBe(0);
    // The warning goes to stderr too, which Argo CD only logs on success.
    expect(r.stderr).toContain("the base has no Service data/queue-headless");
    const status = configMap(parseStream(r.stdout), "kubefork-bob.status");
    expect(status?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "kubefork", "kubefork.dev/fork": "bob" });
    expect(status?.metadata.annotations["kubefork.dev/fork-file"]).toBe("forks/bob.yaml");
    expect(status?.data.state).toBe("live");
    expect(status?.data.workloads).toBe("StatefulSet data/queue -> queue-bob (replicas 2)\n");
    expect(status?.data.problems).toContain("forks/bob.yaml:10:7: warning: StatefulSet data/queue spec.workloads[0].name: the base has no Service data/queue-headless");
    // Only bob's: alice's status is in alice's partition.
    expect(configMap(parseStream(r.stdout), "kubefork-alice.status")).toBeUndefined();
    const alice = parseStream(runCli(["render", dir, "--fork", "alice", ...NOW]).stdout);
    expect(configMap(alice, "kubefork-alice.status")?.data.problems).toBeUndefined();
  });

  it("a fork's URLs are in its status", () => {
    const r = runCli(["render", app("ingress-istio"), "--fork", "carol", ...NOW]);
    expect(r.code).toBe(0);
    const status = configMap(parseStream(r.stdout), "kubefork-carol.status");
    // The fixture's Gateway serves bookshop.example.com and *.bookshop.example.com on one HTTP server.
    expect(status?.data.urls).toBe("http://carol.bookshop.example.com\n");
  });

  it("the shared render with an invalid fork file holds the fork it left out and why", () => {
    const dir = app("bookshop");
    writeFileSync(join(dir, "forks/erin.yaml"), "apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata:\n  name: erin\nspec:\n  workloads:\n    - name: no-such-workload\n");
    const r = runCli(["render", dir, "--shared", ...NOW]);
    expect(r.code).toBe(0);
    const objects = parseStream(r.stdout);
    const status = configMap(objects, "kubefork.status");
    expect(status?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "kubefork" });
    expect(status?.data["left-out"]).toBe("forks/erin.yaml\n");
    expect(status?.data.problems).toMatch(/^forks\/erin\.yaml:7:\d+: warning: .*no-such-workload.*\(fork left out of the shared render\)$/m);
    // The forks that rendered report in their own partitions, not here.
    expect(objects.filter((o) => o.kind === "ConfigMap" && o.metadata.name.endsWith(".status")).map((o) => o.metadata.name)).toEqual(["kubefork.status"]);
    // The per-fork render of the broken fork fails closed (Argo CD shows stderr then).
    const own = runCli(["render", dir, "--fork", "erin", ...NOW]);
    expect(own.code).not.toBe(0);
    expect(own.stdout).toBe("");
  });

  it("no forks: the output is the base itself, with no status object", () => {
    const dir = app("bookshop", []);
    const r = runCli(["render", dir, ...NOW]);
    expect(r.code).toBe(0);
    const baseDir = join(dir, "base");
    const base = readdirSync(baseDir).sort().flatMap((f) => parseStream(readFileSync(join(baseDir, f), "utf8")));
    expect(parseStream(r.stdout)).toEqual(base);
    expect(parseStream(runCli(["render", dir, "--shared", ...NOW]).stdout)).toEqual(base);
  });

  it("an expired fork's partition is its status object alone, state expired", () => {
    const r = runCli(["render", app("bookshop"), "--fork", "dave", ...NOW]);
    expect(r.code).toBe(0);
    const objects = parseStream(r.stdout);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["ConfigMap/kubefork-dave.status"]);
    expect(objects[0]!.data.state).toBe("expired");
    expect(objects[0]!.data.problems).toContain("fork 'dave' expired at 2026-11-20T00:00:00Z");
  });

  it("a base ConfigMap with a status object's name is an error, not a silent overwrite", () => {
    const dir = app("statefulset", ["bob"]);
    writeFileSync(join(dir, "base/taken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kubefork-bob.status\n  namespace: default\ndata: {}\n");
    const r = runCli(["render", dir, ...NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("the base has a ConfigMap named kubefork-bob.status");
  });
});
