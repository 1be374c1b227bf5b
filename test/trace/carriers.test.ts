// Every carrier traced through the golden renders of fixtures/carriers-istio (routing: istio) and
// fixtures/carriers-gamma (routing: gateway-api), as `kubefork trace` follows requests: one hop per
// carrier, chains where apps forward only trace context (or nothing, with `source`), and a
// property test that random trace ids reach no fork and minted ones only their own.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { b3TraceIdRegex, carrierRequest, traceparentRegex } from "../../src/generate/carriers.ts";
import { carriersOf, mintTrace, traceIdPrefix, type Carrier } from "../../src/model/carriers.ts";
import { fullMatch } from "../../src/trace/match.ts";
import { trace, traceChain, type TraceRequest } from "../../src/trace/index.ts";
import { ROOT } from "../helpers/cli.ts";
import { parseStream } from "../helpers/stream.ts";

function golden(fixture: string, name: string): unknown[] {
  return parseStream(readFileSync(join(ROOT, "fixtures", fixture, "expected", `${name}.yaml`), "utf8"));
}

const ISTIO = golden("carriers-istio", "three-forks");
const GAMMA = golden("carriers-gamma", "three-forks");
const cs = carriersOf({ header: "x-fork-identifier", baggage: "kubefork", carriers: ["header", "baggage", "tracestate", "traceId", "source"] });
const ZERO = new Uint8Array(16);

/** The request a client of fork `id` sends with one carrier, from namespace bookshop. */
function request(host: string, id: string, carrier: Carrier): TraceRequest {
  const r = carrierRequest(cs, id, [carrier], ZERO);
  return { host, headers: r.headers, from: { mesh: { namespace: "bookshop", ...(r.labels ? { labels: r.labels } : {}) } }, defaultNamespace: "bookshop" };
}

/** `workload percent%` per destination of each hop. */
function reached(hops: ReturnType<typeof trace>["hops"]): string[][] {
  return hops.map((h) => h.destinations.flatMap((d) => d.workloads.map((w) => `${w.name} ${d.percent}%`)));
}

describe.each([
  ["routing: istio", ISTIO, ["header", "baggage", "tracestate", "traceId", "source"] as Carrier[]],
  ["routing: gateway-api", GAMMA, ["header", "baggage", "tracestate", "traceId"] as Carrier[]],
])("%s", (_name, objects, carriers) => {
  it.each(carriers)("carrier %s reaches alice's ratings copy", (carrier) => {
    const hops = trace(objects, request("ratings", "alice", carrier)).hops;
    expect(reached(hops)).toEqual([["ratings-v1-alice 100%"]]);
  });

  it.each(carriers)("carrier %s of a fork that did not fork the Service keeps the baseline", (carrier) => {
    expect(reached(trace(objects, request("ratings", "carol", carrier)).hops)).toEqual([["ratings-v1 100%"]]);
  });

  it("a random trace id, and another fork's, reach the baseline", () => {
    const random = { ...request("ratings", "alice", "traceId"), headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "x-b3-traceid": "0af7651916cd43dd8448eb211c80319c" } };
    expect(reached(trace(objects, random).hops)).toEqual([["ratings-v1 100%"]]);
    // carol forks no ratings: her minted id reaches the baseline, not alice's copy.
    expect(reached(trace(objects, request("ratings", "carol", "traceId")).hops)).toEqual([["ratings-v1 100%"]]);
  });

  it("traceId: reviews forwards only traceparent, and alice's ratings copy still serves the last hop", () => {
    const r = request("reviews", "alice", "traceId");
    const chain = traceChain(objects, r, ["ratings"], { propagate: ["traceparent"] });
    expect(chain.hops.map((h) => Object.keys(h.requestHeaders).sort())).toEqual([["traceparent", "x-b3-sampled", "x-b3-spanid", "x-b3-traceid"], ["traceparent"]]);
    expect(reached(chain.hops).at(-1)).toEqual(["ratings-v1-alice 100%"]);
  });

  it("header: reviews forwards only traceparent, so the fork header is lost and ratings is the baseline's", () => {
    const chain = traceChain(objects, request("reviews", "alice", "header"), ["ratings"], { propagate: ["traceparent"] });
    expect(reached(chain.hops).at(-1)).toEqual(["ratings-v1 100%"]);
  });

  it("tracestate: an app that forwards traceparent and tracestate keeps the fork", () => {
    const chain = traceChain(objects, request("reviews", "alice", "tracestate"), ["ratings"], { propagate: ["traceparent", "tracestate"] });
    expect(reached(chain.hops).at(-1)).toEqual(["ratings-v1-alice 100%"]);
  });
});

