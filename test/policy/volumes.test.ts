// Shared claims: a forked workload that mounts a base PersistentVolumeClaim by name (src/policy/volumes.ts).
import { describe, expect, it } from "vitest";
import { claimMounts, exclusiveModes } from "../../src/policy/volumes.ts";
import type { KObject } from "../../src/model/k8s.ts";
import { hasErrors } from "../../src/problems.ts";
import { generated, renderApp } from "../helpers/inprocess.ts";

const MANAGER = (policy = "") => `apiVersion: kubefork.dev/v1alpha1
kind: ForkManager
metadata: {name: test}
spec:
  policy:
    namespaces: [data]
${policy}`;

function claim(name: string, modes: string[] | undefined): string {
  return `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: data}
spec: {${modes ? `accessModes: [${modes.join(", ")}], ` : ""}resources: {requests: {storage: 1Gi}}}
`;
}

function workload(kind: "Deployment" | "StatefulSet", volumes: string, templates = ""): string {
  return `apiVersion: apps/v1
kind: ${kind}
metadata: {name: db, namespace: data}
spec:
${kind === "StatefulSet" ? "  serviceName: db\n" : ""}  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: db
          image: registry.example.com/db:1
          volumeMounts: [{name: data, mountPath: /data}]
      volumes: ${volumes}
${templates}`;
}

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec: {clusterIP: None, selector: {app: db}, ports: [{name: tcp-sql, port: 5432}]}
`;

function forkFile(kind: string, patches = ""): string {
  return `apiVersion: kubefork.dev/v1alpha1
kind: Fork
metadata: {name: alice}
spec:
  workloads:
    - name: db
      kind: ${kind}
