import { describe, expect, it } from "vitest";
import { isolateLabels, type BaseSelector } from "../../src/plan/labels.ts";
import { copyName, fitName } from "../../src/plan/names.ts";
import { context, deployment, fork, service } from "../helpers/inprocess.ts";

describe("names", () => {
  it.each([
    ["short", "ratings-v1", "alice", "ratings-v1-alice"],
    ["exactly 63", "a".repeat(57), "alice", `${"a".repeat(57)}-alice`],
  ])("%s", (_n, base, id, out) => expect(copyName(base, id)).toBe(out));

  it("longer than 63: cut, with a stable hash of the full name", () => {
    const n = copyName("a-very-long-deployment-name-that-goes-on-and-on-and-on", "a-long-fork-id");
    expect(n).toHaveLength(63);
    expect(n).toMatch(/^a-very-long-deployment-name-that-goes-on-and-on-and-on-a-l-[0-9a-f]{8}$|-[0-9a-f]{8}$/);
    expect(copyName("a-very-long-deployment-name-that-goes-on-and-on-and-on", "a-long-fork-id")).toBe(n);
    expect(copyName("a-very-long-deployment-name-that-goes-on-and-on-and-on", "a-long-fork-id2")).not.toBe(n);
    expect(fitName("x".repeat(70))).not.toMatch(/--/);
  });
});

describe("label isolation", () => {
  const svc = (sel: Record<string, string>): BaseSelector => ({ owner: "Service s", kind: "service", selector: { matchLabels: sel } });
  const wl = (sel: object): BaseSelector => ({ owner: "Deployment d", kind: "workload", selector: sel as BaseSelector["selector"] });
  it.each([
    ["drops keys of matching selectors only", { app: "a", version: "v1", team: "t" }, [svc({ app: "a" }), svc({ app: "b", team: "t" })], { version: "v1", team: "t" }, []],
    ["workload selector keys with matchExpressions", { app: "a", tier: "web" }, [wl({ matchLabels: { app: "a" }, matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] })], {}, []],
    ["a NotIn-only selector still selects: reported", { app: "a" }, [wl({ matchExpressions: [{ key: "track", operator: "NotIn", values: ["canary"] }] })], { app: "a" }, ["Deployment d"]],
  ])("%s", (_n, pod, selectors, kept, still) => {
    const r = isolateLabels(pod as Record<string, string>, selectors as BaseSelector[], { "kubefork.dev/fork": "x" });
    expect(r.labels).toEqual({ ...(kept as object), "kubefork.dev/fork": "x" });
    expect(r.stillSelectedBy).toEqual(still);
  });
});

describe("plan", () => {
  it("a workload name in two namespaces needs a namespace", () => {
    const base = [deployment("web", { app: "web" }, { ns: "a" }), deployment("web", { app: "web" }, { ns: "b" })].join("---\n");
    const { problems } = context({ base, forks: { x: fork("x", "    - name: web\n") } });
    expect(problems.map((p) => [p.code, p.line, p.message, p.hint])).toEqual([["KF4003", 7, "Deployment 'web' is ambiguous: it exists in namespaces a, b, none of them the render's namespace default", "add namespace: <one of a, b> to this workload"]]);
  });

  it("the same workload twice in one fork", () => {
    const { problems } = context({ base: deployment("web", { app: "web" }), forks: { x: fork("x", "    - name: web\n    - name: web\n") } });
    expect(problems.map((p) => [p.code, p.message])).toEqual([["KF4004", "Deployment shop/web is already forked by spec.workloads[0]"]]);
    expect(problems[0]!.ref).toEqual({ apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web", file: "base/all.yaml", index: 0, line: 1 });
  });

  it("a StatefulSet named as a Deployment: the hint says so", () => {
    const sts = deployment("db", { app: "db" }).replace("kind: Deployment", "kind: StatefulSet");
    const { problems } = context({ base: sts, forks: { x: fork("x", "    - name: db\n") } });
    expect(problems.map((p) => [p.code, p.hint])).toEqual([["KF4002", "'db' is a StatefulSet: set kind: StatefulSet"]]);
  });

  it("a copy name taken by a base object", () => {
    const base = [deployment("web", { app: "web" }), deployment("web-x", { app: "webx" })].join("---\n");
    const { problems } = context({ base, forks: { x: fork("x", "    - name: web\n") } });
    expect(problems.map((p) => [p.code, p.message])).toEqual([["KF4007", "the copy's name web-x is taken by a base Deployment in shop"]]);
  });

  it("an expired fork is left out with a note", () => {
    const { ctx, problems } = context({ base: `${deployment("web", { app: "web" })}---\n${service("web", { app: "web" })}`, forks: { x: fork("x", "    - name: web\n", '  expires: "2026-01-01T00:00:00Z"\n') } });
    expect(ctx.plan.forks).toEqual([]);
    expect(problems.map((p) => [p.severity, p.code, p.line, p.message])).toEqual([["note", "KF4001", 6, "fork 'x' expired at 2026-01-01T00:00:00Z; it is not rendered"]]);
  });
});
