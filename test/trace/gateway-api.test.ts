import { describe, expect, it } from "vitest";
import { formatTrace, trace, traceChain } from "../../src/trace/index.ts";
import { deployment, load, service } from "../helpers/trace.ts";

const BASE = `
${deployment("bookshop", "reviews-v1", { app: "reviews", version: "v1" })}
${deployment("bookshop", "reviews-v1-alice", { app: "reviews-alice", version: "v1" })}
${deployment("bookshop", "reviews-v1-bob", { app: "reviews-bob", version: "v1" })}
${deployment("bookshop", "productpage-v1", { app: "productpage" })}
${service("bookshop", "reviews", { app: "reviews" })}
${service("bookshop", "reviews-alice", { app: "reviews-alice" })}
${service("bookshop", "reviews-bob", { app: "reviews-bob" })}
${service("bookshop", "productpage", { app: "productpage" })}
`;

function route(name: string, parent: string, rules: string, ns = "bookshop", extra = ""): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${ns}}
spec:
  parentRefs: [${parent}]
${extra}
  rules:
${rules}
---`;
}
const toReviews = `{group: "", kind: Service, name: reviews, port: 9080}`;
const backend = (svc: string): string => `backendRefs: [{name: ${svc}, port: 9080}]`;
/** Two rules: the first matches `first` and sends to reviews-bob (null: a catch-all to reviews), the second matches `second` and sends to reviews-alice. */
const twoRules = (first: string | null, second: string): string =>
  `${first === null ? `    - ${backend("reviews")}` : `    - matches: [${first}]\n      ${backend("reviews-bob")}`}\n    - matches: [${second}]\n      ${backend("reviews-alice")}`;

const mesh = { mesh: { namespace: "bookshop" } } as const;
const reached = (objects: unknown[], headers: Record<string, string> = {}, path = "/", method = "GET"): string[] =>
  trace(objects, { host: "reviews", from: mesh, headers, path, method }).hops[0]?.destinations.flatMap((d) => d.workloads.map((w) => w.name)) ?? [];

describe("GAMMA: HTTPRoute on a Service", () => {
  it("a rule with a header match beats a catch-all regardless of order", () => {
    const objects = load(
      BASE +
        route("reviews", toReviews, twoRules(null, "{headers: [{name: x-fork-identifier, value: alice}]}")),
    );
    expect(reached(objects, { "x-fork-identifier": "alice" })).toEqual(["reviews-v1-alice"]);
    expect(reached(objects)).toEqual(["reviews-v1"]);
    const hop = trace(objects, { host: "reviews", from: mesh, headers: { "x-fork-identifier": "alice" } }).hops[0];
    expect(hop?.router).toEqual({ kind: "HTTPRoute", namespace: "bookshop", name: "reviews" });
    expect(hop?.route).toEqual({ index: 1, match: 0 });
  });

  it("no rule matches: the request is rejected (404)", () => {
    const objects = load(BASE + route("reviews", toReviews, `    - matches: [{headers: [{name: x-fork-identifier, value: alice}]}]\n      ${backend("reviews-alice")}`));
    const hop = trace(objects, { host: "reviews", from: mesh }).hops[0];
    expect(hop?.outcome).toBe("rejected");
    expect(hop?.status).toBe(404);
    expect(hop?.reason).toMatch(/rejected/);
  });

  type P = { name: string; rules: string; req: { headers?: Record<string, string>; path?: string; method?: string }; want: string[] };
  const precedence: P[] = [
    { name: "Exact path beats a longer PathPrefix", rules: twoRules("{path: {type: PathPrefix, value: /reviews/long/prefix}}", "{path: {type: Exact, value: /reviews/long/prefix}}"), req: { path: "/reviews/long/prefix" }, want: ["reviews-v1-alice"] },
    { name: "the longer PathPrefix wins", rules: twoRules("{path: {type: PathPrefix, value: /r}}", "{path: {type: PathPrefix, value: /r/x}}"), req: { path: "/r/x/1" }, want: ["reviews-v1-alice"] },
    { name: "PathPrefix is element-wise: /r/x does not match /r/xy", rules: twoRules("{path: {type: PathPrefix, value: /r}}", "{path: {type: PathPrefix, value: /r/x}}"), req: { path: "/r/xy" }, want: ["reviews-v1-bob"] },
    { name: "a method match beats header matches", rules: twoRules(`{headers: [{name: a, value: "1"}, {name: b, value: "2"}]}`, "{method: POST}"), req: { method: "POST", headers: { a: "1", b: "2" } }, want: ["reviews-v1-alice"] },
    { name: "more header matches win", rules: twoRules(`{headers: [{name: a, value: "1"}]}`, `{headers: [{name: a, value: "1"}, {name: b, value: "2"}]}`), req: { headers: { a: "1", b: "2" } }, want: ["reviews-v1-alice"] },
    { name: "more query param matches win", rules: twoRules(`{queryParams: [{name: q, value: "1"}]}`, `{queryParams: [{name: q, value: "1"}, {name: r, value: "2"}]}`), req: { path: "/?q=1&r=2" }, want: ["reviews-v1-alice"] },
    { name: "header regex matches the whole value", rules: twoRules(null, "{headers: [{name: x-fork-identifier, type: RegularExpression, value: alice}]}"), req: { headers: { "x-fork-identifier": "alice2" } }, want: ["reviews-v1"] },
    { name: "header names are case-insensitive", rules: twoRules(null, "{headers: [{name: X-Fork-Identifier, value: alice}]}"), req: { headers: { "x-fork-identifier": "alice" } }, want: ["reviews-v1-alice"] },
    { name: "full tie within a route: the first rule in list order", rules: twoRules(`{headers: [{name: a, value: "1"}]}`, `{headers: [{name: a, value: "1"}]}`), req: { headers: { a: "1" } }, want: ["reviews-v1-bob"] },
  ];
  it.each(precedence)("$name", ({ rules, req, want }) => {
    const objects = load(BASE + route("reviews", toReviews, rules));
    expect(reached(objects, req.headers, req.path, req.method)).toEqual(want);
  });

  it("ties across routes: alphabetical by namespace/name", () => {
    const objects = load(
      BASE +
        route("zz-alice", toReviews, `    - matches: [{headers: [{name: a, value: "1"}]}]\n      ${backend("reviews-alice")}`) +
        route("aa-bob", toReviews, `    - matches: [{headers: [{name: a, value: "1"}]}]\n      ${backend("reviews-bob")}`),
    );
    expect(reached(objects, { a: "1" })).toEqual(["reviews-v1-bob"]);
  });

  it("weights default to 1 and RequestHeaderModifier changes headers", () => {
    const objects = load(
      BASE +
        route(
          "reviews",
          toReviews,
          `    - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Env, value: dev}], add: [{name: baggage, value: "a=1"}], remove: [x-drop]}}]
      backendRefs: [{name: reviews, port: 9080}, {name: reviews-alice, port: 9080, weight: 3}]`,
        ),
    );
    const hop = trace(objects, { host: "reviews", from: mesh, headers: { baggage: "k=v", "x-drop": "1" } }).hops[0];
    expect(hop?.destinations.map((d) => [d.service?.name, d.weight, d.percent])).toEqual([
      ["reviews", 1, 25],
      ["reviews-alice", 3, 75],
    ]);
    expect(hop?.headers).toEqual({ "x-env": "dev", baggage: "k=v,a=1" });
    expect(hop?.headerChanges).toEqual([
      { op: "remove", name: "x-drop" },
      { op: "set", name: "x-env", value: "dev" },
      { op: "add", name: "baggage", value: "a=1" },
    ]);
  });

  it("a consumer route in the client's namespace takes precedence for that client only", () => {
    const objects = load(
      BASE +
        deployment("shop", "client", { app: "client" }) +
        route("reviews", toReviews, `    - ${backend("reviews")}`) +
        route("reviews-consumer", `{group: "", kind: Service, name: reviews, namespace: bookshop, port: 9080}`, `    - backendRefs: [{name: reviews-alice, namespace: bookshop, port: 9080}]`, "shop") +
        `
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-shop, namespace: bookshop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service}]
`,
    );
    const fromShop = trace(objects, { host: "reviews.bookshop", from: { mesh: { namespace: "shop" } } });
    expect(fromShop.hops[0]?.router?.name).toBe("reviews-consumer");
    expect(fromShop.hops[0]?.destinations[0]?.workloads.map((w) => w.name)).toEqual(["reviews-v1-alice"]);
    expect(reached(objects)).toEqual(["reviews-v1"]);
  });

  it("a cross-namespace backendRef without ReferenceGrant is a problem", () => {
    const objects = load(BASE + route("r", `{group: "", kind: Service, name: reviews}`, `    - backendRefs: [{name: reviews, namespace: other, port: 9080}]`));
    const r = trace(objects, { host: "reviews", from: mesh });
    expect(r.problems.some((p) => /ReferenceGrant/.test(p.message))).toBe(true);
  });
});

describe("Gateway API Gateway", () => {
  const GW = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: bookshop, namespace: ingress}
spec:
  gatewayClassName: istio
  listeners:
    - name: http
      port: 80
      protocol: HTTP
      hostname: "*.bookshop.example.com"
      allowedRoutes: {namespaces: {from: All}}
    - name: apex
      port: 80
      protocol: HTTP
      hostname: bookshop.example.com
      allowedRoutes: {namespaces: {from: All}}
---`;
  const parent = `{name: bookshop, namespace: ingress}`;
  const objects = load(
    BASE +
      GW +
      route("productpage", parent, `    - ${backend("productpage")}`, "bookshop", "  hostnames: [bookshop.example.com]") +
      route(
        "productpage-alice",
        parent,
        `    - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-fork-identifier, value: alice}]}}]
      ${backend("productpage")}`,
        "bookshop",
        "  hostnames: [alice.bookshop.example.com]",
      ) +
      route("wild", parent, `    - ${backend("reviews-bob")}`, "bookshop", '  hostnames: ["*.bookshop.example.com"]') +
      route(
        "reviews",
        toReviews,
        `    - ${backend("reviews")}
    - matches: [{headers: [{name: x-fork-identifier, value: alice}]}]
      ${backend("reviews-alice")}`,
      ),
  );
  const from = { gateway: { namespace: "ingress", name: "bookshop" } } as const;

  it.each([
    { host: "bookshop.example.com", router: "productpage", header: undefined },
    { host: "alice.bookshop.example.com", router: "productpage-alice", header: "alice" },
    { host: "bob.bookshop.example.com", router: "wild", header: undefined },
  ])("$host → HTTPRoute $router (the exact hostname beats the wildcard)", ({ host, router, header }) => {
    const hop = trace(objects, { host, from, port: 80 }).hops[0];
    expect(hop?.router?.name).toBe(router);
    expect(hop?.headers["x-fork-identifier"]).toBe(header);
  });

  it("a host no listener accepts is rejected", () => {
    const hop = trace(objects, { host: "example.org", from }).hops[0];
    expect(hop?.outcome).toBe("rejected");
    expect(hop?.status).toBe(404);
  });

  it("traceChain: header set at the gateway, then the GAMMA route in the mesh sends it to the fork", () => {
    const r = traceChain(objects, { host: "alice.bookshop.example.com", from }, ["reviews"]);
    expect(r.hops[1]?.router).toEqual({ kind: "HTTPRoute", namespace: "bookshop", name: "reviews" });
    expect(r.hops[1]?.destinations[0]?.workloads.map((w) => w.name)).toEqual(["reviews-v1-alice"]);
    const text = formatTrace(r);
    expect(text).toContain("set header x-fork-identifier: alice");
    expect(text).toContain("HTTPRoute bookshop/reviews  rule 1 (match 0)");
  });

  it("allowedRoutes Same (the default) refuses routes from another namespace", () => {
    const same = load(BASE + GW.replace(/allowedRoutes: \{namespaces: \{from: All\}\}/g, "") + route("productpage", parent, `    - ${backend("productpage")}`));
    const hop = trace(same, { host: "bookshop.example.com", from }).hops[0];
    expect(hop?.outcome).toBe("rejected");
  });
});
