// Forked ConfigMaps and Secret references: the reference walker, table-tested, and the errors of
// spec.configMaps / spec.secretRefs with their file, line and message.
import { describe, expect, it } from "vitest";
import { podReferences, rewriteReferences } from "../../src/plan/references.ts";
import { codesOf, errorsOf, fork, renderFiles } from "../helpers/inprocess.ts";

describe("podReferences / rewriteReferences", () => {
  const cases: { name: string; pod: Record<string, unknown>; configMaps: string[]; secrets: string[]; rewritten: unknown }[] = [
    {
      name: "envFrom configMapRef and secretRef",
      pod: { containers: [{ name: "a", envFrom: [{ configMapRef: { name: "cm" } }, { secretRef: { name: "s" } }] }] },
      configMaps: ["cm"],
      secrets: ["s"],
      rewritten: { containers: [{ name: "a", envFrom: [{ configMapRef: { name: "cm-x" } }, { secretRef: { name: "s2" } }] }] },
    },
    {
      name: "env valueFrom in an init container",
      pod: { initContainers: [{ name: "i", env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "cm", key: "A" } } }, { name: "B", valueFrom: { secretKeyRef: { name: "s", key: "B" } } }] }] },
      configMaps: ["cm"],
      secrets: ["s"],
      rewritten: { initContainers: [{ name: "i", env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "cm-x", key: "A" } } }, { name: "B", valueFrom: { secretKeyRef: { name: "s2", key: "B" } } }] }] },
    },
    {
      name: "volumes, projected sources and imagePullSecrets",
      pod: {
        imagePullSecrets: [{ name: "s" }],
        volumes: [{ name: "v", configMap: { name: "cm" } }, { name: "w", secret: { secretName: "s" } }, { name: "p", projected: { sources: [{ configMap: { name: "cm" } }, { secret: { name: "s" } }, { serviceAccountToken: { path: "t" } }] } }],
      },
      configMaps: ["cm"],
      secrets: ["s"],
      rewritten: {
        imagePullSecrets: [{ name: "s2" }],
        volumes: [{ name: "v", configMap: { name: "cm-x" } }, { name: "w", secret: { secretName: "s2" } }, { name: "p", projected: { sources: [{ configMap: { name: "cm-x" } }, { secret: { name: "s2" } }, { serviceAccountToken: { path: "t" } }] } }],
      },
    },
    {
      name: "other names are left alone",
      pod: { containers: [{ name: "a", envFrom: [{ configMapRef: { name: "other" } }] }], volumes: [{ name: "v", secret: { secretName: "other" } }] },
      configMaps: ["other"],
      secrets: ["other"],
      rewritten: { containers: [{ name: "a", envFrom: [{ configMapRef: { name: "other" } }] }], volumes: [{ name: "v", secret: { secretName: "other" } }] },
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const refs = podReferences(c.pod);
    expect([...refs.configMaps]).toEqual(c.configMaps);
    expect([...refs.secrets]).toEqual(c.secrets);
    const pod = structuredClone(c.pod);
    rewriteReferences(pod, new Map([["cm", "cm-x"]]), new Map([["s", "s2"]]));
    expect(pod).toEqual(c.rewritten);
  });
});

const BASE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  A: "1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: jobs-config
data:
  A: "1"
---
apiVersion: v1
kind: Secret
metadata:
  name: web-db
stringData:
  password: base-value
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: web:1
          envFrom:
            - configMapRef: {name: web-config}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: jobs
spec:
  selector:
    matchLabels: {app: jobs}
  template:
    metadata:
      labels: {app: jobs}
    spec:
      containers:
        - name: jobs
          image: jobs:1
          volumes: []
          envFrom:
            - configMapRef: {name: jobs-config}
            - secretRef: {name: web-db}
