// Table tests of the guard rails: image globs, allowPatchPaths, restricted fields, Secret
// references, and the positive side of each rule (what the policy lets through).
import { describe, expect, it } from "vitest";
import { imageMatches, normalizeImage } from "../../src/policy/policy.ts";
import { disallowedChanges } from "../../src/policy/allowlist.ts";
import { pathAllowed, secretsOf } from "../../src/policy/copies.ts";
import { duplicateJsonKey, shapeProblem, DEFAULT_LIMITS } from "../../src/load/documents.ts";
import type { KObject } from "../../src/model/k8s.ts";
import { fork, manager, renderFiles, workload } from "../helpers/inprocess.ts";

describe("normalizeImage", () => {
  it.each([
    ["nginx", "docker.io/library/nginx"],
    ["nginx:1.25", "docker.io/library/nginx:1.25"],
    ["team/app:1", "docker.io/team/app:1"],
    ["index.docker.io/team/app", "docker.io/team/app"],
    ["localhost/app", "localhost/app"],
    ["localhost:5000/app", "localhost:5000/app"],
    ["registry.example.com/team/app", "registry.example.com/team/app"],
  ])("%s → %s", (image, full) => expect(normalizeImage(image)).toBe(full));
});

describe("imageMatches", () => {
  it.each([
    ["registry.example.com/*", "registry.example.com/shop/web:1", true],
    ["registry.example.com/*", "registry.example.com/shop/sub/web@sha256:" + "a".repeat(64), true],
    ["registry.example.com/*", "evil.com/registry.example.com/x", false],
    ["registry.example.com/*", "registry.example.com.evil.com/x", false],
    ["registry.example.com/*", "registry.example.com:5000/x", false],
    ["registry.example.com:5000/team/*", "registry.example.com:5000/team/app:1", true],
    ["registry.example.com:5000/team/*", "registry.example.com:5000/other/app:1", false],
    ["registry.example.com:*/*", "registry.example.com:5000/x", true],
    ["*.example.com/*", "a.example.com/x", true],
    ["*.example.com/*", "evil.com/x.example.com/y", false],
    ["docker.io/library/nginx:*", "nginx:1.25", true],
    ["docker.io/library/*", "evil/nginx", false],
    ["*", "anything.example/at/all:1", true],
    ["registry.example.com/shop/web:pr-?", "registry.example.com/shop/web:pr-1", true],
  ])("%s allows %s: %s", (pattern, image, want) => expect(imageMatches(pattern, image)).toBe(want));
});

describe("pathAllowed", () => {
  it.each([
    ["/spec/template/spec/hostNetwork", ["/spec/template/spec/hostNetwork"], true],
    ["/spec/template/spec/containers/0/securityContext/runAsUser", ["/spec/template/spec/containers/*/securityContext"], true],
    ["/spec/template/spec/containers/0/securityContext/privileged", ["/spec/template/spec/containers/*/securityContext/runAsUser"], false],
    ["/spec/template/spec/hostNetwork", ["/spec/template/spec/host"], false],
    ["/spec/template/spec/hostPID", ["/spec/template/spec/host*"], true],
    ["/spec/template/spec/securityContext", ["/spec/template/spec/securityContext/runAsUser"], false],
  ])("%s with %j: %s", (pointer, allow, want) => expect(pathAllowed(pointer, allow)).toBe(want));
});

const deploy = (pod: Record<string, unknown>): KObject => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "w" }, spec: { template: { spec: pod } } });

const NONE = { readLabels: new Map([["app", new Set(["web"])]]) };

describe("disallowedChanges", () => {
  it("inserting a container before another is one change, the new container, not a change of the other", () => {
    const a = deploy({ containers: [{ name: "web", securityContext: { runAsNonRoot: true } }] });
    const b = deploy({ containers: [{ name: "init", image: "x" }, { name: "web", securityContext: { runAsNonRoot: true } }] });
    expect(disallowedChanges(a, b, NONE)).toEqual([{ pointer: "/spec/template/spec/containers/0", rule: "containers" }]);
  });
  it("names each changed leaf with its rule", () => {
    const a = deploy({ containers: [{ name: "web" }] });
    const b = deploy({ hostNetwork: true, volumes: [{ name: "r", hostPath: { path: "/" } }], containers: [{ name: "web", securityContext: { privileged: true, capabilities: { add: ["NET_ADMIN"] } } }] });
    expect(disallowedChanges(a, b, NONE)).toEqual([
      { pointer: "/spec/template/spec/hostNetwork", rule: "hostNetwork" },
      { pointer: "/spec/template/spec/volumes/0", rule: "hostPath volume" },
      { pointer: "/spec/template/spec/containers/0/securityContext/privileged", rule: "privileged" },
      { pointer: "/spec/template/spec/containers/0/securityContext/capabilities/add/0", rule: "capabilities" },
    ]);
  });
  it("allows images, env, args, command, resources, replicas, free labels and annotations; denies the rest", () => {
    const a = deploy({ containers: [{ name: "web", image: "a", ports: [{ containerPort: 80 }] }] });
    const b = deploy({ containers: [{ name: "web", image: "b", env: [{ name: "X", value: "1" }], args: ["-v"], command: ["/x"], resources: { limits: { cpu: "1" } }, ports: [{ containerPort: 80 }] }] });
    (b.spec as Record<string, unknown>).replicas = 7;
    const t = (b.spec as { template: Record<string, unknown> }).template;
    t.metadata = { labels: { team: "x" }, annotations: { "example.com/note": "y" } };
    expect(disallowedChanges(a, b, NONE)).toEqual([]);
    t.metadata = { labels: { app: "web" }, annotations: { "sidecar.istio.io/inject": "false", "container.apparmor.security.beta.kubernetes.io/web": "unconfined" } };
    (t.spec as Record<string, unknown>).nodeName = "n1";
    expect(disallowedChanges(a, b, NONE)).toEqual([
      { pointer: "/spec/template/metadata/labels/app", rule: "pod labels" },
      { pointer: "/spec/template/metadata/annotations/sidecar.istio.io~1inject", rule: "pod annotations" },
      { pointer: "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1web", rule: "pod annotations" },
      { pointer: "/spec/template/spec/nodeName", rule: "nodeName" },
    ]);
  });
});

