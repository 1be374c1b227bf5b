import { describe, expect, it } from "vitest";
import { formatTrace, trace, traceChain } from "../../src/trace/index.ts";
import type { TraceRequest } from "../../src/trace/index.ts";
import { BOOKSHOP, deployment, load, service } from "../helpers/trace.ts";

const mesh = (namespace: string, labels?: Record<string, string>): TraceRequest["from"] =>
  labels ? { mesh: { namespace, labels } } : { mesh: { namespace } };

/** One VirtualService for echo.t with the given http routes; every route goes to echo. */
function echo(http: unknown[], extra: Record<string, unknown> = {}): unknown[] {
  return [
    ...load(`${deployment("t", "echo", { app: "echo" })}${service("t", "echo", { app: "echo" }, 8080)}`),
    {
      apiVersion: "networking.istio.io/v1beta1",
      kind: "VirtualService",
      metadata: { name: "echo", namespace: "t" },
      spec: { hosts: ["echo"], http, ...extra },
    },
  ];
}
const to = { route: [{ destination: { host: "echo" } }] };

describe("Istio http route semantics (first match wins, blocks ORed, fields ANDed)", () => {
  type Case = {
    name: string;
    http: unknown[];
    req?: Partial<TraceRequest>;
    want: { route: number; match?: number } | { status: number };
    extra?: Record<string, unknown>;
  };
  const cases: Case[] = [
    {
      name: "first match wins: two routes both match, route 0 is used",
      http: [{ name: "a", match: [{ uri: { prefix: "/" } }], ...to }, { name: "b", ...to }],
      want: { route: 0, match: 0 },
    },
    {
      name: "first match wins even when a later route is more specific",
      http: [{ match: [{ uri: { prefix: "/" } }], ...to }, { match: [{ uri: { exact: "/api" } }], ...to }],
      req: { path: "/api" },
      want: { route: 0, match: 0 },
    },
    {
      name: "a route with no match matches everything",
      http: [{ match: [{ headers: { x: { exact: "1" } } }], ...to }, { ...to }],
      want: { route: 1 },
    },
    {
      name: "blocks are ORed: the second block matches",
      http: [{ match: [{ headers: { a: { exact: "1" } } }, { headers: { b: { exact: "2" } } }], ...to }, { ...to }],
      req: { headers: { b: "2" } },
      want: { route: 0, match: 1 },
    },
    {
      name: "fields are ANDed: header without the uri does not match",
      http: [{ match: [{ uri: { prefix: "/api" }, headers: { x: { exact: "1" } } }], ...to }, { ...to }],
      req: { path: "/web", headers: { x: "1" } },
      want: { route: 1 },
    },
    {
      name: "fields are ANDed: uri and header both match",
      http: [{ match: [{ uri: { prefix: "/api" }, headers: { x: { exact: "1" } } }], ...to }, { ...to }],
      req: { path: "/api/v1", headers: { x: "1" } },
      want: { route: 0, match: 0 },
    },
    {
      name: "header {} means present (any value)",
      http: [{ match: [{ headers: { "x-fork-identifier": {} } }], ...to }, { ...to }],
      req: { headers: { "x-fork-identifier": "whatever" } },
      want: { route: 0, match: 0 },
    },
    {
      name: "header {} does not match when absent",
      http: [{ match: [{ headers: { "x-fork-identifier": {} } }], ...to }, { ...to }],
      want: { route: 1 },
    },
    {
      name: "header names are case-insensitive",
      http: [{ match: [{ headers: { "x-fork-identifier": { exact: "alice" } } }], ...to }, { ...to }],
      req: { headers: { "X-Fork-Identifier": "alice" } },
      want: { route: 0, match: 0 },
    },
    {
      name: "exact header does not match a longer value",
      http: [{ match: [{ headers: { x: { exact: "alice" } } }], ...to }, { ...to }],
      req: { headers: { x: "alice2" } },
      want: { route: 1 },
    },
    {
      name: "prefix header",
      http: [{ match: [{ headers: { x: { prefix: "ali" } } }], ...to }, { ...to }],
      req: { headers: { x: "alice2" } },
      want: { route: 0, match: 0 },
    },
    {
      name: "regex alice must NOT match alice2 (whole value)",
      http: [{ match: [{ headers: { x: { regex: "alice" } } }], ...to }, { ...to }],
      req: { headers: { x: "alice2" } },
      want: { route: 1 },
    },
    {
      name: "baggage entry regex on a multi-entry baggage header",
      http: [{ match: [{ headers: { baggage: { regex: String.raw`^(.*[,\s])?kubefork\s*=\s*alice(\s*[;,].*)?\s*$` } } }], ...to }, { ...to }],
      req: { headers: { baggage: "foo=1, kubefork=alice;p=1" } },
      want: { route: 0, match: 0 },
    },
    {
      name: "withoutHeaders: the header present excludes the route",
      http: [{ match: [{ withoutHeaders: { "x-fork-identifier": {} } }], ...to }, { ...to }],
      req: { headers: { "x-fork-identifier": "alice" } },
      want: { route: 1 },
    },
    {
      name: "withoutHeaders exact: a missing header counts as not matching, so the route applies",
      http: [{ match: [{ withoutHeaders: { x: { exact: "a" } } }], ...to }, { ...to }],
      want: { route: 0, match: 0 },
    },
    {
      name: "queryParams exact",
      http: [{ match: [{ queryParams: { v: { exact: "2" } } }], ...to }, { ...to }],
      req: { path: "/p?v=2" },
      want: { route: 0, match: 0 },
    },
    {
      name: "uri ignores the query string",
      http: [{ match: [{ uri: { exact: "/p" } }], ...to }, { ...to }],
      req: { path: "/p?v=2" },
      want: { route: 0, match: 0 },
    },
    {
      name: "ignoreUriCase applies to prefix",
      http: [{ match: [{ uri: { prefix: "/API" }, ignoreUriCase: true }], ...to }, { ...to }],
      req: { path: "/api/x" },
      want: { route: 0, match: 0 },
    },
    {
      name: "ignoreUriCase does not apply to regex",
      http: [{ match: [{ uri: { regex: "/API.*" }, ignoreUriCase: true }], ...to }, { ...to }],
      req: { path: "/api/x" },
      want: { route: 1 },
    },
    {
      name: "method",
      http: [{ match: [{ method: { exact: "POST" } }], ...to }, { ...to }],
      req: { method: "post" },
      want: { route: 0, match: 0 },
    },
    {
      name: "authority",
      http: [{ match: [{ authority: { prefix: "echo" } }], ...to }, { ...to }],
      want: { route: 0, match: 0 },
    },
    {
      name: "port: a block for another port does not match",
      http: [{ match: [{ port: 9999 }], ...to }, { ...to }],
      want: { route: 1 },
    },
    {
      name: "port: the Service's only port is the request port",
      http: [{ match: [{ port: 8080 }], ...to }, { ...to }],
      want: { route: 0, match: 0 },
    },
    {
      name: "sourceLabels match the client's labels",
      http: [{ match: [{ sourceLabels: { app: "productpage" } }], ...to }, { ...to }],
      req: { from: mesh("t", { app: "productpage", version: "v1" }) },
      want: { route: 0, match: 0 },
    },
    {
      name: "sourceLabels do not match another client",
      http: [{ match: [{ sourceLabels: { app: "productpage" } }], ...to }, { ...to }],
      req: { from: mesh("t", { app: "ratings" }) },
      want: { route: 1 },
    },
    {
      name: "sourceNamespace",
      http: [{ match: [{ sourceNamespace: "other" }], ...to }, { ...to }],
      req: { host: "echo.t", from: mesh("other") },
      want: { route: 0, match: 0 },
    },
    {
      name: "gateways inside a match: a gateway-only block does not apply in the mesh",
      http: [{ match: [{ gateways: ["t/gw"] }], ...to }, { ...to }],
      extra: { gateways: ["mesh", "t/gw"] },
      want: { route: 1 },
    },
    {
      name: "no route matches: 404",
      http: [{ match: [{ headers: { x: { exact: "1" } } }], ...to }],
      want: { status: 404 },
    },
  ];
  it.each(cases)("$name", ({ http, req, want, extra }) => {
    const r = trace(echo(http, extra), { host: "echo", from: mesh("t"), ...req });
    const hop = r.hops[0];
    expect(hop).toBeDefined();
    if ("status" in want) {
      expect(hop?.outcome).toBe("rejected");
      expect(hop?.status).toBe(want.status);
    } else {
      expect(hop?.outcome).toBe("routed");
      expect(hop?.route?.index).toBe(want.route);
      expect(hop?.route?.match).toBe(want.match);
      expect(hop?.destinations[0]?.workloads.map((w) => w.name)).toEqual(["echo"]);
    }
  });

  it("a regex with lookahead is a problem and does not match", () => {
    const r = trace(echo([{ match: [{ headers: { x: { regex: "a(?=b)b" } } }], ...to }, { ...to }]), {
      host: "echo",
      from: mesh("t"),
      headers: { x: "ab" },
    });
    expect(r.hops[0]?.route?.index).toBe(1);
    expect(r.problems.some((p) => p.severity === "error" && /lookahead/.test(p.message))).toBe(true);
  });
});

