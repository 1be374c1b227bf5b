// The rendered routes, evaluated as the data plane would (src/trace): through the gateway by the
// fork host and by the plain domain, then hop by hop through the mesh, with and without the header.
import { describe, expect, it } from "vitest";
import { trace, traceChain, formatTrace, type TraceRequest, type TraceResult } from "../../src/trace/index.ts";
import { appFiles, renderFiles } from "../helpers/inprocess.ts";

function rendered(fixture: string): unknown[] {
  const r = renderFiles(appFiles(fixture));
  expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
  return r.result!.objects;
}

/** The workload followed at each hop (traceChain follows the heaviest destination, first on ties). */
function path(r: TraceResult): string[] {
  return r.hops.map((h) => {
    const ds = h.destinations.filter((d) => d.workloads.length > 0);
    if (ds.length === 0) return `${h.outcome}${h.status ? ` ${h.status}` : ""}`;
    return ds.reduce((a, b) => (b.percent > a.percent ? b : a)).workloads[0]!.name;
  });
}

const istioGw: TraceRequest["from"] = { gateway: { namespace: "bookshop", name: "bookshop-gateway", kind: "istio" } };
const gapiGw: TraceRequest["from"] = { gateway: { namespace: "bookshop", name: "bookshop-gateway", kind: "gateway-api" } };

/** A request through the gateway (path /productpage unless given), followed hop by hop into `next`; `want`: the workloads it reaches. */
interface ChainCase {
  name: string;
  host: string;
  path?: string;
  headers?: Record<string, string>;
  next: string[];
  want: string[];
}

function chainCases(objects: unknown[], from: TraceRequest["from"], cases: ChainCase[]): void {
  it.each(cases)("$name", (c) => {
    const req: TraceRequest = { host: c.host, path: c.path ?? "/productpage", from, port: 80 };
    if (c.headers) req.headers = c.headers;
    const r = traceChain(objects, req, c.next);
    expect(path(r), formatTrace(r)).toEqual(c.want);
  });
}

describe("ingress: istio (fixtures/ingress-istio) — gateway VirtualServices, then mesh VirtualServices", () => {
  const objects = rendered("ingress-istio");
  const cases: ChainCase[] = [
    { name: "alice's host: the base productpage (alice forks only ratings), base reviews, then alice's ratings", host: "alice.bookshop.example.com", next: ["reviews", "ratings"], want: ["productpage-v1", "reviews-v1", "ratings-v1-alice"] },
    { name: "carol's host: her productpage, then base reviews and ratings", host: "carol.bookshop.example.com", next: ["reviews", "ratings"], want: ["productpage-v1-carol", "reviews-v1", "ratings-v1"] },
    { name: "bob's host: base productpage, his reviews-v2 (whatever the split), his ratings", host: "bob.bookshop.example.com", next: ["reviews", "ratings"], want: ["productpage-v1", "reviews-v2-bob", "ratings-v1-bob"] },
    { name: "the rewrite route is mirrored too: carol's /api/v1/products reaches her productpage", host: "carol.bookshop.example.com", path: "/api/v1/products/1", next: [], want: ["productpage-v1-carol"] },
    { name: "the plain domain without the header: the base all the way", host: "bookshop.example.com", next: ["reviews", "ratings"], want: ["productpage-v1", "reviews-v1", "ratings-v1"] },
    { name: "the plain domain with carol's header: the base gateway VirtualService carries carol's routes too", host: "bookshop.example.com", headers: { "x-fork-identifier": "carol" }, next: ["reviews"], want: ["productpage-v1-carol", "reviews-v1"] },
    { name: "a host of no fork: 404 at the gateway", host: "zed.bookshop.example.com", next: [], want: ["rejected 404"] },
  ];
  chainCases(objects, istioGw, cases);

  it("the fork host sets the header the mesh routes on", () => {
    const r = trace(objects, { host: "alice.bookshop.example.com", path: "/productpage", from: istioGw, port: 80 });
    expect(r.hops[0]?.destinations[0]?.headers["x-fork-identifier"]).toBe("alice");
    expect(r.hops[0]?.router).toEqual({ kind: "VirtualService", namespace: "bookshop", name: "bookshop-alice" });
  });

  it("a client's own header value is replaced at the fork host", () => {
    const r = trace(objects, { host: "alice.bookshop.example.com", path: "/productpage", from: istioGw, port: 80, headers: { "x-fork-identifier": "bob" } });
    expect(r.hops[0]?.destinations[0]?.headers["x-fork-identifier"]).toBe("alice");
  });
});

