// `configMaps[].name` naming a kustomize configMapGenerator's base name resolves to the one base
// ConfigMap `<name>-<hash>` (src/plan/fork-resolution.ts); several are an error listing them.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isHashSuffixed } from "../../src/plan/fork-resolution.ts";
import type { KObject } from "../../src/model/k8s.ts";
import { fork, generated, renderApp, workload } from "../helpers/inprocess.ts";

/**
 * kustomize's hash of a generated ConfigMap, transcribed from kubernetes-sigs/kustomize
 * api/hasher/hasher.go @12f9e6391464b3ad9dd3fe8182049dc1b1772990 (encodeConfigMap: Go JSON of
 * {data, kind, name} with sorted keys; encode: the first 10 hex digits of its sha256 with
 * 0→g 1→h 3→k a→m e→t). Plain ASCII data only (Go escapes <, >, & where JSON.stringify does not).
 */
function kustomizeHash(name: string, data: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
  const hex = createHash("sha256").update(JSON.stringify({ data: sorted, kind: "ConfigMap", name })).digest("hex");
  const map: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join("");
}

describe("isHashSuffixed", () => {
  const real = kustomizeHash("redis-config", { "redis.conf": "maxmemory 2mb\n" });
  it.each([
    [`redis-config-${real}`, "redis-config", true],
    ["redis-config-bd2fcfgt6k", "redis-config", true],
    ["redis-config-bd2fcfgt6", "redis-config", false],
    ["redis-config-bd2fcfgt6kk", "redis-config", false],
    ["redis-config-bd2fcfat6k", "redis-config", false],
    ["redis-config-bd2fcfgt0k", "redis-config", false],
    ["redis-config-BD2FCFGT6K", "redis-config", false],
    ["redis-config-v2", "redis-config", false],
    ["redis-config", "redis-config", false],
    ["redis-config-x-bd2fcfgt6k", "redis-config", false],
    ["redis-config-bd2fcfgt6k", "redis", false],
    ["redis-configbd2fcfgt6kk", "redis-config", false],
  ])("%s after %s: %s", (name, base, want) => expect(isHashSuffixed(name, base)).toBe(want));

  it("the transcription agrees with kustomize's own test (hasher_test.go TestConfigMapHash, case \"one key\")", () => {
    expect(kustomizeHash("", { one: "" })).toBe("9g67k2htb6");
  });

  it("every hash kustomize computes has that form", () => {
    for (let i = 0; i < 200; i++) expect(isHashSuffixed(`cfg-${kustomizeHash("cfg", { k: String(i) })}`, "cfg")).toBe(true);
  });
});

const configMap = (name: string, ns = "shop") => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ${ns}}
data: {MAXMEMORY: 2mb}
`;

const deployment = (reads: string, ns = "shop") =>
  workload("redis", `      containers: [{name: redis, image: registry.example.com/redis:7, envFrom: [{configMapRef: {name: ${reads}}}]}]\n`, { ns });
const forkFile = (name: string, extra = "") => fork("alice", "    - name: redis\n", `  configMaps:\n    - name: ${name}\n${extra}      data: {MAXMEMORY: 8mb}\n`);

const HASHED = "redis-config-bd2fcfgt6k";

function run(configMaps: string[], reads: string, name: string, extra = "") {
  const r = renderApp({ base: { "base/app.yaml": [deployment(reads), ...configMaps].join("---\n") }, forks: { alice: forkFile(name, extra) } });
  const copies = generated(r, "ConfigMap").filter((o) => !o.metadata.name.startsWith("kubefork"));
  const workload = generated(r, "Deployment")[0] as (KObject & { spec: any }) | undefined;
  const errors = r.problems.filter((p) => p.severity === "error");
  return { r, copies, workload, errors };
}

describe("configMaps[] and configMapGenerator names", () => {
  it("the generator's name resolves to its one hashed ConfigMap; the copy is <name>-<id> and the workload reads it", () => {
    const { copies, workload, errors } = run([configMap(HASHED)], HASHED, "redis-config");
    expect(errors).toEqual([]);
    expect(copies.map((c) => [c.metadata.name, c.data])).toEqual([["redis-config-alice", { MAXMEMORY: "8mb" }]]);
    expect(workload!.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: "redis-config-alice" } }]);
  });

  it("the full hashed name still works, as before", () => {
    const { copies, errors } = run([configMap(HASHED)], HASHED, HASHED);
    expect(errors).toEqual([]);
    expect(copies.map((c) => c.metadata.name)).toEqual([`${HASHED}-alice`]);
  });

  it("a ConfigMap of exactly that name wins over a hashed one", () => {
    const { copies, errors } = run([configMap("redis-config"), configMap(HASHED)], "redis-config", "redis-config");
    expect(errors).toEqual([]);
    // The workload reads redis-config: had the hashed one been taken, the override would be unreferenced.
    expect(copies.map((c) => c.metadata.name)).toEqual(["redis-config-alice"]);
  });

  it("two hashed ConfigMaps of that name: an error listing both", () => {
    const { errors } = run([configMap(HASHED), configMap("redis-config-5t8m2g7h4c")], HASHED, "redis-config");
    expect(errors.map((p) => [p.code, p.file, p.line, p.path, p.message])).toEqual([
      ["KF4003", "forks/alice.yaml", 7, "spec.configMaps[0].name", "ConfigMap 'redis-config' is ambiguous: the base has several ConfigMaps named after it with a kustomize hash suffix: shop/redis-config-bd2fcfgt6k, shop/redis-config-5t8m2g7h4c"],
    ]);
    expect(errors[0]!.hint).toContain("name one of them in full (e.g. name: redis-config-bd2fcfgt6k)");
  });

  it("hashed ConfigMaps in two namespaces narrow to the namespace the fork copies workloads in", () => {
    const { copies, errors } = run([configMap(HASHED), configMap("redis-config-5t8m2g7h4c", "other")], HASHED, "redis-config");
    expect(errors).toEqual([]);
    expect(copies.map((c) => [c.metadata.namespace, c.metadata.name])).toEqual([["shop", "redis-config-alice"]]);
  });

  it("namespace picks among hashed ConfigMaps", () => {
    const { errors } = run([configMap(HASHED), configMap("redis-config-5t8m2g7h4c")], HASHED, "redis-config", "      namespace: other\n");
    expect(errors.map((p) => [p.code, p.message])).toEqual([["KF4020", "no ConfigMap 'redis-config' in namespace other in the base"]]);
  });

  it.each([["redis-config-v2"], ["redis-config-bd2fcfgt6"], ["redis-config-bd2fcfat6k"]])("%s is not a generator's output of redis-config: no match", (name) => {
    const { errors } = run([configMap(name)], name, "redis-config");
    expect(errors.map((p) => [p.code, p.message])).toEqual([["KF4020", "no ConfigMap 'redis-config' in the base"]]);
    expect(errors[0]!.hint).toBe(`did you mean '${name}'?`);
  });
});
