// The carriers' render-time checks over whole apps: ambient namespaces with `source`, and the
// Gateway API mesh generator's note on `source` (reachable when a host is routed by HTTPRoutes
// under another flavour).
import { describe, expect, it } from "vitest";
import { generateGatewayApiMesh } from "../../src/generate/mesh-gateway-api.ts";
import { appFiles, context, deployment, fork, renderFiles } from "../helpers/inprocess.ts";

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

describe("source with HTTPRoutes", () => {
  const base = `${deployment("ratings", { app: "ratings" })}---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: shop}
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
`;
  // A GAMMA route on the Service: under routing: istio, this host is still routed by HTTPRoutes.
  const route = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ratings, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: ratings, port: 9080}]
  rules: [{backendRefs: [{name: ratings, port: 9080}]}]
`;
  const manager = (carriers: string) => `apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: t}\nspec:\n  routing: istio\n  carriers: ${carriers}\n`;
  const forks = { alice: fork("alice", "    - {name: ratings, namespace: shop}\n") };

  it("the Gateway API mesh generator says once that source does not apply to the Services it routes", () => {
    const { ctx, problems } = context({ base: base + route, forks, manager: manager("[header, source]") });
    expect(problems).toEqual([]);
    const r = generateGatewayApiMesh(ctx);
    expect(r.objects.length).toBeGreaterThan(0);
    expect(r.problems.map((p) => [p.severity, p.code, p.path, p.message.slice(0, 60)])).toEqual([["warning", "KF5008", "spec.carriers", "carrier 'source' does not apply to Services routed with HTTP"]]);
  });

  it("no warning without source, or when no host is routed by HTTPRoutes", () => {
    expect(generateGatewayApiMesh(context({ base: base + route, forks, manager: manager("[header]") }).ctx).problems).toEqual([]);
    expect(generateGatewayApiMesh(context({ base, forks, manager: manager("[header, source]") }).ctx).problems).toEqual([]);
  });
});
