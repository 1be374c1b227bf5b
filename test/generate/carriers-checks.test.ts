// The carriers' render-time checks: ambient namespaces with `source`, and `source` on the forked
// hosts the plan routes with HTTPRoutes (per host, not by spec.routing).
import { describe, expect, it } from "vitest";
import { checkCarriers } from "../../src/generate/carriers.ts";
import { formatProblem } from "../../src/problems.ts";
import { appFiles, context, deployment, fork, manager, renderFiles, svc } from "../helpers/inprocess.ts";

describe("source and ambient mode", () => {
  it("a forked namespace labelled istio.io/dataplane-mode: ambient gets a warning; the render still succeeds", () => {
    const r = renderFiles(appFiles("carriers-istio", (f) => void (f["base/namespace.yaml"] = f["base/namespace.yaml"]!.replace("istio-injection: enabled", "istio.io/dataplane-mode: ambient"))));
    expect(r.ok).toBe(true);
    expect(r.problems.filter((p) => p.severity === "warning" && p.message.includes("carrier 'source'")).map((p) => [p.code, p.file, p.line, p.object, p.ref])).toEqual([
      ["KF5007", "base/namespace.yaml", 1, "Namespace bookshop", { apiVersion: "v1", kind: "Namespace", name: "bookshop", file: "base/namespace.yaml", index: 0, line: 1 }],
    ]);
  });

  it("no warning without source, or with sidecars", () => {
    expect(renderFiles(appFiles("carriers-istio")).problems.filter((p) => p.message.includes("carrier 'source'"))).toEqual([]);
    const noSource = renderFiles(
      appFiles("carriers-istio", (f) => {
        f["base/namespace.yaml"] = f["base/namespace.yaml"]!.replace("istio-injection: enabled", "istio.io/dataplane-mode: ambient");
        f["kubefork.yaml"] = f["kubefork.yaml"]!.replace("carriers: [header, baggage, tracestate, traceId, source]", "carriers: [header, baggage, traceId]");
      }),
    );
    expect(noSource.ok).toBe(true);
    expect(noSource.problems.filter((p) => p.message.includes("carrier 'source'"))).toEqual([]);
  });
});

describe("source follows the flavour each host is routed with (the plan's, src/plan/routing.ts)", () => {
  const base = `${deployment("ratings", { app: "ratings" })}---\n${svc("ratings", "[{name: http, port: 9080}]")}`;
  // A GAMMA route on the Service: whatever spec.routing says, this host is routed by HTTPRoutes.
  const route = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ratings, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: ratings, port: 9080}]
  rules: [{backendRefs: [{name: ratings, port: 9080}]}]
`;
  // A mesh VirtualService for the host: whatever spec.routing says, it is routed by Istio.
  const virtualService = `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings]
  http: [{route: [{destination: {host: ratings}}]}]
`;
  const managerOf = (routing: string, carriers: string) => manager(`  routing: ${routing}\n  carriers: ${carriers}\n`, "t");
  const forks = { alice: fork("alice", "    - {name: ratings, namespace: shop}\n") };
  const check = (b: string, routing: string, carriers = "[header, source]") => {
    const { ctx, problems } = context({ base: b, forks, manager: managerOf(routing, carriers) });
    expect(problems).toEqual([]);
    return checkCarriers(ctx).problems.map((p) => [p.severity, p.code, p.path, p.message]);
  };
  const HOST = "ratings.shop.svc.cluster.local";

  it.each([
    ["istio", base + route],
    ["gateway-api", base + route],
  ])("routing: %s, the base routes the host with HTTPRoutes: a warning naming the host", (routing, b) => {
    expect(check(b, routing)).toEqual([
      ["warning", "KF5008", "spec.carriers[1]", `carrier 'source' does not apply to ${HOST}, which the base routes with HTTPRoutes (an HTTPRoute match has no condition on the calling workload): calls from fork pods to it need a header carrier`],
    ]);
  });

  it("routing: gateway-api and a host the base routes with a VirtualService: no problem, and the render succeeds with sourceLabels (was refused in kubefork.yaml)", () => {
    expect(check(base + virtualService, "gateway-api")).toEqual([]);
    const r = renderFiles({ "kubefork.yaml": managerOf("gateway-api", "[header, source]"), "base/all.yaml": base + virtualService, "forks/alice.yaml": forks.alice });
    expect(r.problems.filter((p) => p.severity !== "note")).toEqual([]);
    const vs = r.objects.find((o) => o.kind === "VirtualService")!;
    expect(JSON.stringify(vs.spec)).toContain('"sourceLabels":{"kubefork.dev/fork":"alice"}');
  });

  it("routing: gateway-api and a host the base routes with neither: an error at the carrier in kubefork.yaml", () => {
    expect(check(base, "gateway-api").map((p) => p.slice(0, 3))).toEqual([["error", "KF5027", "spec.carriers[1]"]]);
    const r = renderFiles({ "kubefork.yaml": managerOf("gateway-api", "\n    - header\n    - source"), "base/all.yaml": base, "forks/alice.yaml": forks.alice });
    expect(r.ok).toBe(false);
    expect(r.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([
      `kubefork.yaml:8:7: error: spec.carriers[1]: carrier 'source' cannot be expressed for ${HOST}: spec.routing gives it Gateway API (the base routes it with neither flavour), and an HTTPRoute match has no condition on the calling workload (only path, headers, query parameters and method) [KF5027]\n  hint: remove 'source' from spec.carriers, or use routing: istio (VirtualService sourceLabels, sidecars only)`,
    ]);
  });

  it("routing: istio and a host the base routes with neither: Istio routes it, no problem", () => {
    expect(check(base, "istio")).toEqual([]);
  });

  it("no problem without source", () => {
    expect(check(base + route, "istio", "[header]")).toEqual([]);
    expect(check(base, "gateway-api", "[header]")).toEqual([]);
  });
});