${patches}`;
}

const PVC_VOLUME = "[{name: data, persistentVolumeClaim: {claimName: db-data}}]";

function run(o: { kind?: "Deployment" | "StatefulSet"; modes?: string[] | undefined; noClaim?: boolean; volumes?: string; templates?: string; patches?: string; policy?: string }) {
  const kind = o.kind ?? "Deployment";
  const base: Record<string, string> = { "db.yaml": `${workload(kind, o.volumes ?? PVC_VOLUME, o.templates)}---\n${SERVICE}` };
  if (!o.noClaim) base["pvc.yaml"] = claim("db-data", "modes" in o ? o.modes : ["ReadWriteOnce"]);
  const r = renderApp({ manager: MANAGER(o.policy), base, forks: { alice: forkFile(kind, o.patches) } });
  const mine = r.problems.filter((p) => p.message.includes("PersistentVolumeClaim"));
  return { r, mine };
}

describe("exclusiveModes", () => {
  it.each([
    [["ReadWriteOnce"], true],
    [["ReadWriteOncePod"], true],
    [["ReadWriteOnce", "ReadOnlyMany"], true],
    [["ReadWriteOnce", "ReadWriteMany"], false],
    [["ReadWriteMany"], false],
    [["ReadOnlyMany"], false],
    [[], false],
    [["SomethingNew"], false],
  ])("%j: %s", (modes, want) => expect(exclusiveModes(modes)).toBe(want));
});

describe("claimMounts", () => {
  const sts = (volumes: unknown[], templates: string[]): KObject => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db" },
    spec: { volumeClaimTemplates: templates.map((name) => ({ metadata: { name } })), template: { spec: { volumes } } },
  });
  it.each([
    ["a claim by name", sts([{ name: "data", persistentVolumeClaim: { claimName: "db-data" } }], []), [{ index: 0, volume: "data", claim: "db-data" }]],
    ["a StatefulSet volume named like a claim template is replaced by the per-pod claim", sts([{ name: "data", persistentVolumeClaim: { claimName: "db-data" } }], ["data"]), []],
    ["other sources and ephemeral claims are not mounts by name", sts([{ name: "tmp", emptyDir: {} }, { name: "e", ephemeral: { volumeClaimTemplate: { spec: {} } } }], []), []],
    ["the index is the volume's", sts([{ name: "tmp", emptyDir: {} }, { name: "logs", persistentVolumeClaim: { claimName: "logs" } }], []), [{ index: 1, volume: "logs", claim: "logs" }]],
  ])("%s", (_name, o, want) => expect(claimMounts(o)).toEqual(want));
});

describe("a forked workload mounting a base claim", () => {
  it.each([
    ["ReadWriteOnce", ["ReadWriteOnce"], "error"],
    ["ReadWriteOncePod", ["ReadWriteOncePod"], "error"],
    ["ReadWriteOnce with ReadOnlyMany", ["ReadWriteOnce", "ReadOnlyMany"], "error"],
    ["ReadWriteMany", ["ReadWriteMany"], "warning"],
    ["ReadOnlyMany", ["ReadOnlyMany"], "warning"],
    ["ReadWriteOnce with ReadWriteMany", ["ReadWriteOnce", "ReadWriteMany"], "warning"],
  ] as const)("%s: %s", (_name, modes, severity) => {
    const { r, mine } = run({ modes: [...modes] });
    expect(mine).toHaveLength(1);
    const p = mine[0]!;
    expect(p).toMatchObject({ severity, code: severity === "error" ? "KF3023" : "KF3024", file: "forks/alice.yaml", line: 6, path: "spec.workloads[0].name", object: "Deployment data/db" });
    expect(p.ref).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", namespace: "data", name: "db" });
    expect(p.message).toContain(`PersistentVolumeClaim data/db-data (volume data, from the base Deployment's pod template; /spec/template/spec/volumes/0/persistentVolumeClaim/claimName), whose access modes are ${modes.join(", ")}`);
    expect(p.hint).toContain("list db-data in spec.policy.allowSharedClaims");
    expect(p.hint).toContain("{op: replace, path: /spec/template/spec/volumes/0, value: {name: data, emptyDir: {}}}");
    if (severity === "error") {
      expect(p.kind).toBe("policy");
      expect(r.objects).toEqual([]);
    } else expect(hasErrors(r.problems)).toBe(false);
  });

  it("policy.allowSharedClaims lets a ReadWriteOnce claim through, with a warning", () => {
    const { r, mine } = run({ policy: "    allowSharedClaims: [db-*]\n" });
    expect(hasErrors(r.problems)).toBe(false);
    expect(mine.map((p) => [p.severity, p.code, p.message.includes("allowed by policy.allowSharedClaims")])).toEqual([["warning", "KF3024", true]]);
  });

  it("a glob that does not match the claim allows nothing", () => {
    const { mine } = run({ policy: "    allowSharedClaims: [logs-*]\n" });
    expect(mine.map((p) => p.severity)).toEqual(["error"]);
  });

  it("a claim the base workload mounts but the base does not hold: a warning (access modes unknown)", () => {
    const { r, mine } = run({ noClaim: true });
    expect(hasErrors(r.problems)).toBe(false);
    expect(mine).toHaveLength(1);
    expect([mine[0]!.severity, mine[0]!.code]).toEqual(["warning", "KF3022"]);
    expect(mine[0]!.message).toContain("which is not in the base: its access modes are unknown");
  });

  it("a claim in another namespace is not the one mounted", () => {
    const other = claim("db-data", ["ReadWriteOnce"]).replace("namespace: data", "namespace: elsewhere");
    const r = renderApp({ manager: MANAGER(), base: { "db.yaml": `${workload("Deployment", PVC_VOLUME)}---\n${SERVICE}`, "pvc.yaml": other }, forks: { alice: forkFile("Deployment") } });
    expect(r.problems.filter((p) => p.message.includes("PersistentVolumeClaim")).map((p) => p.severity)).toEqual(["warning"]);
  });

  it("a claim without access modes is not judged exclusive, only shared", () => {
    const { mine } = run({ modes: undefined });
    expect(mine.map((p) => p.severity)).toEqual(["warning"]);
    expect(mine[0]!.message).toContain("which has no access modes");
  });

  it("a StatefulSet's claim templates are per-pod claims: the copy gets its own, no problem", () => {
    const templates = "  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n";
    const { r, mine } = run({ kind: "StatefulSet", volumes: "[]", templates, noClaim: true });
    expect(mine).toEqual([]);
    expect(hasErrors(r.problems)).toBe(false);
    const copy = generated(r, "StatefulSet")[0] as KObject & { spec: { volumeClaimTemplates: { metadata: { name: string } }[] } };
    // The controller names pod <set>-<n>'s claim <template>-<set>-<n>: data-db-alice-0, never the base's data-db-0.
    expect(copy.metadata.name).toBe("db-alice");
    expect(copy.spec.volumeClaimTemplates.map((t) => t.metadata.name)).toEqual(["data"]);
  });

  it("a StatefulSet that also mounts a shared ReadWriteOnce claim by name: an error", () => {
    const templates = "  volumeClaimTemplates:\n    - metadata: {name: scratch}\n      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n";
    const { mine } = run({ kind: "StatefulSet", templates });
    expect(mine.map((p) => [p.severity, p.object])).toEqual([["error", "StatefulSet data/db"]]);
  });

  it("a patch that mounts a base ReadWriteOnce claim: an error pointing at the patch", () => {
    const patches = "      patches:\n        - {op: add, path: /spec/template/metadata/annotations, value: {a: b}}\n        - {op: replace, path: /spec/template/spec/volumes/0, value: {name: data, persistentVolumeClaim: {claimName: db-data}}}\n";
    const { mine } = run({ volumes: "[{name: data, emptyDir: {}}]", patches, policy: "    allowPatchPaths: [/spec/template/spec/volumes]\n" });
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ severity: "error", line: 10, path: "spec.workloads[0].patches[1]" });
    expect(mine[0]!.message).toContain("(volume data, from a patch;");
  });

  it("patches that mount base claims: each error points at the last patch on the volumes", () => {
    const patches =
      "      patches:\n        - {op: replace, path: /spec/template/spec/volumes/0, value: {name: data, persistentVolumeClaim: {claimName: db-data}}}\n" +
      "        - {op: add, path: /spec/template/spec/volumes/-, value: {name: more, persistentVolumeClaim: {claimName: db-data}}}\n" +
      "        - {op: add, path: /spec/template/metadata/annotations, value: {a: b}}\n";
    const { mine } = run({ volumes: "[{name: data, emptyDir: {}}]", patches, policy: "    allowPatchPaths: [/spec/template/spec/volumes]\n" });
    expect(mine.map((p) => [p.severity, p.line, p.path])).toEqual([
      ["error", 10, "spec.workloads[0].patches[1]"],
      ["error", 10, "spec.workloads[0].patches[1]"],
    ]);
  });

  it("a patch that gives the copy a volume of its own clears the error", () => {
    const patches = "      patches:\n        - {op: replace, path: /spec/template/spec/volumes/0, value: {name: data, emptyDir: {}}}\n";
    const { r, mine } = run({ patches, policy: "    allowPatchPaths: [/spec/template/spec/volumes]\n" });
    expect(mine).toEqual([]);
    expect(hasErrors(r.problems)).toBe(false);
  });
});
