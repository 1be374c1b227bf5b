import { describe, expect, it } from "vitest";
import { generateWorkloads, mergeEnv } from "../../src/generate/workload.ts";
import { context, deployment, fork, forkPodLabels, forkPods, service } from "../helpers/inprocess.ts";

const base = [
  deployment("web-v1", { app: "web", version: "v1", team: "a" }, { selector: { app: "web", version: "v1" } }),
  deployment("multi", { app: "multi" }, { containers: ["main", "sidecar"] }),
  service("web", { app: "web" }),
].join("---\n");

function copy(workloads: string, extra = "", b = base) {
  const { ctx, problems } = context({ base: b, forks: { alice: fork("alice", workloads, extra) } });
  const r = generateWorkloads(ctx);
  return { objects: r.objects.map((o) => o.object as any), problems: [...problems, ...r.problems] };
}

describe("workload copy", () => {
  const cases: { name: string; workloads: string; extra?: string; check: (o: any) => void }[] = [
    {
      name: "name, replicas default 1, selector and pod labels isolated",
      workloads: "    - name: web-v1\n",
      check: (o) => {
        expect(o.metadata.name).toBe("web-v1-alice");
        expect(o.spec.replicas).toBe(1);
        expect(o.spec.selector).toEqual({ matchLabels: forkPods("alice", "web-v1") });
        expect(o.spec.template.metadata.labels).toEqual({ team: "a", ...forkPodLabels("alice", "web-v1", { service: "web", canonical: "web" }) });
        expect(o.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "kubefork", "kubefork.dev/fork": "alice" });
        expect(o.metadata.annotations).toMatchObject({ "kubefork.dev/fork-file": "forks/alice.yaml", "kubefork.dev/copied-from": "Deployment/web-v1" });
      },
    },
    {
      name: "image shorthand on a single-container pod, replicas",
      workloads: "    - name: web-v1\n      replicas: 2\n      image: registry.example.com/web:pr-1\n",
      check: (o) => {
        expect(o.spec.replicas).toBe(2);
        expect(o.spec.template.spec.containers[0].image).toBe("registry.example.com/web:pr-1");
      },
    },
    {
      name: "env: fork-wide then workload then container; same name replaces in place, new appends; identifier last",
      extra: "  env: [{name: B, value: fork}, {name: F, value: f}]\n",
      workloads: "    - name: web-v1\n      env: [{name: A, value: wl}]\n      containers:\n        - name: app\n          env: [{name: F, value: c}, {name: S, valueFrom: {secretKeyRef: {name: s, key: k}}}]\n",
      check: (o) =>
        expect(o.spec.template.spec.containers[0].env).toEqual([
          { name: "A", value: "wl" },
          { name: "B", value: "fork" },
          { name: "F", value: "c" },
          { name: "S", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
          { name: "FORK_IDENTIFIER", value: "alice" },
        ]),
    },
    {
      name: "per-container image, args, command by name on a multi-container pod",
      workloads: "    - name: multi\n      containers:\n        - {name: sidecar, image: registry.example.com/s:2, args: [--x], command: [/bin/s]}\n",
      check: (o) => {
        const [main, side] = o.spec.template.spec.containers;
        expect(main.image).toBe("registry.example.com/multi/main:1");
        expect(side).toMatchObject({ image: "registry.example.com/s:2", args: ["--x"], command: ["/bin/s"] });
        expect(main.env.at(-1)).toEqual({ name: "FORK_IDENTIFIER", value: "alice" });
      },
    },
    {
      name: "patches apply to the copy",
      workloads: "    - name: web-v1\n      patches:\n        - {op: add, path: /spec/template/metadata/annotations, value: {debug: 'true'}}\n        - {op: replace, path: /spec/template/spec/containers/0/image, value: registry.example.com/web:patched}\n",
      check: (o) => {
        expect(o.spec.template.metadata.annotations).toEqual({ debug: "true" });
        expect(o.spec.template.spec.containers[0].image).toBe("registry.example.com/web:patched");
      },
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const r = copy(c.workloads, c.extra);
    expect(r.problems).toEqual([]);
    expect(r.objects).toHaveLength(1);
    c.check(r.objects[0]);
  });

  const failures: { name: string; workloads: string; code: string; message: string; line: number }[] = [
    { name: "ambiguous image", workloads: "    - name: multi\n      image: x:1\n", code: "KF5100", message: "image is ambiguous: Deployment shop/multi has 2 containers (main, sidecar)", line: 8 },
    { name: "unknown container", workloads: "    - name: multi\n      containers: [{name: nope, image: x:1}]\n", code: "KF5101", message: "no container 'nope' in Deployment shop/multi", line: 8 },
    { name: "an image given twice", workloads: "    - name: web-v1\n      image: x:1\n      containers: [{name: app, image: x:2}]\n", code: "KF5102", message: "the image is given twice: here and in the workload's image", line: 9 },
    { name: "failing patch names the operation", workloads: "    - name: web-v1\n      patches:\n        - {op: remove, path: /spec/nothing}\n", code: "KF5103", message: "patch operation 0 (remove /spec/nothing) failed: the path does not exist", line: 9 },
    {
      name: "a patch of a key named __proto__ is refused in kubefork's words",
      workloads: "    - name: web-v1\n      patches:\n        - {op: add, path: /metadata/annotations/__proto__, value: x}\n",
      code: "KF5103",
      message: "patch operation 0 (add /metadata/annotations/__proto__) failed: kubefork does not patch a key named __proto__, nor a path through constructor/prototype (they would reach an object's prototype); set that key in the base",
      line: 9,
    },
    { name: "a patch that removes the whole copy", workloads: "    - name: web-v1\n      patches:\n        - {op: remove, path: \"\"}\n", code: "KF5104", message: 'the patches leave no object (an operation on the path "" removed or replaced the whole copy)', line: 9 },
    { name: "a patch may not change the kind", workloads: "    - name: web-v1\n      patches:\n        - {op: replace, path: /kind, value: StatefulSet}\n", code: "KF5105", message: "patches must not change apiVersion or kind", line: 8 },
    { name: "a patch may not rename the copy", workloads: "    - name: web-v1\n      patches:\n        - {op: replace, path: /metadata/name, value: web-v2}\n", code: "KF5106", message: "patches must not change metadata.name or metadata.namespace", line: 8 },
    {
      name: "a patch that restores a selected label breaks isolation",
      workloads: "    - name: web-v1\n      patches:\n        - {op: add, path: /spec/template/metadata/labels/app, value: web}\n",
      code: "KF5109",
      message: "after the patches, fork pods are selected by Service shop/web",
      line: 8,
    },
    { name: "a patch may not change the selector", workloads: "    - name: web-v1\n      patches:\n        - {op: replace, path: /spec/selector, value: {matchLabels: {app: web}}}\n", code: "KF5107", message: "patches must not change spec.selector", line: 8 },
    { name: "a patch may not remove a pod label of the selector", workloads: "    - name: web-v1\n      patches:\n        - {op: replace, path: /spec/template/metadata/labels, value: {}}\n", code: "KF5108", message: "", line: 8 },
  ];
  it.each(failures.map((c) => [c.name, c] as const))("fails: %s", (_n, c) => {
    const r = copy(c.workloads);
    expect(r.objects).toEqual([]);
    const got = r.problems.map((p) => [p.file, p.line, p.code, c.message ? p.message : ""]);
    expect(got).toContainEqual(["forks/alice.yaml", c.line, c.code, c.message]);
    const p = r.problems.find((x) => x.code === c.code)!;
    expect(p.ref).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", namespace: "shop" });
  });

  it("mergeEnv keeps valueFrom and order", () => {
    expect(mergeEnv([{ name: "A", value: "1" }, { name: "B", valueFrom: { fieldRef: { fieldPath: "x" } } }], [{ name: "A", value: "2" }, { name: "C", value: "3" }])).toEqual([
      { name: "A", value: "2" },
      { name: "B", valueFrom: { fieldRef: { fieldPath: "x" } } },
      { name: "C", value: "3" },
    ]);
  });
});
