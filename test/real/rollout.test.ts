// Argo Rollouts: errors with file and line, and the Deployment a fork of a Rollout becomes.
import { describe, expect, it } from "vitest";
import { codesOf, errorsOf, fork, renderFiles } from "../helpers/inprocess.ts";
import { validateObjects } from "../helpers/schemas.ts";

const SERVICES = `apiVersion: v1
kind: Service
metadata:
  name: web-stable
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web-canary
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
`;

const rollout = (spec: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 5
  selector:
    matchLabels: {app: web}
${spec}`;

const TEMPLATE = `  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - {name: web, image: "web:1"}
`;

const FORK = fork("alice", `    - name: web\n      kind: Rollout\n      image: "web:2"\n`);

describe("forking a Rollout", () => {
  it("a Rollout with neither template nor workloadRef is an error at the Rollout's spec", () => {
    const r = renderFiles({ "base/svc.yaml": SERVICES, "base/web.yaml": rollout("  strategy:\n    canary: {canaryService: web-canary, stableService: web-stable}\n"), "forks/alice.yaml": FORK });
    expect(errorsOf(r)).toEqual([
      { file: "base/web.yaml", line: 5, message: "the Rollout has neither spec.template nor spec.workloadRef, so there is no pod template to fork" },
    ]);
    expect(codesOf(r)).toEqual(["KF4010"]);
    expect(r.problems.find((p) => p.severity === "error")?.ref).toMatchObject({ kind: "Rollout", namespace: "default", name: "web", file: "base/web.yaml" });
    expect(r.objects).toEqual([]);
  });

  it("a workloadRef to a Deployment the base doesn't have is an error at workloadRef.name", () => {
    const r = renderFiles({ "base/web.yaml": rollout("  workloadRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web-template\n"), "forks/alice.yaml": FORK });
    expect(errorsOf(r)).toEqual([{ file: "base/web.yaml", line: 12, message: "the workloadRef names Deployment default/web-template, which is not in the base" }]);
    expect(codesOf(r)).toEqual(["KF4012"]);
  });

  it("a workloadRef of a kind Argo Rollouts does not read is an error at workloadRef.kind", () => {
    const r = renderFiles({ "base/web.yaml": rollout("  workloadRef:\n    apiVersion: apps/v1\n    kind: StatefulSet\n    name: web-template\n"), "forks/alice.yaml": FORK });
    expect(errorsOf(r)).toEqual([{ file: "base/web.yaml", line: 11, message: "workloadRef kind 'StatefulSet' is not one Argo Rollouts supports" }]);
    expect(codesOf(r)).toEqual(["KF4011"]);
  });

  it("a workloadRef target without a pod template is an error at the target", () => {
    const target = "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: web-template\n";
    const r = renderFiles({ "base/t.yaml": target, "base/web.yaml": rollout("  workloadRef:\n    apiVersion: v1\n    kind: PodTemplate\n    name: web-template\n"), "forks/alice.yaml": FORK });
    expect(errorsOf(r)).toEqual([{ file: "base/t.yaml", line: 1, message: "the workloadRef target of Rollout default/web has no pod template" }]);
    expect(codesOf(r)).toEqual(["KF4013"]);
    expect(r.problems.find((p) => p.severity === "error")?.ref).toMatchObject({ kind: "PodTemplate", name: "web-template", file: "base/t.yaml" });
  });

  it("an unknown Rollout says so, and points at a Deployment of that name", () => {
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n${TEMPLATE}`;
    const r = renderFiles({ "base/web.yaml": deployment, "forks/alice.yaml": FORK });
    expect(errorsOf(r)).toEqual([{ file: "forks/alice.yaml", line: 7, message: "no Rollout 'web' in the base" }]);
    expect(r.problems.find((p) => p.severity === "error")?.hint).toBe("'web' is a Deployment: set kind: Deployment");
  });

  it("becomes a plain Deployment selecting only fork pods, with the canary and stable Services copied", () => {
    const r = renderFiles({
      "base/svc.yaml": SERVICES,
      "base/web.yaml": rollout(`${TEMPLATE}  minReadySeconds: 10\n  strategy:\n    canary: {canaryService: web-canary, stableService: web-stable, steps: [{setWeight: 20}]}\n`),
      "forks/alice.yaml": FORK,
    });
    expect(errorsOf(r)).toEqual([]);
    const forked = r.result!.output.filter((o) => o.fork === "alice").map((o) => o.object);
    expect(forked.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual(["v1 Service web-canary-alice", "v1 Service web-stable-alice", "apps/v1 Deployment web-alice", "v1 ConfigMap kubefork-alice.status"]);
    const d = forked[2] as any;
    expect(d.spec.strategy).toBeUndefined();
    expect(d.spec.minReadySeconds).toBe(10);
    expect(d.spec.replicas).toBe(1);
    expect(d.metadata.annotations["kubefork.dev/copied-from"]).toBe("Rollout/web");
    expect(d.spec.template.spec.containers[0].image).toBe("web:2");
    expect(d.spec.template.metadata.labels.app).toBeUndefined();
    expect(validateObjects(r.objects).errors).toEqual([]);
  });

  it("a Service the strategy names is the Rollout's even when its Git selector doesn't show it", () => {
    const services = SERVICES.replace("name: web-canary\nspec:\n  selector: {app: web}", "name: web-canary\nspec:\n  selector: {app: web, track: canary}");
    const r = renderFiles({
      "base/svc.yaml": services,
      "base/web.yaml": rollout(`${TEMPLATE}  strategy:\n    canary: {canaryService: web-canary, stableService: web-stable}\n`),
      "forks/alice.yaml": FORK,
    });
    expect(errorsOf(r)).toEqual([]);
    expect(r.result!.output.filter((o) => o.fork === "alice" && o.object.kind === "Service").map((o) => o.object.metadata.name)).toEqual(["web-canary-alice", "web-stable-alice"]);
  });

  it("a trafficRouting VirtualService without named routes is an error: Argo Rollouts then needs exactly one http route", () => {
    const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts: [web-stable]
  http:
    - route:
        - {destination: {host: web-stable}, weight: 100}
        - {destination: {host: web-canary}, weight: 0}
`;
    const r = renderFiles({
      "base/svc.yaml": SERVICES,
      "base/vs.yaml": vs,
      "base/web.yaml": rollout(`${TEMPLATE}  strategy:\n    canary:\n      canaryService: web-canary\n      stableService: web-stable\n      trafficRouting:\n        istio:\n          virtualService: {name: web}\n`),
      "forks/alice.yaml": FORK,
    });
    expect(errorsOf(r)).toEqual([
      {
        file: "base/web.yaml",
        line: 20,
        message:
          "the Rollout names no routes of VirtualService default/web; Argo Rollouts then requires it to hold exactly one http route, and the forks alice add their own routes to it",
      },
    ]);
    expect(r.problems.find((p) => p.severity === "error")?.code).toBe("KF5018");
    expect(r.problems.find((p) => p.severity === "error")?.hint).toMatch(/^name the route in the VirtualService \(e\.g\. name: primary\) and list it in the Rollout/);
  });
});
