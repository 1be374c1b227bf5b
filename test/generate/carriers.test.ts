// The carriers as routing: the regexes against real header values (evaluated as RE2 whole-value
// matches, as Envoy does), the Istio fragments, and the checks over all forks.
import { describe, expect, it } from "vitest";
import { andIstioMatch, b3TraceIdRegex, carrierProblems, forkHeaderOps, gatewayHeaderMatches, istioFragments, tracestateRegex, traceparentRegex, withEmissaryHeaderOps, withGatewayHeaderOps, withIstioHeaderOps } from "../../src/generate/carriers.ts";
import { carriersOf, traceIdPrefix } from "../../src/model/carriers.ts";
import type { ForkPlan } from "../../src/plan/plan.ts";
import { fullMatch } from "../../src/trace/match.ts";

const all = carriersOf({ header: "x-fork-identifier", carriers: ["header", "baggage", "tracestate", "traceId", "source"] });

describe("tracestate regex", () => {
  it.each([
    ["kubefork=alice", true],
    ["rojo=00f067aa0ba902b7,kubefork=alice", true],
    ["kubefork=alice,congo=t61rcWkgMzE", true],
    ["rojo=x, \tkubefork=alice \t, congo=y", true],
    ["rojo=x,kubefork=alice2", false],
    ["rojo=x,xkubefork=alice", false],
    ["vendor@kubefork=alice", false],
    ["kubefork=bob,other=alice", false],
    ["", false],
  ])("%j → %s", (value, want) => expect(fullMatch(tracestateRegex("alice"), value)).toBe(want));
});

describe("trace-id regexes", () => {
  const p = traceIdPrefix("alice");
  const id = `${p}0123456789abcdef`;
  it.each([
    [`00-${id}-00f067aa0ba902b7-01`, true],
    [`00-${id}-00f067aa0ba902b7-03`, true],
    [`01-${id}-00f067aa0ba902b7-01-future`, true],
    [`ff-${id}-00f067aa0ba902b7-01`, false],
    [`00-${id.toUpperCase()}-00f067aa0ba902b7-01`, false],
    [`00-${traceIdPrefix("bob")}0123456789abcdef-00f067aa0ba902b7-01`, false],
    [`00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01`, false],
    [`00-${id}0-00f067aa0ba902b7-01`, false],
  ])("traceparent %s → %s", (value, want) => expect(fullMatch(traceparentRegex(p), value)).toBe(want));

  it.each([
    [id, true],
    [`${p}0123456789abcde`, false],
    [p, false],
    [`0123456789abcdef${p}`, false],
  ])("x-b3-traceid %s → %s", (value, want) => expect(fullMatch(b3TraceIdRegex(p), value)).toBe(want));
});

describe("Istio fragments", () => {
  it("one per carrier, source only where sidecars route", () => {
    const mesh = istioFragments(all, "alice", { mesh: true });
    expect(mesh.map((f) => Object.keys(f.headers ?? f.sourceLabels ?? {})[0])).toEqual(["x-fork-identifier", "baggage", "tracestate", "traceparent", "x-b3-traceid", "kubefork.dev/fork"]);
    expect(mesh.at(-1)).toEqual({ sourceLabels: { "kubefork.dev/fork": "alice" } });
    expect(istioFragments(all, "alice", { mesh: false })).toHaveLength(5);
  });

  it("ANDs into base blocks; a block that lists gateways gets no source block (istiod would ignore the labels)", () => {
    const f = istioFragments(carriersOf({ header: "h", carriers: ["header", "source"] }), "alice", { mesh: true });
    expect(andIstioMatch([{ uri: { prefix: "/a" }, sourceLabels: { app: "x" } }, { gateways: ["mesh"], uri: { prefix: "/b" } }], f)).toEqual([
      { uri: { prefix: "/a" }, sourceLabels: { app: "x" }, headers: { h: { exact: "alice" } } },
      { uri: { prefix: "/a" }, sourceLabels: { app: "x", "kubefork.dev/fork": "alice" } },
      { gateways: ["mesh"], uri: { prefix: "/b" }, headers: { h: { exact: "alice" } } },
    ]);
    expect(andIstioMatch(undefined, f)).toEqual([{ headers: { h: { exact: "alice" } } }, { sourceLabels: { "kubefork.dev/fork": "alice" } }]);
  });
});