describe("secretsOf", () => {
  it("finds env, envFrom, secret and projected volumes and image pull secrets", () => {
    const o = deploy({
      imagePullSecrets: [{ name: "pull" }],
      volumes: [{ name: "a", secret: { secretName: "vol" } }, { name: "b", projected: { sources: [{ secret: { name: "proj" } }] } }],
      containers: [{ name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "env", key: "k" } } }], envFrom: [{ secretRef: { name: "from" } }] }],
    });
    expect([...secretsOf(o)].sort()).toEqual(["env", "from", "proj", "pull", "vol"]);
  });
});

describe("parse limits", () => {
  it("a shared (aliased) value counts once per use", () => {
    let v: unknown = ["lol"];
    for (let i = 0; i < 30; i++) v = [v, v];
    expect(shapeProblem(v, DEFAULT_LIMITS)?.message).toMatch(/expands to more than 1000000 values/);
    expect(shapeProblem({ a: [1, 2, { b: 3 }] }, DEFAULT_LIMITS)).toBeUndefined();
  });
  it.each([
    ['{"a": 1, "a": 2}', "a", 9],
    ['{"a": {"b": 1}, "b": {"b": 2}}', undefined, 0],
    ['[{"x": 1}, {"x": 2}]', undefined, 0],
    ['{"k\\"q": 1, "k\\"q": 2}', 'k"q', 12],
  ])("duplicateJsonKey(%s)", (text, key, offset) => {
    const d = duplicateJsonKey(text);
    expect(d?.key).toBe(key);
    if (key) expect(d?.offset).toBe(offset);
  });
});

// The positive side: what allowPatchPaths and allowSecretRefs let through.
const MANAGER = (policy: string) => manager(`  policy:\n${policy}`, "shop");
const BASE = workload(
  "web",
  `      containers:
        - name: web
          image: registry.example.com/web:1
          env:
            - name: DB
              valueFrom: {secretKeyRef: {name: web-db, key: password}}
`,
);
const FORK = (entry: string) => fork("eve", `    - name: web\n${entry}`, '  expires: "2026-11-24T00:00:00Z"\n');

describe("what the policy lets through", () => {
  const render = (policy: string, workload: string) =>
    renderFiles({ "kubefork.yaml": MANAGER(policy), "base/web.yaml": BASE, "forks/eve.yaml": FORK(workload) });
  it("a patch of a path listed in allowPatchPaths", () => {
    const r = render("    allowPatchPaths: [/spec/template/spec/containers/*/securityContext/runAsUser]\n", "      patches:\n        - {op: add, path: /spec/template/spec/containers/0/securityContext, value: {runAsUser: 1000}}\n");
    expect(r.problems.map((p) => p.message)).toEqual([]);
    expect(r.ok).toBe(true);
  });
  it("a Secret the base workload uses already, or one listed in allowSecretRefs", () => {
    const r = render(
      "    allowSecretRefs: [feature-*]\n",
      "      env:\n        - {name: A, valueFrom: {secretKeyRef: {name: web-db, key: other}}}\n        - {name: B, valueFrom: {secretKeyRef: {name: feature-flags, key: k}}}\n",
    );
    expect(r.problems.map((p) => p.message)).toEqual([]);
  });
  it("an image set by a patch that matches policy.images", () => {
    const r = render('    images: ["registry.example.com/*"]\n', "      patches:\n        - {op: replace, path: /spec/template/spec/containers/0/image, value: registry.example.com/web:pr-9}\n");
    expect(r.problems.map((p) => p.message)).toEqual([]);
  });
  it("spec.secretRefs may point a copy only at a Secret allowSecretRefs names", () => {
    const withRefs = FORK("      replicas: 1\n") + "  secretRefs:\n    - {from: web-db, to: prod-admin}\n";
    const denied = renderFiles({ "kubefork.yaml": MANAGER("    maxReplicas: 3\n"), "base/web.yaml": BASE, "forks/eve.yaml": withRefs });
    expect(denied.problems.map((p) => [p.kind, p.line, p.path, p.message])).toEqual([
      ["policy", 11, "spec.secretRefs[0].to", "the fork points Deployment web at Secret prod-admin, which the base Deployment does not use (policy.allowSecretRefs)"],
    ]);
    const allowed = renderFiles({ "kubefork.yaml": MANAGER("    allowSecretRefs: [prod-admin]\n"), "base/web.yaml": BASE, "forks/eve.yaml": withRefs });
    expect(allowed.problems.map((p) => p.message)).toEqual([]);
  });

  it("restricted patches are refused without any policy block", () => {
    const r = renderFiles({
      "kubefork.yaml": manager("", "shop"),
      "base/web.yaml": BASE,
      "forks/eve.yaml": FORK("      patches:\n        - {op: add, path: /spec/template/spec/hostNetwork, value: true}\n"),
    });
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => [p.kind, p.line, p.message])).toEqual([
      ["policy", 10, "patch operation 0 (add /spec/template/spec/hostNetwork) changes restricted field (hostNetwork): /spec/template/spec/hostNetwork (policy.allowPatchPaths)"],
    ]);
  });
});
