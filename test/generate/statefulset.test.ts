// StatefulSet copies: governing headless Service, fresh volumes, PVC lifecycle, label isolation.
import { describe, expect, it } from "vitest";
import type { KObject } from "../../src/model/k8s.ts";
import { fork, forkPodLabels, forkPods, generated, manager, renderApp, svc } from "../helpers/inprocess.ts";
import { validateObjects } from "../helpers/schemas.ts";

interface StsOpts {
  name?: string;
  serviceName?: string | null;
  replicas?: number;
  extraSpec?: string;
  templates?: string;
  labels?: Record<string, string>;
  selector?: Record<string, string>;
}

function statefulSet(o: StsOpts = {}): string {
  const name = o.name ?? "db";
  const labels = o.labels ?? { app: name };
  return `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}, namespace: data}
spec:
${o.serviceName === null ? "" : `  serviceName: ${o.serviceName ?? `${name}-headless`}\n`}  replicas: ${o.replicas ?? 3}
  selector: {matchLabels: ${JSON.stringify(o.selector ?? labels)}}
${o.extraSpec ?? ""}  template:
    metadata: {labels: ${JSON.stringify(labels)}}
    spec:
      containers:
        - name: db
          image: registry.example.com/db:1
          ports: [{name: sql, containerPort: 5432}, {name: gossip, containerPort: 7000, protocol: UDP}]
${
  o.templates ??
  `  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
      status: {phase: Pending}
`
}status: {replicas: 3}
`;
}

const headless = (name: string, selector: Record<string, string>) => svc(name, "[{name: sql, port: 5432}]", { ns: "data", selector, spec: "clusterIP: None, " });

/** db.yaml: the StatefulSet and its governing headless Service db-headless. */
const withService = (o: StsOpts = {}) => ({ "db.yaml": `${statefulSet(o)}---\n${headless("db-headless", { app: "db" })}` });

function forkOf(workload: string, extra = ""): Record<string, string> {
  return { alice: fork("alice", `    - name: ${workload}\n      kind: StatefulSet\n      replicas: 2\n${extra}`) };
}

function run(base: Record<string, string>, forks = forkOf("db")) {
  const r = renderApp({ base, forks });
  const sts = generated(r, "StatefulSet");
  const services = generated(r, "Service");
  return { r, sts: sts[0] as KObject & { spec: any }, services: services as (KObject & { spec: any })[] };
}

