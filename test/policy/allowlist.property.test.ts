// The allowlist as a property (fast-check, fixed seed): forks built from allowed changes only
// render; one random disallowed change fails, naming its JSON Pointer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fork, manager, renderApp, svc, workload } from "../helpers/inprocess.ts";

const MANAGER = manager('  policy: {images: ["registry.example.com/*"], maxReplicas: 3}\n', "shop");
const BASE = `${workload("web", '      containers:\n        - {name: web, image: "registry.example.com/web:1", ports: [{containerPort: 8080}]}\n')}---\n${svc("web", "[{name: http, port: 80}]")}`;
const op = (path: string, value: unknown) => ({ op: "add", path, value });
const token = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const allowed = fc.oneof(
  token.map((t) => op("/spec/template/spec/containers/0/image", `registry.example.com/${t}:1`)),
  fc.tuple(token, token).map(([n, v]) => op("/spec/template/spec/containers/0/env", [{ name: n.toUpperCase(), value: v }])),
  fc.array(token, { maxLength: 3 }).map((a) => op("/spec/template/spec/containers/0/args", a)),
  fc.array(token, { minLength: 1, maxLength: 2 }).map((a) => op("/spec/template/spec/containers/0/command", a)),
  fc.integer({ min: 1, max: 4 }).map((n) => op("/spec/template/spec/containers/0/resources", { limits: { cpu: `${n}00m` } })),
  fc.integer({ min: 0, max: 3 }).map((n) => ({ op: "replace", path: "/spec/replicas", value: n })),
  fc.tuple(token, token).map(([k, v]) => op(`/spec/template/metadata/labels/team-${k}`, v)),
  fc.tuple(token, token).map(([k, v]) => op("/spec/template/metadata/annotations", { [`example.com/${k}`]: v })),
);
const disallowed: fc.Arbitrary<{ patch: Record<string, unknown>; pointer: string }> = fc.oneof(
  ...(
    [
      ["/spec/template/spec/nodeName", fc.constant("n1")],
      ["/spec/template/spec/hostNetwork", fc.constant(true)],
      ["/spec/template/spec/priorityClassName", token],
      ["/spec/template/spec/runtimeClassName", token],
      ["/spec/template/spec/shareProcessNamespace", fc.constant(true)],
      ["/spec/template/spec/serviceAccountName", token],
      ["/spec/template/spec/schedulerName", token],
      ["/spec/template/spec/dnsPolicy", fc.constant("None")],
      ["/spec/minReadySeconds", fc.integer({ min: 1, max: 100 })],
    ] as [string, fc.Arbitrary<unknown>][]
  ).map(([path, v]) => v.map((value) => ({ patch: op(path, value), pointer: path }))),
  token.map((t) => ({ patch: op("/spec/template/spec/tolerations", [{ key: t, operator: "Exists" }]), pointer: "/spec/template/spec/tolerations/0" })),
  token.map((t) => ({ patch: op("/spec/template/spec/volumes", [{ name: t, nfs: { server: "nfs", path: "/" } }]), pointer: "/spec/template/spec/volumes/0" })),
  token.map((t) => ({ patch: op("/spec/template/spec/initContainers", [{ name: t, image: "registry.example.com/x:1" }]), pointer: "/spec/template/spec/initContainers/0" })),
  token.map((t) => ({ patch: op("/spec/template/metadata/annotations", { [`sidecar.istio.io/${t}`]: "x" }), pointer: "/spec/template/metadata/annotations/sidecar.istio.io~1" })),
);
const forkWith = (patches: unknown[]) => fork("eve", `    - name: web\n      patches: ${JSON.stringify(patches)}\n`);
const params = { seed: Number(process.env.PROPERTY_SEED ?? 20261202), numRuns: Number(process.env.PROPERTY_RUNS ?? 60) };

describe("allowlist (property)", () => {
  it("forks built from allowed changes only render", () => {
    fc.assert(
      fc.property(fc.array(allowed, { minLength: 1, maxLength: 6 }), (patches) => {
        const r = renderApp({ manager: MANAGER, base: { "shop.yaml": BASE }, forks: { eve: forkWith(patches) } });
        expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
        expect(r.objects.some((o) => o.metadata.name === "web-eve")).toBe(true);
      }),
      params,
    );
  });

  it("one disallowed change among allowed ones fails, naming its path and its patch operation", () => {
    fc.assert(
      fc.property(fc.array(allowed, { maxLength: 4 }), disallowed, fc.nat(), (patches, bad, at) => {
        const k = at % (patches.length + 1);
        const all = [...patches.slice(0, k), bad.patch, ...patches.slice(k)];
        const r = renderApp({ manager: MANAGER, base: { "shop.yaml": BASE }, forks: { eve: forkWith(all) } });
        expect(r.objects).toEqual([]);
        const errors = r.problems.filter((p) => p.severity === "error");
        expect(errors.some((p) => p.file === "forks/eve.yaml" && p.path === `spec.workloads[0].patches[${k}]` && p.message.includes(bad.pointer))).toBe(true);
      }),
      params,
    );
  });
});
