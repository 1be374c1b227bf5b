// The carriers' render-time checks over whole apps: ambient namespaces with `source`, and the
// Gateway API mesh generator's note on `source` (reachable when a host is routed by HTTPRoutes
// under another flavour).
import { describe, expect, it } from "vitest";
import { generateGatewayApiMesh } from "../../src/generate/mesh-gateway-api.ts";
import { appFiles } from "../helpers/app-files.ts";
import { context, deployment, fork } from "../helpers/build.ts";
import { renderFiles } from "../helpers/inprocess.ts";

describe("source and ambient mode", () => {
  it("a forked namespace labelled istio.io/dataplane-mode: ambient gets a warning; the render still succeeds", () => {
    const r = renderFiles(appFiles("carriers-istio", (f) => void (f["base/namespace.yaml"] = f["base/namespace.yaml"]!.replace("istio-injection: enabled", "istio.io/dataplane-mode: ambient"))));
    expect(r.ok).toBe(true);
    expect(r.problems.filter((p) => p.severity === "warning" && p.message.includes("carrier 'source'")).map((p) => [p.file, p.line, p.object])).toEqual([["base/namespace.yaml", 1, "Namespace bookshop"]]);
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
  it("the Gateway API mesh generator says once that source does not apply to the Services it routes", () => {
    const { ctx } = context({
      base: `${deployment("ratings", { app: "ratings" })}---\napiVersion: v1\nkind: Service\nmetadata: {name: ratings, namespace: shop}\nspec:\n  selector: {app: ratings}\n  ports: [{name: http, port: 9080}]\n`,
      forks: { alice: fork("alice", "    - {name: ratings, namespace: shop}\n"), bob: fork("bob", "    - {name: ratings, namespace: shop}\n") },
    });
    // routing: gateway-api refuses source in kubefork.yaml; this is the per-host case, so the spec is set directly.
    const withSource = { ...ctx, manager: { ...ctx.manager, spec: { ...ctx.manager.spec, carriers: ["header", "source"] as ("header" | "source")[] } } };
    const r = generateGatewayApiMesh(withSource);
    expect(r.objects.length).toBeGreaterThan(0);
    expect(r.problems.map((p) => [p.severity, p.path, p.message.slice(0, 60)])).toEqual([["warning", "spec.carriers", "carrier 'source' does not apply to Services routed with HTTP"]]);
    expect(generateGatewayApiMesh(ctx).problems).toEqual([]);
  });
});