describe("bookshop: mesh routing", () => {
  const objects = load(BOOKSHOP);

  it("without the header: weighted route to subsets, workloads by DestinationRule subset labels", () => {
    const r = trace(objects, { host: "reviews", from: mesh("bookshop", { app: "productpage", version: "v1" }) });
    const hop = r.hops[0];
    expect(hop?.resolvedHost).toBe("reviews.bookshop.svc.cluster.local");
    expect(hop?.router).toEqual({ kind: "VirtualService", namespace: "bookshop", name: "reviews" });
    expect(hop?.route).toEqual({ index: 1, name: "reviews" });
    expect(hop?.destinations.map((d) => [d.subset, d.percent, d.subsetLabels, d.workloads.map((w) => w.name)])).toEqual([
      ["v1", 80, { version: "v1" }, ["reviews-v1"]],
      ["v2", 20, { version: "v2" }, ["reviews-v2"]],
    ]);
    expect(hop?.destinations[0]?.destinationRule).toEqual({ kind: "DestinationRule", namespace: "bookshop", name: "reviews" });
    expect(r.problems).toEqual([]);
  });

  it.each<{ name: string; headers: Record<string, string>; match: number }>([
    { name: "fork header", headers: { "x-fork-identifier": "alice" }, match: 0 },
    { name: "baggage entry", headers: { baggage: "foo=1, kubefork=alice;p=1" }, match: 1 },
  ])("with the $name: the fork workload", ({ headers, match }) => {
    const r = trace(objects, { host: "reviews.bookshop", headers, from: mesh("bookshop") });
    const hop = r.hops[0];
    expect(hop?.route).toEqual({ index: 0, name: "reviews-alice", match });
    expect(hop?.destinations).toHaveLength(1);
    expect(hop?.destinations[0]?.service).toEqual({ kind: "Service", namespace: "bookshop", name: "reviews-alice" });
    expect(hop?.destinations[0]?.workloads.map((w) => `${w.kind} ${w.name}`)).toEqual(["Deployment reviews-v1-alice"]);
  });

  it("another identifier goes the base way", () => {
    const r = trace(objects, { host: "reviews", headers: { "x-fork-identifier": "alice2" }, from: mesh("bookshop") });
    expect(r.hops[0]?.route?.index).toBe(1);
  });

  it("no VirtualService: Kubernetes Service default, StatefulSet workload", () => {
    const r = trace(objects, { host: "ratings", from: mesh("bookshop") });
    const hop = r.hops[0];
    expect(hop?.outcome).toBe("service-default");
    expect(hop?.reason).toMatch(/no route: Kubernetes Service default/);
    expect(hop?.destinations[0]?.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`)).toEqual(["StatefulSet bookshop/ratings-v1"]);
  });

  it("a subset missing from the DestinationRule is an error (503)", () => {
    const bad = load(BOOKSHOP.replace("subset: v2}", "subset: v3}"));
    const r = trace(bad, { host: "reviews", from: mesh("bookshop") });
    expect(r.problems.some((p) => p.severity === "error" && /subset "v3"/.test(p.message))).toBe(true);
    expect(r.hops[0]?.destinations[1]?.workloads).toEqual([]);
  });
});

describe("host resolution", () => {
  const objects = [
    ...load(`
${deployment("a", "reviews-a", { app: "reviews" })}
${deployment("b", "reviews-b", { app: "reviews" })}
${service("a", "reviews", { app: "reviews" })}
${service("b", "reviews", { app: "reviews" })}
${deployment("a", "special", { app: "special" })}
${service("a", "special", { app: "special" })}
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: reviews, namespace: a}
spec:
  hosts: [reviews]          # short name: reviews.a.svc.cluster.local
  http:
    - route: [{destination: {host: special}}]   # short name in the VS namespace: special.a
`),
  ];

  it.each([
    { name: "short name from the VS's namespace is claimed", host: "reviews", from: "a", router: "reviews", workloads: ["a/special"] },
    { name: "a VS in ns a with host reviews does not claim reviews.b", host: "reviews", from: "b", router: undefined, workloads: ["b/reviews-b"] },
    { name: "reviews.a from ns b resolves (DNS search) to reviews.a and is claimed", host: "reviews.a", from: "b", router: "reviews", workloads: ["a/special"] },
    { name: "FQDN", host: "reviews.a.svc.cluster.local", from: "b", router: "reviews", workloads: ["a/special"] },
    { name: "reviews.b.svc from ns a is not claimed", host: "reviews.b.svc", from: "a", router: undefined, workloads: ["b/reviews-b"] },
  ])("$name", ({ host, from, router, workloads }) => {
    const r = trace(objects, { host, from: mesh(from) });
    const hop = r.hops[0];
    expect(hop?.router?.name).toBe(router);
    expect(hop?.destinations.flatMap((d) => d.workloads.map((w) => `${w.namespace}/${w.name}`))).toEqual(workloads);
  });

  it("a VS host with a dot is taken literally: reviews.b in a VS is not reviews.b.svc.cluster.local", () => {
    const objs = [
      ...objects,
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "dotted", namespace: "a" }, spec: { hosts: ["reviews.b"], http: [{ route: [{ destination: { host: "special" } }] }] } },
    ];
    const r = trace(objs, { host: "reviews", from: mesh("b") });
    expect(r.hops[0]?.outcome).toBe("service-default");
  });

  it("objects without namespace use defaultNamespace", () => {
    const objs = load(`${deployment("x", "w", { app: "w" })}${service("x", "w", { app: "w" })}`.replace(/namespace: x/g, ""));
    const r = trace(objs, { host: "w", from: mesh("dev"), defaultNamespace: "dev" });
    expect(r.hops[0]?.destinations[0]?.workloads.map((w) => `${w.namespace}/${w.name}`)).toEqual(["dev/w"]);
  });
});

describe("the cluster domain is the one passed in (clusterDomain: corp.internal)", () => {
  // The trace once hard-coded cluster.local: with a manager's clusterDomain of corp.internal a
  // correct render traced to a 503. Short names, DestinationRule hosts and backend FQDNs all take
  // the domain given in the request.
  const objects = load(BOOKSHOP.replaceAll("svc.cluster.local", "svc.corp.internal"));
  const from = mesh("bookshop", { app: "productpage", version: "v1" });

  it("short names resolve in corp.internal, the DestinationRule subsets apply, no problem", () => {
    const r = trace(objects, { host: "reviews", from, clusterDomain: "corp.internal" });
    const hop = r.hops[0];
    expect(hop?.resolvedHost).toBe("reviews.bookshop.svc.corp.internal");
    expect(hop?.destinations.map((d) => [d.fqdn, d.subset, d.workloads.map((w) => w.name)])).toEqual([
      ["reviews.bookshop.svc.corp.internal", "v1", ["reviews-v1"]],
      ["reviews.bookshop.svc.corp.internal", "v2", ["reviews-v2"]],
    ]);
    expect(r.problems).toEqual([]);
  });

  it("the fork header reaches the fork's copy", () => {
    const r = trace(objects, { host: "reviews", headers: { "x-fork-identifier": "alice" }, from, clusterDomain: "corp.internal" });
    expect(r.hops[0]?.destinations.map((d) => [d.fqdn, d.workloads.map((w) => w.name)])).toEqual([["reviews-alice.bookshop.svc.corp.internal", ["reviews-v1-alice"]]]);
    expect(r.problems).toEqual([]);
  });

  it("without it the default cluster.local is used, and the corp.internal objects no longer line up", () => {
    const r = trace(objects, { host: "reviews", from });
    expect(r.hops[0]?.resolvedHost).toBe("reviews.bookshop.svc.cluster.local");
    expect(r.hops[0]?.router).toBeUndefined();
  });
});

describe("two VirtualServices for one host", () => {
  it("is reported (IST0109) and the oldest (then by name) is used", () => {
    const objs = [
      ...echo([{ match: [{ headers: { x: {} } }], ...to }, { ...to }]),
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "aaa-echo", namespace: "t" }, spec: { hosts: ["echo.t.svc.cluster.local"], http: [{ ...to }] } },
    ];
    const r = trace(objs, { host: "echo", from: mesh("t") });
    expect(r.hops[0]?.router?.name).toBe("aaa-echo");
    const p = r.problems.find((x) => /IST0109/.test(x.message));
    expect(p?.severity).toBe("warning");
    expect(p?.message).toMatch(/t\/aaa-echo, t\/echo/);
    expect(p?.message).toMatch(/uses t\/aaa-echo/);
  });

  it("an exact host beats a wildcard host (no problem)", () => {
    const objs = [
      ...echo([{ ...to }]),
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "wild", namespace: "t" }, spec: { hosts: ["*.t.svc.cluster.local"], http: [{ ...to }] } },
    ];
    const r = trace(objs, { host: "echo", from: mesh("t") });
    expect(r.hops[0]?.router?.name).toBe("echo");
    expect(r.problems).toEqual([]);
  });
});

describe("terminal routes", () => {
  it.each([
    { name: "redirect", route: { redirect: { uri: "/new", authority: "x.example.com" } }, outcome: "redirect", status: 301 },
    { name: "directResponse", route: { directResponse: { status: 503, body: { string: "down" } } }, outcome: "direct-response", status: 503 },
    { name: "delegate", route: { delegate: { name: "child", namespace: "t" } }, outcome: "delegate", status: undefined },
  ])("$name is reported and not followed", ({ route, outcome, status }) => {
    const r = trace(echo([route]), { host: "echo", from: mesh("t") });
    expect(r.hops[0]?.outcome).toBe(outcome);
    expect(r.hops[0]?.status).toBe(status);
    expect(r.hops[0]?.destinations).toEqual([]);
  });

  it("rewrite is recorded", () => {
    const r = trace(echo([{ rewrite: { uri: "/v2", authority: "echo2" }, ...to }]), { host: "echo", from: mesh("t") });
    expect(r.hops[0]?.rewrite).toEqual({ uri: "/v2", authority: "echo2" });
  });
});

describe("bookshop: through the gateway", () => {
  const objects = load(BOOKSHOP);
  const gw = { gateway: { namespace: "bookshop", name: "bookshop-gateway" } } as const;

  it("the fork host sets the header and reaches the fork entry workload; mesh VSs are not applied again", () => {
    const r = trace(objects, { host: "alice.bookshop.example.com", from: gw, port: 80 });
    const hop = r.hops[0];
    expect(hop?.router).toEqual({ kind: "VirtualService", namespace: "bookshop", name: "productpage-alice-gw" });
    expect(hop?.route).toEqual({ index: 0, name: "productpage", match: 0 });
    expect(hop?.headerChanges).toEqual([{ op: "set", name: "x-fork-identifier", value: "alice" }]);
    expect(hop?.destinations[0]?.workloads.map((w) => w.name)).toEqual(["productpage-v1-alice"]);
    expect(hop?.notes.join("\n")).toMatch(/not applied again/);
  });

  it("the base host: no header, base workload (the mesh VS for productpage is not consulted)", () => {
    const r = trace(objects, { host: "bookshop.example.com", from: gw, headers: { "x-fork-identifier": "alice" } });
    // The mesh VS productpage would send this header to the fork; the gateway VS does not.
    expect(r.hops[0]?.destinations[0]?.workloads.map((w) => w.name)).toEqual(["productpage-v1"]);
  });

  it("a host no server accepts is rejected", () => {
    const r = trace(objects, { host: "other.example.com", from: gw });
    expect(r.hops[0]?.outcome).toBe("rejected");
    expect(r.hops[0]?.status).toBe(404);
  });

  it("traceChain: gateway hop with header set, then mesh hops from the workload reached", () => {
    const r = traceChain(objects, { host: "alice.bookshop.example.com", from: gw }, ["reviews:9080", "ratings"]);
    expect(r.hops.map((h) => h.hop)).toEqual([1, 2, 3]);
    const [g, m, n] = r.hops;
    expect(g?.source.kind).toBe("gateway");
    expect(m?.source).toEqual({
      kind: "mesh",
      namespace: "bookshop",
      labels: { app: "productpage-alice", version: "v1" },
      workload: { kind: "Deployment", namespace: "bookshop", name: "productpage-v1-alice" },
    });
    expect(m?.requestHeaders).toEqual({ "x-fork-identifier": "alice" });
    expect(m?.route?.name).toBe("reviews-alice");
    expect(m?.destinations[0]?.workloads.map((w) => w.name)).toEqual(["reviews-v1-alice"]);
    expect(n?.source.kind === "mesh" && n.source.workload?.name).toBe("reviews-v1-alice");
    expect(n?.outcome).toBe("service-default");

    const text = formatTrace(r);
    expect(text).toContain("hop 1  gateway bookshop/bookshop-gateway  host alice.bookshop.example.com");
    expect(text).toContain('       VirtualService bookshop/productpage-alice-gw  route 0 "productpage" (match 0)');
    expect(text).toContain("       set header x-fork-identifier: alice");
    expect(text).toContain(
      "       → productpage-alice.bookshop.svc.cluster.local:9080 (100%)  Service bookshop/productpage-alice → Deployment bookshop/productpage-v1-alice",
    );
    expect(text).toContain("hop 2  mesh Deployment bookshop/productpage-v1-alice  host reviews:9080 (reviews.bookshop.svc.cluster.local)");
  });

  it("traceChain without the fork host: weighted split, the heaviest destination is followed", () => {
    const r = traceChain(objects, { host: "bookshop.example.com", from: gw }, ["reviews", "ratings"]);
    expect(r.hops[1]?.destinations.map((d) => d.percent)).toEqual([80, 20]);
    expect(r.hops[2]?.source.kind === "mesh" && r.hops[2].source.workload?.name).toBe("reviews-v1");
    expect(r.hops[1]?.notes.join()).toMatch(/following Deployment bookshop\/reviews-v1/);
  });

  it("traceChain with propagate: an app that drops the header loses the fork", () => {
    const r = traceChain(objects, { host: "alice.bookshop.example.com", from: gw }, ["reviews"], { propagate: ["traceparent"] });
    expect(r.hops[1]?.route?.name).toBe("reviews");
  });
});

describe("odd input never throws", () => {
  it.each([
    { name: "junk objects", objects: [null, 1, "x", [], { kind: "VirtualService" }, { kind: "VirtualService", metadata: { name: "v" }, spec: { hosts: 3, http: "no" } }] },
    { name: "not an array", objects: "nope" as unknown as unknown[] },
    { name: "routes with odd shapes", objects: echo([null, { match: "x" }, { match: [null, 3] }, { route: [{}] }]) },
  ])("$name", ({ objects }) => {
    expect(() => trace(objects, { host: "echo", from: mesh("t") })).not.toThrow();
    expect(() => formatTrace(trace(objects, { host: "echo", from: mesh("t") }))).not.toThrow();
  });

  it("a bad request is a problem", () => {
    const r = trace([], { host: undefined, from: undefined } as unknown as TraceRequest);
    expect(r.hops).toEqual([]);
    expect(r.problems[0]?.severity).toBe("error");
  });

  it("an unknown gateway is a problem", () => {
    const r = trace([], { host: "x", from: { gateway: { namespace: "a", name: "b" } } });
    expect(r.problems[0]?.message).toMatch(/no Gateway a\/b/);
  });
});
