// Table tests of the per-host routing flavour (src/plan/routing.ts): the base decides host by host,
// spec.routing only where the base routes a host with neither flavour; both is an error.
import { describe, expect, it } from "vitest";
import { ROUTING_FLAVOURS, type RoutingFlavour } from "../../src/model/manager.ts";
import { BASE_CLAIMS, type ClaimTable } from "../../src/plan/routing.ts";
import { ROUTING_ADAPTERS, routingSteps, type AdapterTable } from "../../src/generate/routing.ts";
import { formatProblem } from "../../src/problems.ts";
import { context, deployment, fork, manager, service } from "../helpers/inprocess.ts";

const base = [deployment("reviews-v1", { app: "reviews", version: "v1" }), service("reviews", { app: "reviews" }), deployment("ratings", { app: "ratings" }), service("ratings", { app: "ratings" })];
const REVIEWS = "reviews.shop.svc.cluster.local";
const RATINGS = "ratings.shop.svc.cluster.local";

const meshVS = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: shop}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews}}]}]\n";
const gatewayVS = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: edge, namespace: shop}\nspec:\n  hosts: [shop.example.com]\n  gateways: [shop-gateway]\n  http: [{route: [{destination: {host: reviews}}]}]\n";
const wildcardVS = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: all, namespace: shop}\nspec:\n  hosts: ['*.shop.svc.cluster.local']\n  http: [{route: [{destination: {host: ratings}}]}]\n";
const route = (name: string, parent: string, ns = "shop") =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  parentRefs: [${parent}]\n  rules: [{backendRefs: [{name: reviews, namespace: shop, port: 80}]}]\n`;
const gammaRoute = route("reviews", "{group: '', kind: Service, name: reviews, port: 80}");
const consumerRoute = route("reviews-from-web", "{group: '', kind: Service, name: reviews, namespace: shop}", "web");
const gatewayRoute = route("edge", "{name: shop-gateway}");
// Without `group: ""` the group defaults to gateway.networking.k8s.io: not the core Service.
const noGroupRoute = route("reviews", "{kind: Service, name: reviews}");

function plan(extra: string[], routing: RoutingFlavour) {
  const { ctx, problems } = context({ base: [...base, ...extra].join("---\n"), forks: { bob: fork("bob", "    - name: reviews-v1\n    - name: ratings\n") }, manager: manager(`  routing: ${routing}\n`, "t") });
  return { hosts: Object.fromEntries([...ctx.routing.hosts].map(([h, r]) => [h, `${r.flavour}${r.claims.length ? ` (${r.claims.map((m) => m.object.metadata.name).join(",")})` : ""}`])), problems: problems.map(formatProblem) };
}

describe("per-host routing flavour", () => {
  it.each<{ name: string; extra: string[]; want: Record<RoutingFlavour, Record<string, string>> }>([
    { name: "neither: spec.routing", extra: [], want: { istio: { [REVIEWS]: "istio", [RATINGS]: "istio" }, "gateway-api": { [REVIEWS]: "gateway-api", [RATINGS]: "gateway-api" } } },
    { name: "a mesh VirtualService: Istio, whatever spec.routing", extra: [meshVS], want: { istio: { [REVIEWS]: "istio (reviews)", [RATINGS]: "istio" }, "gateway-api": { [REVIEWS]: "istio (reviews)", [RATINGS]: "gateway-api" } } },
    { name: "an HTTPRoute on the Service: Gateway API, whatever spec.routing", extra: [gammaRoute], want: { istio: { [REVIEWS]: "gateway-api (reviews)", [RATINGS]: "istio" }, "gateway-api": { [REVIEWS]: "gateway-api (reviews)", [RATINGS]: "gateway-api" } } },
    { name: "a consumer route in another namespace counts", extra: [consumerRoute], want: { istio: { [REVIEWS]: "gateway-api (reviews-from-web)", [RATINGS]: "istio" }, "gateway-api": { [REVIEWS]: "gateway-api (reviews-from-web)", [RATINGS]: "gateway-api" } } },
    { name: "a gateway-bound VirtualService decides no host", extra: [gatewayVS], want: { istio: { [REVIEWS]: "istio", [RATINGS]: "istio" }, "gateway-api": { [REVIEWS]: "gateway-api", [RATINGS]: "gateway-api" } } },
    { name: "an HTTPRoute on a Gateway decides no host", extra: [gatewayRoute], want: { istio: { [REVIEWS]: "istio", [RATINGS]: "istio" }, "gateway-api": { [REVIEWS]: "gateway-api", [RATINGS]: "gateway-api" } } },
    { name: "a parentRef of kind Service without group '' is no Service parent", extra: [noGroupRoute], want: { istio: { [REVIEWS]: "istio", [RATINGS]: "istio" }, "gateway-api": { [REVIEWS]: "gateway-api", [RATINGS]: "gateway-api" } } },
    { name: "a wildcard mesh VirtualService claims what it covers", extra: [wildcardVS], want: { istio: { [REVIEWS]: "istio (all)", [RATINGS]: "istio (all)" }, "gateway-api": { [REVIEWS]: "istio (all)", [RATINGS]: "istio (all)" } } },
    { name: "each host by its own base: one Istio, one Gateway API", extra: [meshVS, route("ratings", "{group: '', kind: Service, name: ratings}")], want: { istio: { [REVIEWS]: "istio (reviews)", [RATINGS]: "gateway-api (ratings)" }, "gateway-api": { [REVIEWS]: "istio (reviews)", [RATINGS]: "gateway-api (ratings)" } } },
  ])("$name", ({ extra, want }) => {
    for (const routing of ROUTING_FLAVOURS) {
      const r = plan(extra, routing);
      expect(r.problems.filter((p) => p.includes("error")), routing).toEqual([]);
      expect(r.hosts, `spec.routing ${routing}`).toEqual(want[routing]);
    }
  });

  it("both on one host: an error naming both objects with file and line, and a hint; the host gets no flavour", () => {
    for (const routing of ROUTING_FLAVOURS) {
      const r = plan([meshVS, gammaRoute], routing);
      expect(r.hosts).toEqual({ [RATINGS]: routing });
      expect(r.problems).toEqual([
        "base/all.yaml:55: error: VirtualService shop/reviews: host reviews.shop.svc.cluster.local, forked by bob, is routed in the mesh by both VirtualService shop/reviews (base/all.yaml:55) and by HTTPRoute shop/reviews (base/all.yaml:62): Istio turns the HTTPRoute into a second VirtualService for the host, which leaves its routing undefined (IST0109), so kubefork cannot tell which routes to extend [KF4030]\n  hint: route each host with one API: remove the mesh VirtualService or the HTTPRoute attached to the Service from the base (a VirtualService bound only to gateways is fine)",
      ]);
    }
  });

  it("no forks: nothing is decided, nothing is reported", () => {
    const { ctx, problems } = context({ base: [...base, meshVS, gammaRoute].join("---\n") });
    expect({ hosts: ctx.routing.hosts.size, problems }).toEqual({ hosts: 0, problems: [] });
  });
});

describe("the flavour tables cover every flavour", () => {
  it("one claim finder and one adapter per flavour, and every adapter's steps run", () => {
    expect(Object.keys(BASE_CLAIMS).sort()).toEqual([...ROUTING_FLAVOURS].sort());
    expect(Object.keys(ROUTING_ADAPTERS).sort()).toEqual([...ROUTING_FLAVOURS].sort());
    expect(routingSteps().map(([name]) => name)).toEqual(["destination-rules", "mesh-istio", "rollout-routes", "mesh-gateway-api"]);
  });

  it("a flavour without an adapter or a claim finder does not compile", () => {
    // tsc (npm test runs it) checks these lines: each must be a type error.
    // @ts-expect-error a table for one more flavour ("linkerd") is not the table there is
    const adapters: AdapterTable<RoutingFlavour | "linkerd"> = ROUTING_ADAPTERS;
    // @ts-expect-error a flavour left out of the table
    const partial: AdapterTable = { istio: ROUTING_ADAPTERS.istio };
    // @ts-expect-error the same for the claim finders of src/plan/routing.ts
    const claims: ClaimTable<RoutingFlavour | "linkerd"> = BASE_CLAIMS;
    expect([adapters, partial, claims].every(Boolean)).toBe(true);
  });
});