describe("Gateway API header matches and per-fork host headers", () => {
  it("no match for source; the header set, list entries appended", () => {
    expect(gatewayHeaderMatches(all, "alice").map((m) => `${m.type} ${m.name}`)).toEqual([
      "Exact x-fork-identifier",
      "RegularExpression baggage",
      "RegularExpression tracestate",
      "RegularExpression traceparent",
      "RegularExpression x-b3-traceid",
    ]);
    expect(forkHeaderOps(all, "alice")).toEqual({ set: [["x-fork-identifier", "alice"]], append: [["baggage", "kubefork=alice"], ["tracestate", "kubefork=alice"]] });
  });
});

describe("carrierProblems", () => {
  const plan = (id: string) => ({ id, file: `forks/${id}.yaml`, loaded: { doc: { locate: () => ({ line: 4, column: 9 }) } } }) as unknown as ForkPlan;
  it("two forks with one prefix are an error at the second (by identifier); an all-zero prefix too", () => {
    const prefixes: Record<string, string> = { alice: "1111111111111111", bob: "1111111111111111", carol: "0000000000000000", dave: "2222222222222222" };
    const problems = carrierProblems(all, [plan("bob"), plan("alice"), plan("carol"), plan("dave")], (id) => prefixes[id]!);
    expect(problems.map((p) => [p.file, p.line, p.path, p.code, p.message])).toEqual([
      ["forks/bob.yaml", 4, "metadata.name", "KF5005", "the trace-id prefix of fork 'bob' (1111111111111111) is the same as fork 'alice''s: a trace id minted for one would route to the other (carrier traceId)"],
      ["forks/carol.yaml", 4, "metadata.name", "KF5004", "the trace-id prefix of fork 'carol' (0000000000000000) cannot route: it is all zeros, the high half of every 64-bit trace id padded to 128 bits"],
    ]);
    expect(carrierProblems(carriersOf({ header: "h" }), [plan("bob"), plan("alice")], (id) => prefixes[id]!)).toEqual([]);
  });

  it("a baggage regex over istiod's 1,024 characters is an error", () => {
    const long = carriersOf({ header: "h", baggage: "k".repeat(1000), carriers: ["header", "baggage"] });
    expect(carrierProblems(long, [plan("alice")]).map((p) => [p.code, p.message])).toEqual([["KF5006", expect.stringContaining("Istio accepts at most 1024")]]);
  });
});

describe("per-fork host header operations", () => {
  const ops = forkHeaderOps(all, "alice");
  it("Istio: the header set (out of add/remove), list entries joined to the route's own set or add", () => {
    expect(withIstioHeaderOps({ request: { set: { baggage: "a=1" }, add: { "x-fork-identifier": "z", tracestate: "v=2" }, remove: ["X-Fork-Identifier", "baggage"] }, response: { set: { k: "v" } } }, ops)).toEqual({
      request: { set: { baggage: "a=1,kubefork=alice", "x-fork-identifier": "alice" }, add: { tracestate: "v=2,kubefork=alice" }, remove: ["baggage"] },
      response: { set: { k: "v" } },
    });
    expect(withIstioHeaderOps(undefined, ops)).toEqual({ request: { set: { "x-fork-identifier": "alice" }, add: { baggage: "kubefork=alice", tracestate: "kubefork=alice" } } });
  });

  it("Gateway API: one RequestHeaderModifier per rule, names unique in each list", () => {
    const f = withGatewayHeaderOps(
      [{ type: "URLRewrite", urlRewrite: {} }, { type: "RequestHeaderModifier", requestHeaderModifier: { add: [{ name: "Baggage", value: "a=1" }], remove: ["x-fork-identifier"] } }],
      ops,
    );
    expect(f).toEqual([
      { type: "URLRewrite", urlRewrite: {} },
      { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-fork-identifier", value: "alice" }], add: [{ name: "Baggage", value: "a=1,kubefork=alice" }, { name: "tracestate", value: "kubefork=alice" }] } },
    ]);
  });

  it("Emissary: the header {append: false}, list entries appended (joined to the Mapping's own)", () => {
    expect(withEmissaryHeaderOps({ "X-Fork-Identifier": "z", baggage: { value: "a=1", append: false }, other: "1" }, ops)).toEqual({
      other: "1",
      "x-fork-identifier": { value: "alice", append: false },
      baggage: { value: "a=1,kubefork=alice", append: false },
      tracestate: { value: "kubefork=alice", append: true },
    });
  });
});
