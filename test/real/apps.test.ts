// Real public apps (fixtures/bookinfo, fixtures/bookinfo-gateway-api, fixtures/online-boutique; see
// their SOURCE.md): requests traced through the golden renders, as `kubefork trace` follows them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { trace, type TraceRequest, type TraceSource } from "../../src/trace/index.ts";
import { ROOT } from "../helpers/cli.ts";
import { parseStream } from "../helpers/stream.ts";

function golden(fixture: string, name: string): unknown[] {
  return parseStream(readFileSync(join(ROOT, "fixtures", fixture, "expected", `${name}.yaml`), "utf8"));
}

const mesh: TraceSource = { mesh: { namespace: "default" } };
const gateway = (name: string): TraceSource => ({ gateway: { namespace: "default", name } });

/** `workload percent%` per destination of the first hop, or the outcome when nothing is routed. */
function reached(objects: unknown[], req: Omit<TraceRequest, "from"> & { from?: TraceSource }): string[] {
  const hop = trace(objects, { from: mesh, defaultNamespace: "default", ...req }).hops[0];
  if (!hop) return ["no hop"];
  if (!hop.destinations.length) return [`${hop.outcome} ${hop.status ?? ""}`.trim()];
  return hop.destinations.flatMap((d) => d.workloads.map((w) => `${w.name} ${d.percent}%`));
}
const fork = (id: string): Record<string, string> => ({ "x-fork-identifier": id });

describe("bookinfo, routing: istio (subsets, weights, a header route, an Istio Gateway for any host)", () => {
  const out = golden("bookinfo", "three-forks");
  const base = golden("bookinfo", "zero-forks");

  it("the base: reviews 90/10 over v1 and v2, end-user jason to v2", () => {
    expect(reached(base, { host: "reviews" })).toEqual(["reviews-v1 90%", "reviews-v2 10%"]);
    expect(reached(base, { host: "reviews", headers: { "end-user": "jason" } })).toEqual(["reviews-v2 100%"]);
  });

  it("without a fork header nothing changes", () => {
    expect(reached(out, { host: "reviews" })).toEqual(["reviews-v1 90%", "reviews-v2 10%"]);
    expect(reached(out, { host: "reviews", headers: { "end-user": "jason" } })).toEqual(["reviews-v2 100%"]);
    expect(reached(out, { host: "ratings" })).toEqual(["ratings-v1 100%"]);
    expect(reached(out, { host: "reviews", headers: fork("mallory") })).toEqual(["reviews-v1 90%", "reviews-v2 10%"]);
  });

  it("bob's header pins reviews to his copy of v3 (0% in the base), through the jason route too", () => {
    expect(reached(out, { host: "reviews", headers: fork("bob") })).toEqual(["reviews-v3-bob 100%"]);
    expect(reached(out, { host: "reviews", headers: { ...fork("bob"), "end-user": "jason" } })).toEqual(["reviews-v3-bob 100%"]);
  });

  it("alice's header reaches her ratings copy; ratings had no VirtualService", () => {
    expect(reached(out, { host: "ratings", headers: fork("alice") })).toEqual(["ratings-v1-alice 100%"]);
    expect(reached(out, { host: "reviews", headers: fork("alice") })).toEqual(["reviews-v1 90%", "reviews-v2 10%"]);
  });

  it("ingress: carol.bookinfo.example.com and the shared host with her header reach her product page", () => {
    const from = gateway("bookinfo-gateway");
    expect(reached(out, { host: "carol.bookinfo.example.com", path: "/productpage", from, port: 8080 })).toEqual(["productpage-v1-carol 100%"]);
    expect(reached(out, { host: "bookinfo.example.com", path: "/productpage", from, port: 8080, headers: fork("carol") })).toEqual(["productpage-v1-carol 100%"]);
    expect(reached(out, { host: "bookinfo.example.com", path: "/productpage", from, port: 8080 })).toEqual(["productpage-v1 100%"]);
    expect(reached(out, { host: "bob.bookinfo.example.com", path: "/productpage", from, port: 8080 })).toEqual(["productpage-v1 100%"]);
    const hop = trace(out, { host: "bob.bookinfo.example.com", path: "/login", from, port: 8080 }).hops[0];
    expect(hop?.headers["x-fork-identifier"]).toBe("bob");
  });
});