describe("StatefulSet copies", () => {
  it("a headless Service that selects the pods is copied once, and serviceName points at the copy", () => {
    const { r, sts, services } = run(withService());
    expect(r.problems).toEqual([]);
    expect(services.map((s) => s.metadata.name)).toEqual(["db-headless-alice"]);
    expect(services[0]!.spec).toEqual({
      type: "ClusterIP",
      clusterIP: "None",
      selector: { "kubefork.dev/fork": "alice", "svc.kubefork.dev/db-headless": "true" },
      ports: [{ name: "sql", port: 5432 }],
    });
    expect(sts.metadata.name).toBe("db-alice");
    expect(sts.spec.serviceName).toBe("db-headless-alice");
    // the governing Service selects the copy's pods
    const pod = sts.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(services[0]!.spec.selector)) expect(pod[k]).toBe(v);
    expect(validateObjects(r.objects).errors).toEqual([]);
  });

  it("same label rules as Deployments: no base selector selects the copy's pods; replicas from the fork; no status", () => {
    const { sts } = run(withService({ labels: { app: "db", role: "sql" }, selector: { app: "db" } }));
    expect(sts.spec.replicas).toBe(2);
    expect(sts.status).toBeUndefined();
    expect(sts.spec.selector).toEqual({ matchLabels: forkPods("alice", "db") });
    expect(sts.spec.template.metadata.labels).toEqual({ role: "sql", ...forkPodLabels("alice", "db", { service: "db-headless", canonical: "db" }) });
  });

  it("no Service of that name in the base: a minimal headless Service with the container ports, and a warning", () => {
    const { r, sts, services } = run({ "db.yaml": statefulSet() });
    expect(services).toHaveLength(1);
    expect(services[0]!.metadata.name).toBe("db-headless-alice");
    expect(services[0]!.metadata.annotations?.["kubefork.dev/copied-from"]).toBeUndefined();
    expect(services[0]!.spec).toEqual({
      type: "ClusterIP",
      clusterIP: "None",
      selector: forkPods("alice", "db"),
      ports: [
        { name: "sql", port: 5432 },
        { name: "gossip", port: 7000, protocol: "UDP" },
      ],
    });
    expect(sts.spec.serviceName).toBe("db-headless-alice");
    expect(r.problems.map((p) => [p.severity, p.code, p.file, p.line, p.path, p.message])).toEqual([
      [
        "warning",
        "KF4008",
        "forks/alice.yaml",
        7,
        "spec.workloads[0].name",
        "the base has no Service data/db-headless (the StatefulSet's spec.serviceName); the copy gets a minimal headless Service db-headless-alice",
      ],
    ]);
    expect(validateObjects(r.objects).errors).toEqual([]);
  });

  it("a Service of that name that does not select the pods: a headless copy selecting the copy's pods, and a warning", () => {
    const { r, sts, services } = run({ "db.yaml": `${statefulSet()}---\n${headless("db-headless", { app: "something-else" })}` });
    expect(services.map((s) => [s.metadata.name, s.spec.selector, s.metadata.annotations?.["kubefork.dev/copied-from"]])).toEqual([
      ["db-headless-alice", forkPods("alice", "db"), "Service/db-headless"],
    ]);
    expect(sts.spec.serviceName).toBe("db-headless-alice");
    expect(r.problems.map((p) => [p.code, p.message])).toEqual([
      ["KF4008", "Service data/db-headless, the StatefulSet's spec.serviceName, does not select its pods; the copy gets a headless Service db-headless-alice of its own"],
    ]);
    expect(r.problems[0]!.ref).toMatchObject({ kind: "StatefulSet", namespace: "data", name: "db", file: "db.yaml" });
  });

  it("a governing Service that selects another forked workload instead: the two copies would collide, an error", () => {
    const base = {
      "db.yaml": `${statefulSet()}---\n${headless("db-headless", { app: "other" })}---\n${statefulSet({ name: "other", serviceName: "db-headless" })}`,
    };
    const forks = { alice: fork("alice", ["StatefulSet/db", "StatefulSet/other"]) };
    const r = renderApp({ base, forks });
    expect(r.objects).toEqual([]);
    expect(r.problems.filter((p) => p.severity === "error").map((p) => [p.code, p.file, p.line, p.message])).toEqual([
      ["KF4007", "forks/alice.yaml", 7, "the copy's governing Service db-headless-alice (for spec.serviceName db-headless) is taken by the fork's copy of Service data/db-headless, which selects other forked pods"],
    ]);
  });

  it("without serviceName the copy has none either, and no Service is made", () => {
    const { r, sts, services } = run({ "db.yaml": statefulSet({ serviceName: null }) });
    expect(r.problems).toEqual([]);
    expect(sts.spec.serviceName).toBeUndefined();
    expect(services).toEqual([]);
  });

  it("fresh volumes: the same templates (no status); the claims the controller makes are new names, none of the original's", () => {
    const { sts } = run(withService());
    expect(sts.spec.volumeClaimTemplates).toEqual([{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }]);
    // PVC name = <template>-<statefulset>-<ordinal> (kubernetes getPersistentVolumeClaimName)
    const claims = (set: string, n: number) => Array.from({ length: n }, (_, i) => `data-${set}-${i}`);
    const original = new Set(claims("db", 3));
    expect(claims(sts.metadata.name, 2).filter((c) => original.has(c))).toEqual([]);
  });

  it("a template bound to a PersistentVolume by name loses volumeName, with a warning", () => {
    const templates = `  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], volumeName: pv-db-0, resources: {requests: {storage: 1Gi}}}
`;
    const { r, sts } = run(withService({ templates }));
    expect(sts.spec.volumeClaimTemplates[0].spec.volumeName).toBeUndefined();
    expect(r.problems.map((p) => [p.severity, p.code, p.ref?.kind, p.message])).toEqual([
      ["warning", "KF5021", "StatefulSet", "volumeClaimTemplates[0] binds the PersistentVolume pv-db-0 by name; the copy's claims leave volumeName out to get volumes of their own"],
    ]);
  });

  it.each([
    ["no policy in the base: whenDeleted Delete", "", { whenDeleted: "Delete" }],
    ["Retain in the base: Delete; whenScaled kept", "  persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Delete}\n", { whenDeleted: "Delete", whenScaled: "Delete" }],
  ])("PVC retention: %s", (_n, extraSpec, want) => {
    const { sts } = run(withService({ extraSpec }));
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual(want);
  });

  it("PVC retention: without volumeClaimTemplates nothing is set", () => {
    const { sts } = run(withService({ templates: "" }));
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toBeUndefined();
  });

  it("PVC retention is kubefork's: a fork patch may change it only where policy.allowPatchPaths allows", () => {
    const base = withService();
    const forks = forkOf("db", "      patches:\n        - {op: replace, path: /spec/persistentVolumeClaimRetentionPolicy/whenDeleted, value: Retain}\n");
    const denied = renderApp({ base, forks });
    expect(denied.problems.filter((p) => p.severity === "error").map((p) => p.message)).toEqual([
      expect.stringContaining("changes restricted field (persistentVolumeClaimRetentionPolicy): /spec/persistentVolumeClaimRetentionPolicy/whenDeleted"),
    ]);
    const allowing = manager("  policy:\n    allowPatchPaths: [/spec/persistentVolumeClaimRetentionPolicy]\n");
    const sts = generated(renderApp({ manager: allowing, base, forks }), "StatefulSet")[0] as KObject & { spec: any };
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain" });
  });

  it.each([
    ["a partition is dropped (a staged rollout must not freeze the copy)", "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}\n", { type: "RollingUpdate" }],
    ["maxUnavailable is kept", "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1, maxUnavailable: 2}}\n", { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } }],
    ["OnDelete is kept", "  updateStrategy: {type: OnDelete}\n", { type: "OnDelete" }],
  ])("updateStrategy: %s", (_n, extraSpec, want) => {
    const { sts } = run(withService({ extraSpec }));
    expect(sts.spec.updateStrategy).toEqual(want);
  });

  it("podManagementPolicy and ordinals are kept", () => {
    const { sts } = run(withService({ extraSpec: "  podManagementPolicy: Parallel\n  ordinals: {start: 1}\n" }));
    expect([sts.spec.podManagementPolicy, sts.spec.ordinals]).toEqual(["Parallel", { start: 1 }]);
  });

  it("a Deployment named like the StatefulSet is not taken for it (kind: StatefulSet is required)", () => {
    const r = renderApp({ base: { "db.yaml": statefulSet() }, forks: { alice: fork("alice", "    - name: db\n") } });
    expect(r.problems.map((p) => [p.message, p.hint])).toEqual([["no Deployment 'db' in the base", "'db' is a StatefulSet: set kind: StatefulSet"]]);
  });
});