describe("source (routing: istio only)", () => {
  it("bob's reviews copy calls ratings forwarding nothing, and reaches bob's ratings copy", () => {
    const chain = traceChain(ISTIO, request("reviews", "bob", "header"), ["ratings"], { propagate: [] });
    expect(reached(chain.hops)).toEqual([["reviews-v2-bob 100%"], ["ratings-v1-bob 100%"]]);
    expect(chain.hops[1]!.requestHeaders).toEqual({});
  });

  it("a baseline pod that forwards nothing stays on the baseline", () => {
    const chain = traceChain(ISTIO, { host: "reviews", from: { mesh: { namespace: "bookshop" } }, defaultNamespace: "bookshop" }, ["ratings"], { propagate: [] });
    expect(reached(chain.hops).at(-1)).toEqual(["ratings-v1 100%"]);
  });

  it("Gateway API routes have no source match: bob's pods calling ratings with nothing reach the baseline", () => {
    expect(reached(trace(GAMMA, request("ratings", "bob", "source")).hops)).toEqual([["ratings-v1 100%"]]);
  });
});

describe("trace ids as a property", () => {
  const ids = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
  const hex32 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString("hex"));

  it("a random trace id (not minted) routes to no fork, in either flavour", () => {
    const prefixes = ["alice", "bob", "carol"].map(traceIdPrefix);
    fc.assert(
      fc.property(hex32, fc.uint8Array({ minLength: 8, maxLength: 8 }), (traceId, span) => {
        fc.pre(!prefixes.some((p) => traceId.startsWith(p)));
        const spanId = Buffer.from(span).toString("hex");
        for (const objects of [ISTIO, GAMMA]) {
          const r: TraceRequest = { host: "ratings", headers: { traceparent: `00-${traceId}-${spanId}-01`, "x-b3-traceid": traceId }, from: { mesh: { namespace: "bookshop" } }, defaultNamespace: "bookshop" };
          expect(reached(trace(objects, r).hops)).toEqual([["ratings-v1 100%"]]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("ids minted for one fork reach its copy and never another fork's, in either flavour", () => {
    // Who forks ratings: alice and bob in carriers-istio; alice only in carriers-gamma (carol
    // forks the product page there), so carol's and bob's ids must stay on the baseline.
    const cases: [unknown[], string, string][] = [
      [ISTIO, "alice", "ratings-v1-alice"],
      [ISTIO, "bob", "ratings-v1-bob"],
      [ISTIO, "carol", "ratings-v1"],
      [GAMMA, "alice", "ratings-v1-alice"],
      [GAMMA, "bob", "ratings-v1"],
      [GAMMA, "carol", "ratings-v1"],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.uint8Array({ minLength: 16, maxLength: 16 }), ([objects, id, want], bytes) => {
        const t = mintTrace(id, bytes);
        for (const headers of [{ traceparent: t.traceparent }, { "x-b3-traceid": t.traceId }] as Record<string, string>[]) {
          const r: TraceRequest = { host: "ratings", headers, from: { mesh: { namespace: "bookshop" } }, defaultNamespace: "bookshop" };
          expect(reached(trace(objects, r).hops)).toEqual([[`${want} 100%`]]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("ids minted for any fork match its own regexes and no other fork's", () => {
    fc.assert(
      fc.property(ids, ids, fc.uint8Array({ minLength: 16, maxLength: 16 }), (a, b, bytes) => {
        fc.pre(a !== b);
        const t = mintTrace(a, bytes);
        expect(fullMatch(traceparentRegex(traceIdPrefix(a)), t.traceparent)).toBe(true);
        expect(fullMatch(b3TraceIdRegex(traceIdPrefix(a)), t.traceId)).toBe(true);
        expect(fullMatch(traceparentRegex(traceIdPrefix(b)), t.traceparent)).toBe(false);
        expect(fullMatch(b3TraceIdRegex(traceIdPrefix(b)), t.traceId)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
