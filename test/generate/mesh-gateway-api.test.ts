// Table tests of GAMMA mesh routing (routing: gateway-api): per-fork copies of base routes whose
// matches are one header match more specific, shared catch-alls, limits and name clashes.
import { describe, expect, it } from "vitest";
import { andMatches, forkHeaderMatches } from "../../src/generate/mesh-gateway-api.ts";
import { formatProblem } from "../../src/problems.ts";
import { trace, formatTrace } from "../../src/trace/index.ts";
import { appFiles, renderFiles } from "../helpers/inprocess.ts";
import { NOW } from "../helpers/cli.ts";

const carrier = forkHeaderMatches("x-fork-identifier", undefined, "bob");

describe("andMatches", () => {
  it.each([
    { name: "no matches: the carrier alone (path defaults to PathPrefix /)", matches: undefined, want: [{ headers: [carrier[0]] }] },
    {
      name: "each match gets the carrier ANDed, other fields kept",
      matches: [{ path: { type: "Exact", value: "/a" }, method: "POST" }, { headers: [{ name: "end-user", value: "jason" }] }],
      want: [
        { path: { type: "Exact", value: "/a" }, method: "POST", headers: [carrier[0]] },
        { headers: [{ name: "end-user", value: "jason" }, carrier[0]] },
      ],
    },
    {
      name: "a base match on the fork header itself is replaced (the fork value decides)",
      matches: [{ headers: [{ name: "X-Fork-Identifier", value: "x" }] }],
      want: [{ headers: [carrier[0]] }],
    },
  ])("$name", ({ matches, want }) => expect(andMatches(matches, carrier)).toEqual(want));

  it("with baggage: one match per carrier, ORed", () => {
    const cs = forkHeaderMatches("x-fork-identifier", "kubefork", "bob");
    expect(andMatches([{ path: { type: "PathPrefix", value: "/api" } }], cs)).toEqual([
      { path: { type: "PathPrefix", value: "/api" }, headers: [cs[0]] },
      { path: { type: "PathPrefix", value: "/api" }, headers: [cs[1]] },
    ]);
    expect(cs[1]).toEqual({ type: "RegularExpression", name: "baggage", value: "^(.*[,\\s])?kubefork\\s*=\\s*bob(\\s*[;,].*)?\\s*$" });
  });
});

/** The gamma fixture with the base HTTPRoute on reviews replaced. */
function withReviewsRoute(rules: string, carriers?: string) {
  return renderFiles(
    appFiles("gamma", (f) => {
      f["base/reviews.yaml"] = f["base/reviews.yaml"]!.replace(/  rules:\n[\s\S]*$/, `  rules:\n${rules}`);
      if (carriers) f["kubefork.yaml"] = f["kubefork.yaml"]!.replace(/\nspec:\n/, `\nspec:\n  carriers: ${carriers}\n`);
    }),
    { now: NOW },
  );
}