describe("ingress: gateway-api + routing: gateway-api (fixtures/ingress-gateway-api) — Gateway HTTPRoutes, then GAMMA", () => {
  const objects = rendered("ingress-gateway-api");
  const cases: ChainCase[] = [
    { name: "carol's host: her productpage, then base reviews (v1 or v3) and base ratings", host: "carol.bookshop.example.com", next: ["reviews", "ratings"], want: ["productpage-v1-carol", "reviews-v1", "ratings-v1"] },
    { name: "alice's host: base productpage and reviews, her ratings through the header route on ratings", host: "alice.bookshop.example.com", next: ["reviews", "ratings"], want: ["productpage-v1", "reviews-v1", "ratings-v1-alice"] },
    { name: "the plain domain: the base all the way (the shared catch-all keeps ratings reachable)", host: "bookshop.example.com", next: ["reviews", "ratings"], want: ["productpage-v1", "reviews-v1", "ratings-v1"] },
    { name: "the plain domain with carol's header: her copy of the base Gateway route (a gateway does not apply GAMMA routes again)", host: "bookshop.example.com", headers: { "x-fork-identifier": "carol" }, next: ["reviews", "ratings"], want: ["productpage-v1-carol", "reviews-v1", "ratings-v1"] },
    { name: "the plain domain with carol's baggage entry: her copy too", host: "bookshop.example.com", headers: { baggage: "kubefork=carol" }, next: [], want: ["productpage-v1-carol"] },
    { name: "the plain domain with alice's header: the base productpage (she forks only ratings), then her ratings", host: "bookshop.example.com", headers: { "x-fork-identifier": "alice" }, next: ["reviews", "ratings"], want: ["productpage-v1", "reviews-v1", "ratings-v1-alice"] },
    { name: "carol's host with alice's header: the fork host's exact hostname wins and sets carol", host: "carol.bookshop.example.com", headers: { "x-fork-identifier": "alice" }, next: [], want: ["productpage-v1-carol"] },
    { name: "the URLRewrite rule is mirrored with the header filter", host: "carol.bookshop.example.com", path: "/api/v1/products/7", next: [], want: ["productpage-v1-carol"] },
    { name: "a host of no fork: no route serves it", host: "zed.bookshop.example.com", next: [], want: ["rejected 404"] },
  ];
  chainCases(objects, gapiGw, cases);

  it("carol's host is served by her ingress route, not by her header copy of the base route", () => {
    const r = trace(objects, { host: "carol.bookshop.example.com", path: "/productpage", from: gapiGw, port: 80 });
    expect(r.hops[0]?.router).toEqual({ kind: "HTTPRoute", namespace: "bookshop", name: "bookshop-carol" });
  });
});

describe("routing: gateway-api (fixtures/gamma) — fork rules are more specific than the base rules they shadow", () => {
  const objects = rendered("gamma");
  const mesh: TraceRequest["from"] = { mesh: { namespace: "bookshop" } };
  const shares = (r: TraceResult) => r.hops[0]!.destinations.map((d) => `${d.workloads.map((w) => w.name).join("|") || "none"} ${d.percent}%`);
  const cases: { name: string; host: string; headers?: Record<string, string>; want: string[] }[] = [
    { name: "reviews, no header: the base split", host: "reviews", want: ["reviews-v1 50%", "reviews-v3 50%"] },
    { name: "reviews, jason, no header: the base header rule", host: "reviews", headers: { "end-user": "jason" }, want: ["reviews-v2 100%"] },
    // The host is pinned, as with routing: istio: reviews-v1/v2/v3 are versions of reviews (their
    // selectors include its own), so bob's copies of the rules send all of it to reviews-bob.
    { name: "reviews, bob: his copy of the split, pinned to his v3", host: "reviews", headers: { "x-fork-identifier": "bob" }, want: ["reviews-v3-bob 100%"] },
    {
      name: "reviews, bob and jason: his copy of the header rule (two header matches beat one), pinned too",
      host: "reviews",
      headers: { "x-fork-identifier": "bob", "end-user": "jason" },
      want: ["reviews-v3-bob 100%"],
    },
    { name: "reviews, bob by baggage only", host: "reviews", headers: { baggage: "userId=7,kubefork=bob" }, want: ["reviews-v3-bob 100%"] },
    { name: "reviews-v3 called directly by bob: his copy", host: "reviews-v3", headers: { "x-fork-identifier": "bob" }, want: ["reviews-v3-bob 100%"] },
    { name: "reviews-v3 called directly without header: the shared catch-all", host: "reviews-v3", want: ["reviews-v3 100%"] },
    { name: "ratings, alice: her copy", host: "ratings", headers: { "x-fork-identifier": "alice" }, want: ["ratings-v1-alice 100%"] },
    { name: "ratings, alice by baggage", host: "ratings", headers: { baggage: "kubefork=alice;ttl=3" }, want: ["ratings-v1-alice 100%"] },
    { name: "ratings, no header: the catch-all", host: "ratings", want: ["ratings-v1 100%"] },
    { name: "ratings, unknown fork: the catch-all", host: "ratings", headers: { "x-fork-identifier": "zed" }, want: ["ratings-v1 100%"] },
    { name: "ratings, bob (who does not fork ratings): the catch-all", host: "ratings", headers: { "x-fork-identifier": "bob" }, want: ["ratings-v1 100%"] },
    { name: "details (forked by nobody): Kubernetes default", host: "details", headers: { "x-fork-identifier": "alice" }, want: ["details-v1 100%"] },
  ];
  it.each(cases)("$name", (c) => {
    const req: TraceRequest = { host: c.host, from: mesh };
    if (c.headers) req.headers = c.headers;
    const r = trace(objects, req);
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(shares(r), formatTrace(r)).toEqual(c.want);
  });
});