`;

/** Fork alice of web, with `extra` after the workload's name. */
const aliceFork = (extra: string) => fork("alice", `    - name: web\n${extra}`);

describe("spec.configMaps and spec.secretRefs errors", () => {
  it("an override of a ConfigMap the base doesn't have names the file, the line and close matches", () => {
    const r = renderFiles({ "base/app.yaml": BASE, "forks/alice.yaml": aliceFork("  configMaps:\n    - name: web-confg\n      data: {A: '2'}\n") });
    expect(errorsOf(r)).toEqual([{ file: "forks/alice.yaml", line: 9, message: "no ConfigMap 'web-confg' in the base" }]);
    expect(r.problems.find((p) => p.severity === "error")?.hint).toBe("did you mean 'web-config'?");
    expect(r.objects).toEqual([]);
  });

  it("an override of a Secret says Secrets are never copied", () => {
    const r = renderFiles({ "base/app.yaml": BASE, "forks/alice.yaml": aliceFork("  configMaps:\n    - name: web-db\n      data: {password: x}\n") });
    expect(errorsOf(r)).toEqual([{ file: "forks/alice.yaml", line: 9, message: "no ConfigMap 'web-db' in the base" }]);
    expect(codesOf(r)).toEqual(["KF4020"]);
    expect(r.problems.find((p) => p.severity === "error")?.hint).toMatch(/^'web-db' is a Secret: kubefork never copies Secrets; point the workloads at another existing Secret with spec.secretRefs/);
  });

  it("an unreferenced override is an error whose hint names the workloads that read it", () => {
    const r = renderFiles({ "base/app.yaml": BASE, "forks/alice.yaml": aliceFork("  configMaps:\n    - name: jobs-config\n      data: {A: '2'}\n") });
    expect(errorsOf(r)).toEqual([
      { file: "forks/alice.yaml", line: 9, message: "unreferenced override: no forked workload reads ConfigMap default/jobs-config, so the copy would change nothing" },
    ]);
    expect(r.problems.find((p) => p.severity === "error")?.hint).toBe("it is read by Deployment default/jobs: fork one of them (add it to spec.workloads), or remove this override");
    expect(codesOf(r)).toEqual(["KF4021"]);
    expect(r.problems.find((p) => p.severity === "error")?.ref).toMatchObject({ kind: "ConfigMap", namespace: "default", name: "jobs-config", file: "base/app.yaml" });
  });

  it("a ConfigMap referenced only by env the fork adds counts as referenced, and is rewritten", () => {
    const r = renderFiles({
      "base/app.yaml": BASE,
      "forks/alice.yaml": aliceFork("      env:\n        - name: B\n          valueFrom:\n            configMapKeyRef: {name: jobs-config, key: A}\n  configMaps:\n    - name: jobs-config\n      data: {A: '2'}\n"),
    });
    expect(errorsOf(r)).toEqual([]);
    const web = r.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "web-alice") as any;
    expect(web.spec.template.spec.containers[0].env[0]).toEqual({ name: "B", valueFrom: { configMapKeyRef: { name: "jobs-config-alice", key: "A" } } });
    expect(web.spec.template.metadata.annotations["kubefork.dev/config-hash"]).toMatch(/^[0-9a-f]{8}$/);
  });

  it("the config hash changes with the forked data, so fork pods roll", () => {
    const hash = (v: string) =>
      (renderFiles({ "base/app.yaml": BASE, "forks/alice.yaml": aliceFork(`  configMaps:\n    - name: web-config\n      data: {A: '${v}'}\n`) }).objects.find((o) => o.metadata.name === "web-alice") as any).spec.template.metadata.annotations["kubefork.dev/config-hash"];
    expect(hash("2")).not.toBe(hash("3"));
    expect(hash("2")).toBe(hash("2"));
  });

  it("an immutable ConfigMap's copy is mutable: a fork's configuration changes while it lives", () => {
    const base = BASE.replace("name: web-config\ndata:", "name: web-config\nimmutable: true\ndata:");
    const r = renderFiles({ "base/app.yaml": base, "forks/alice.yaml": aliceFork("  configMaps:\n    - name: web-config\n      data: {A: '2'}\n") });
    const copy = r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "web-config-alice")!;
    expect(copy.immutable).toBeUndefined();
    expect(copy.data).toEqual({ A: "2" });
  });

  it("an unreferenced secretRef is an error at its line", () => {
    const r = renderFiles({ "base/app.yaml": BASE, "forks/alice.yaml": aliceFork("  secretRefs:\n    - {from: web-db, to: web-db-staging}\n") });
    expect(errorsOf(r)).toEqual([{ file: "forks/alice.yaml", line: 9, message: "unreferenced secretRef: no forked workload references Secret 'web-db'" }]);
    expect(r.problems.find((p) => p.severity === "error")?.hint).toBe("it is referenced by Deployment default/jobs: fork one of them, or remove this entry");
    expect(codesOf(r)).toEqual(["KF4021"]);
  });

  it("a secretRef rewrites the reference and copies no Secret", () => {
    const r = renderFiles({ "kubefork.yaml": "apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: app}\nspec:\n  policy: {allowSecretRefs: [web-db-staging]}\n", "base/app.yaml": BASE, "forks/alice.yaml": aliceFork("    - name: jobs\n  secretRefs:\n    - {from: web-db, to: web-db-staging}\n") });
    expect(errorsOf(r)).toEqual([]);
    expect(r.objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name)).toEqual(["web-db"]);
    const jobs = r.objects.find((o) => o.metadata.name === "jobs-alice") as any;
    expect(jobs.spec.template.spec.containers[0].envFrom[1]).toEqual({ secretRef: { name: "web-db-staging" } });
  });

  it("a fork file has no field for Secret data, and patches cannot turn the copy into a Secret", () => {
    const unknown = renderFiles({ "base/app.yaml": BASE, "forks/alice.yaml": aliceFork("  secrets:\n    - {name: web-db, data: {password: c2VjcmV0}}\n") });
    expect(errorsOf(unknown)).toEqual([{ file: "forks/alice.yaml", line: 8, message: "unknown field 'secrets' in Fork" }]);
    const patched = renderFiles({
      "base/app.yaml": BASE,
      "forks/alice.yaml": aliceFork("      patches:\n        - {op: replace, path: /kind, value: Secret}\n        - {op: add, path: /data, value: {password: c2VjcmV0}}\n"),
    });
    expect(errorsOf(patched)).toEqual([{ file: "forks/alice.yaml", line: 8, message: "patches must not change apiVersion or kind" }]);
    expect(patched.objects).toEqual([]);
  });
});