describe("fork rules win over the base rules they copy, whatever the base rule's specificity", () => {
  const rules = `    - matches:
        - path: {type: Exact, value: /reviews/1}
          method: GET
          queryParams: [{name: q, value: "1"}]
      backendRefs: [{name: reviews-v1, port: 9080}]
    - matches:
        - path: {type: PathPrefix, value: /reviews}
          headers: [{name: end-user, value: jason}, {name: x-b, value: "1"}]
      backendRefs: [{name: reviews-v3, port: 9080}]
    - matches:
        - path: {type: RegularExpression, value: "/r.*"}
      backendRefs: [{name: reviews-v2, port: 9080}]
`;
  const r = withReviewsRoute(rules);
  const objects = r.result?.objects ?? [];
  const cases: { name: string; path: string; headers: Record<string, string>; base: string | undefined; bob: string | undefined }[] = [
    // bob forks reviews-v3; reviews-v1/v2 are versions of reviews too, so his copy of each rule is pinned to his v3.
    { name: "exact path + method + query", path: "/reviews/1?q=1", headers: { "end-user": "jason", "x-b": "1" }, base: "reviews-v1", bob: "reviews-v3-bob" },
    { name: "prefix + two headers", path: "/reviews/2", headers: { "end-user": "jason", "x-b": "1" }, base: "reviews-v3", bob: "reviews-v3-bob" },
    { name: "regular expression path", path: "/ratings", headers: {}, base: "reviews-v2", bob: "reviews-v3-bob" },
    { name: "no rule matches: rejected with and without the header (the fork copy adds no catch-all)", path: "/x", headers: {}, base: undefined, bob: undefined },
  ];
  const baseRule = (path: string, headers: Record<string, string>) => trace(objects, { host: "reviews", path, headers, from: { mesh: { namespace: "bookshop" } } }).hops[0]?.route?.index;
  it("renders", () => expect(r.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([]));
  it.each(cases)("$name", (c) => {
    for (const [id, want] of [[undefined, c.base], ["bob", c.bob], ["alice", c.base], ["zed", c.base]] as const) {
      const headers: Record<string, string> = { ...c.headers };
      if (id) headers["x-fork-identifier"] = id;
      const t = trace(objects, { host: "reviews", path: c.path, headers, from: { mesh: { namespace: "bookshop" } } });
      const got = t.hops[0]?.destinations.flatMap((d) => d.workloads.map((w) => w.name));
      expect(got, `${id ?? "no header"}\n${formatTrace(t)}`).toEqual(want ? [want] : []);
      // bob's copy of the rule the base would pick wins (same rule index: the copies keep the order).
      if (id === "bob" && want) expect({ router: t.hops[0]?.router?.name, rule: t.hops[0]?.route?.index }).toEqual({ router: "reviews-bob", rule: baseRule(c.path, c.headers) });
    }
  });
});

describe("routing: gateway-api: objects and problems", () => {
  it("a Service with no route gets a shared catch-all (no fork label) and per-fork header routes", () => {
    const r = renderFiles(appFiles("gamma"), { now: NOW });
    const routes = r.result!.output.filter((o) => o.object.kind === "HTTPRoute" && o.object.metadata.labels?.["app.kubernetes.io/managed-by"] === "kubefork");
    expect(routes.map((o) => `${o.fork ?? "shared"} ${o.object.metadata.name}`).sort()).toEqual([
      "alice ratings-kubefork-alice",
      "bob reviews-bob",
      "bob reviews-v3-kubefork-bob",
      "carol bookshop-header-carol",
      "carol productpage-kubefork-carol",
      "shared productpage-kubefork",
      "shared ratings-kubefork",
      "shared reviews-v3-kubefork",
    ]);
    const shared = routes.find((o) => o.object.metadata.name === "ratings-kubefork")!.object;
    expect(shared.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "kubefork" });
    expect(shared.spec).toEqual({ parentRefs: [{ group: "", kind: "Service", name: "ratings", port: 9080 }], rules: [{ backendRefs: [{ name: "ratings", port: 9080 }] }] });
  });

  const forkRulesOf = (r: ReturnType<typeof withReviewsRoute>) =>
    (r.result!.objects.find((o) => o.kind === "HTTPRoute" && o.metadata.name === "reviews-bob")!.spec as { rules: { matches: { path?: unknown; headers: { name: string }[] }[] }[] }).rules;
  const prefixes = (n: number) => Array.from({ length: n }, (_, i) => `        - path: {type: PathPrefix, value: /p${i}}\n`).join("");

  it.each([
    // 8 matches per rule: the CRD's maxItems before Gateway API v1.2 (64 since); with baggage each match doubles.
    { name: "40 matches, two carriers: 80 split into ten rules of 8", rule: `    - matches:\n${prefixes(40)}      backendRefs: [{name: reviews-v3, port: 9080}]\n`, want: Array(10).fill(8) },
    { name: "4 matches, two carriers: 8 in one rule", rule: `    - matches:\n${prefixes(4)}      backendRefs: [{name: reviews-v3, port: 9080}]\n`, want: [8] },
    { name: "5 matches, two carriers: 10 split into 8 + 2", rule: `    - matches:\n${prefixes(5)}      backendRefs: [{name: reviews-v3, port: 9080}]\n`, want: [8, 2] },
    // Five header matches per fork (header, baggage, tracestate, traceparent, x-b3-traceid): two base matches make 10, over v1.1's 8.
    { name: "2 matches, five carriers: 10 split into 8 + 2", rule: `    - matches:\n${prefixes(2)}      backendRefs: [{name: reviews-v3, port: 9080}]\n`, carriers: "[header, baggage, tracestate, traceId]", want: [8, 2] },
    // CEL: a rule with a URLRewrite ReplacePrefixMatch holds exactly one PathPrefix match.
    {
      name: "URLRewrite ReplacePrefixMatch: one rule per carrier",
      rule: "    - matches: [{path: {type: PathPrefix, value: /v1}}]\n      filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]\n      backendRefs: [{name: reviews-v3, port: 9080}]\n",
      want: [1, 1],
    },
    {
      name: "ReplacePrefixMatch in a backendRef's filters: one rule per carrier",
      rule: "    - matches: [{path: {type: PathPrefix, value: /v1}}]\n      backendRefs: [{name: reviews-v3, port: 9080, filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]}]\n",
      want: [1, 1],
    },
    {
      name: "RequestRedirect ReplacePrefixMatch: one rule per carrier",
      rule: "    - matches: [{path: {type: PathPrefix, value: /old}}]\n      filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}}]\n",
      want: [1, 1],
    },
    {
      name: "ReplaceFullPath keeps the matches together",
      rule: "    - matches: [{path: {type: PathPrefix, value: /v1}}]\n      filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /}}}]\n      backendRefs: [{name: reviews-v3, port: 9080}]\n",
      want: [2],
    },
  ])("$name", ({ rule, want, carriers }: { rule: string; want: number[]; carriers?: string }) => {
    const r = withReviewsRoute(rule, carriers);
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    const rules = forkRulesOf(r);
    expect(rules.map((x) => x.matches.length)).toEqual(want);
    if (want.length === 2 && want[0] === 1) expect(rules.map((x) => x.matches[0]!.headers.at(-1)!.name)).toEqual(["x-fork-identifier", "baggage"]);
  });

  it("a route over 128 matches in all (or 16 rules) is an error, not emitted", () => {
    const rules = Array.from({ length: 3 }, () => `    - matches:\n${prefixes(30)}      backendRefs: [{name: reviews-v3, port: 9080}]\n`).join("");
    // Each base rule: 60 matches, split into eight rules of at most 8.
    const r = withReviewsRoute(rules);
    expect({ ok: r.ok, objects: r.result!.objects }).toEqual({ ok: false, objects: [] });
    expect(r.problems.filter((p) => p.severity === "error").map((p) => [p.code, p.ref?.name, p.message])).toEqual([
      ["KF5014", "reviews", "the fork copy of this HTTPRoute would need 24 rules and 180 matches (at most 16 rules, 128 matches per route; kubefork splits a rule at 8 matches, the most Gateway API before v1.2 allows, and a rule with a ReplacePrefixMatch rewrite or redirect holds one match): its matches are multiplied by the header matches of the carriers (header, baggage)"],
    ]);
  });

  it("a match that would hold more than 16 header matches with the carrier's is an error, not emitted", () => {
    const headers = Array.from({ length: 16 }, (_, i) => `{name: h${i}, value: v}`).join(", ");
    const r = withReviewsRoute(`    - matches: [{headers: [${headers}]}]\n      backendRefs: [{name: reviews-v3, port: 9080}]\n`);
    expect(r.ok).toBe(false);
    expect(r.problems.filter((p) => p.severity === "error").map((p) => [p.code, p.message])).toEqual([
      ["KF5014", "the fork copy of this HTTPRoute would need a match with 17 header matches (at most 16): each match gains the header match of a carrier"],
    ]);
  });

  it("a fork route name taken by a base HTTPRoute is an error", () => {
    const r = renderFiles(
      appFiles("gamma", (f) => {
        f["base/taken.yaml"] = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: reviews-bob, namespace: bookshop}\nspec: {}\n";
      }),
      { now: NOW },
    );
    expect(r.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([
      "base/reviews.yaml:108: error: kubefork needs the name HTTPRoute bookshop/reviews-bob for the mesh routing of fork 'bob', and it is taken [KF5001]\n  hint: rename the base HTTPRoute (or the fork: its identifier is the file name)",
    ]);
    // The reference names the base object that holds the name.
    expect(r.problems.find((p) => p.code === "KF5001")!.ref).toEqual({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", namespace: "bookshop", name: "reviews-bob", file: "base/taken.yaml", index: 0, line: 1 });
  });

  it("a consumer route (another namespace) is copied in its own namespace", () => {
    const r = renderFiles(
      appFiles("gamma", (f) => {
        f["base/consumer.yaml"] =
          "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ratings-from-shop, namespace: frontend}\nspec:\n  parentRefs: [{group: '', kind: Service, name: ratings, namespace: bookshop, port: 9080}]\n  rules:\n    - backendRefs: [{name: ratings, namespace: bookshop, port: 9080}]\n";
        // Any Service in bookshop: a grant naming only `ratings` would not cover the fork's copy.
        f["base/grant.yaml"] =
          "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: frontend-routes, namespace: bookshop}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: frontend}]\n  to: [{group: '', kind: Service}]\n";
      }),
      { now: NOW },
    );
    const copy = r.result!.objects.find((o) => o.metadata.name === "ratings-from-shop-alice")!;
    expect(copy.metadata.namespace).toBe("frontend");
    expect((copy.spec as { rules: { backendRefs: unknown[] }[] }).rules[0]!.backendRefs).toEqual([{ name: "ratings-alice", namespace: "bookshop", port: 9080 }]);
    const t = trace(r.result!.objects, { host: "ratings.bookshop", headers: { "x-fork-identifier": "alice" }, from: { mesh: { namespace: "frontend" } } });
    expect(t.hops[0]?.destinations[0]?.workloads.map((w) => w.name)).toEqual(["ratings-v1-alice"]);
  });
});

describe("routing: gateway-api: base routes on a Gateway that route to a forked Service", () => {
  const gw = { gateway: { namespace: "bookshop", name: "bookshop-gateway", kind: "gateway-api" as const } };
  const r = renderFiles(appFiles("gamma"), { now: NOW });
  const objects = r.result!.objects;

  it("carol's copy keeps the Gateway parentRefs and hostnames, adds her header to each match, swaps productpage, and is hers", () => {
    const copy = objects.find((o) => o.kind === "HTTPRoute" && o.metadata.name === "bookshop-header-carol")!;
    expect(copy.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "kubefork", "kubefork.dev/fork": "carol" });
    const spec = copy.spec as { parentRefs: unknown; hostnames: unknown; rules: { matches: { path: unknown; headers: { name: string }[] }[]; backendRefs: unknown }[] };
    expect(spec.parentRefs).toEqual([{ name: "bookshop-gateway" }]);
    expect(spec.hostnames).toEqual(["bookshop.example.com"]);
    expect(spec.rules.map((x) => x.matches.map((m) => `${JSON.stringify(m.path)} ${m.headers.map((h) => h.name).join(",")}`))).toEqual([
      ['{"type":"Exact","value":"/productpage"} x-fork-identifier', '{"type":"Exact","value":"/productpage"} baggage', '{"type":"PathPrefix","value":"/static"} x-fork-identifier', '{"type":"PathPrefix","value":"/static"} baggage'],
      // The base rule rewrites with ReplacePrefixMatch: one match per rule (CEL), so one rule per carrier.
      ['{"type":"PathPrefix","value":"/api/v1/products"} x-fork-identifier'],
      ['{"type":"PathPrefix","value":"/api/v1/products"} baggage'],
    ]);
    expect(spec.rules.map((x) => x.backendRefs)).toEqual(Array.from({ length: 3 }, () => [{ name: "productpage-carol", port: 9080 }]));
    // The base route itself comes out unchanged.
    const base = objects.find((o) => o.kind === "HTTPRoute" && o.metadata.name === "bookshop")!;
    expect(base.metadata.labels).toBeUndefined();
  });

  it.each<{ name: string; headers: Record<string, string>; path: string; want: string; router: string }>([
    { name: "no header: the base", headers: {}, path: "/productpage", want: "productpage-v1", router: "bookshop" },
    { name: "carol's header: her copy", headers: { "x-fork-identifier": "carol" }, path: "/productpage", want: "productpage-v1-carol", router: "bookshop-header-carol" },
    { name: "carol by baggage", headers: { baggage: "kubefork=carol" }, path: "/static/app.css", want: "productpage-v1-carol", router: "bookshop-header-carol" },
    { name: "carol, the rewrite rule", headers: { "x-fork-identifier": "carol" }, path: "/api/v1/products/3", want: "productpage-v1-carol", router: "bookshop-header-carol" },
    { name: "bob (forks no productpage): the base", headers: { "x-fork-identifier": "bob" }, path: "/productpage", want: "productpage-v1", router: "bookshop" },
    { name: "an unknown fork: the base", headers: { "x-fork-identifier": "zed" }, path: "/productpage", want: "productpage-v1", router: "bookshop" },
  ])("bookshop.example.com, $name", (c) => {
    const t = trace(objects, { host: "bookshop.example.com", path: c.path, headers: c.headers, from: gw, port: 80 });
    expect(t.hops[0]?.destinations.flatMap((d) => d.workloads.map((w) => w.name)), formatTrace(t)).toEqual([c.want]);
    expect(t.hops[0]?.router?.name).toBe(c.router);
  });

  it("a path the base does not route is not routed for carol either", () => {
    const t = trace(objects, { host: "bookshop.example.com", path: "/admin", headers: { "x-fork-identifier": "carol" }, from: gw, port: 80 });
    expect(t.hops[0]?.destinations.flatMap((d) => d.workloads)).toEqual([]);
  });

  /** The gamma fixture with the Gateway route to a productpage in namespace `shop`, granted by `to`. */
  function crossNamespace(to: string) {
    return renderFiles(
      appFiles("gamma", (f) => {
        f["base/gateway.yaml"] = f["base/gateway.yaml"]!.replace(/- name: productpage\n/g, "- name: productpage\n          namespace: shop\n");
        f["base/shop.yaml"] = [
          "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}",
          "apiVersion: v1\nkind: Service\nmetadata: {name: productpage, namespace: shop}\nspec:\n  selector: {app: shop-productpage}\n  ports: [{name: http, port: 9080}]",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: productpage-v1, namespace: shop}\nspec:\n  selector: {matchLabels: {app: shop-productpage}}\n  template:\n    metadata: {labels: {app: shop-productpage}}\n    spec: {containers: [{name: productpage, image: shop/productpage:1}]}",
          `apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: from-bookshop, namespace: shop}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: bookshop}]\n  to: [${to}]`,
        ].join("\n---\n") + "\n";
        f["forks/carol.yaml"] = f["forks/carol.yaml"]!.replace("- name: productpage-v1", "- name: productpage-v1\n      namespace: shop");
      }),
      { now: NOW },
    );
  }

  it("a backend in another namespace: the copy stays in the route's namespace and the base's grant for every Service covers the fork Service", () => {
    const x = crossNamespace("{group: '', kind: Service}");
    expect(x.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([]);
    const copy = x.result!.objects.find((o) => o.metadata.name === "bookshop-header-carol")!;
    expect(copy.metadata.namespace).toBe("bookshop");
    const t = trace(x.result!.objects, { host: "bookshop.example.com", path: "/productpage", headers: { "x-fork-identifier": "carol" }, from: gw, port: 80 });
    expect(t.hops[0]?.destinations.flatMap((d) => d.workloads.map((w) => w.name)), formatTrace(t)).toEqual(["productpage-v1-carol"]);
  });

  it("a grant that names the base Service does not cover the fork Service: an error, not a route that gets 500", () => {
    const x = crossNamespace("{group: '', kind: Service, name: productpage}");
    expect(x.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([
      "base/gateway.yaml:34:11: error: HTTPRoute bookshop/bookshop spec.rules[0].backendRefs[0].name: the copy of this route for fork 'carol' would send to shop/productpage-carol (for shop/productpage), and no ReferenceGrant lets HTTPRoutes in namespace bookshop reference it (the grant names the original Service only) [KF5013]\n  hint: add the fork Service's name to the ReferenceGrant's `to`, or leave out `name` there to allow every Service of that namespace",
    ]);
  });
});