describe("bookinfo-gateway-api, routing: gateway-api (version Services, GAMMA, a Gateway API Gateway)", () => {
  const out = golden("bookinfo-gateway-api", "four-forks");

  it("without a fork header reviews stays 90/10 over reviews-v1 and reviews-v2", () => {
    expect(reached(out, { host: "reviews" })).toEqual(["reviews-v1 90%", "reviews-v2 10%"]);
    expect(reached(out, { host: "reviews", headers: fork("mallory") })).toEqual(["reviews-v1 90%", "reviews-v2 10%"]);
  });

  it("alice's header reaches her ratings copy", () => {
    expect(reached(out, { host: "ratings", headers: fork("alice") })).toEqual(["ratings-v1-alice 100%"]);
  });

  it("ingress: carol.bookinfo.example.com reaches her product page", () => {
    const from = gateway("bookinfo-gateway");
    expect(reached(out, { host: "carol.bookinfo.example.com", path: "/productpage", from, port: 80 })).toEqual(["productpage-v1-carol 100%"]);
    expect(reached(out, { host: "bookinfo.example.com", path: "/productpage", from, port: 80, headers: fork("carol") })).toEqual(["productpage-v1-carol 100%"]);
    expect(reached(out, { host: "bookinfo.example.com", path: "/productpage", from, port: 80 })).toEqual(["productpage-v1 100%"]);
  });

  // Backends that are versions of the forked Service become the fork's copy and their weights collapse (src/plan/versions.ts).
  it("bob's header pins reviews to his copy of v2 (the 10% backend)", () => {
    expect(reached(out, { host: "reviews", headers: fork("bob") })).toEqual(["reviews-v2-bob 100%"]);
  });
  it("erin's header pins reviews to her copy of v3 (no weight in the base)", () => {
    expect(reached(out, { host: "reviews", headers: fork("erin") })).toEqual(["reviews-v3-erin 100%"]);
  });
});

describe("online-boutique: VirtualServices in the mesh, a Gateway API ingress", () => {
  const out = golden("online-boutique", "three-forks");
  const from = gateway("frontend-gateway");

  it("without a fork header every service is the baseline", () => {
    // Each Deployment has its Service's name.
    for (const host of ["frontend", "cartservice", "productcatalogservice", "redis-cart"]) expect(reached(out, { host })).toEqual([`${host} 100%`]);
    expect(reached(out, { host: "shop.example.com", from, port: 80 })).toEqual(["frontend 100%"]);
  });

  it("fork headers reach the copies of frontend (its VirtualService extended), cartservice (gRPC) and productcatalogservice", () => {
    expect(reached(out, { host: "frontend", headers: fork("frank") })).toEqual(["frontend-frank 100%"]);
    expect(reached(out, { host: "frontend", headers: { baggage: "kubefork=frank" } })).toEqual(["frontend-frank 100%"]);
    expect(reached(out, { host: "cartservice", port: 7070, headers: fork("grace") })).toEqual(["cartservice-grace 100%"]);
    expect(reached(out, { host: "productcatalogservice", port: 3550, headers: fork("heidi") })).toEqual(["productcatalogservice-heidi 100%"]);
  });

  it("redis-cart is TCP: grace's header reaches the baseline, and nothing claims the host with HTTP routes", () => {
    const hop = trace(out, { host: "redis-cart", port: 6379, headers: fork("grace"), from: mesh }).hops[0];
    expect(hop?.outcome).toBe("service-default");
    expect(hop?.destinations.flatMap((d) => d.workloads.map((w) => w.name))).toEqual(["redis-cart"]);
  });

  it("ingress for a fork that did not fork the frontend: the header is set, the baseline frontend serves", () => {
    const route = (out as { kind: string; metadata: { name: string }; spec: { rules: { filters: unknown[] }[] } }[]).find((o) => o.kind === "HTTPRoute" && o.metadata.name === "frontend-ingress-grace");
    // The header set; the baggage entry (spec.baggage is set) appended to what the client sent.
    expect(route?.spec.rules[0]?.filters).toEqual([
      { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-fork-identifier", value: "grace" }], add: [{ name: "baggage", value: "kubefork=grace" }] } },
    ]);
  });

  // The base route names the listener for shop.example.com (sectionName http-apex); the per-fork
  // route drops it, so it attaches to the listener for *.shop.example.com (findings F1).
  it("frank.shop.example.com reaches frank's frontend", () => {
    expect(reached(out, { host: "frank.shop.example.com", from, port: 80 })).toEqual(["frontend-frank 100%"]);
  });
  // Gateway-attached routes of either API that send to a forked Service get the fork's rules whatever spec.routing says.
  it("shop.example.com with frank's header reaches frank's frontend (the ingress HTTPRoute's copy frontend-ingress-header-frank)", () => {
    expect(reached(out, { host: "shop.example.com", from, port: 80, headers: fork("frank") })).toEqual(["frontend-frank 100%"]);
  });
});
