// spec.carriers: the schema's rules, the defaults, the trace-id prefix and minted trace contexts.
import { describe, expect, it } from "vitest";
import { loadManager } from "../../src/load/app.ts";
import { carriersOf, mintTrace, TRACE_ID_PREFIX_HEX, traceIdOfTraceparent, traceIdPrefix, unusablePrefix } from "../../src/model/carriers.ts";

/** kubefork.yaml with these spec lines (indented here): spec's first line is line 5. */
const manager = (spec: string) =>
  loadManager({ path: "kubefork.yaml", text: `apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: t}\nspec:\n${spec.replace(/^(?=.)/gm, "  ")}` });

describe("spec.carriers", () => {
  it.each([
    ["header: x-fork-identifier\n", ["header"], undefined],
    ["baggage: kubefork\n", ["header", "baggage"], "kubefork"],
    ["carriers: [traceId, header]\n", ["header", "traceId"], undefined],
    ["carriers: [source, tracestate, baggage, header, traceId]\n", ["header", "baggage", "tracestate", "traceId", "source"], "kubefork"],
    ["baggage: ctx\ncarriers: [header, baggage]\n", ["header", "baggage"], "ctx"],
    // Whether `source` applies is decided per host at render time (the plan's flavour), not here.
    ["routing: gateway-api\ncarriers: [header, source]\n", ["header", "source"], undefined],
  ])("%j → %j", (spec, carriers, baggageKey) => {
    const m = manager(spec);
    expect(m.problems).toEqual([]);
    const cs = carriersOf(m.manager!.manager.spec);
    expect(cs.carriers).toEqual(carriers);
    expect(cs.baggageKey).toBe(baggageKey);
  });

  it.each([
    ["carriers: [header, header]\n", 5, "spec.carriers[1]", "carrier 'header' is listed twice"],
    ["carriers: [baggage]\n", 5, "spec.carriers", "must include 'header'"],
    ["baggage: kubefork\ncarriers: [header]\n", 5, "spec.baggage", "does not list 'baggage'"],
    ["carriers: [header, spanId]\n", 5, "spec.carriers[1]", ""],
  ])("%j is an error at line %i, %s", (spec, line, path, text) => {
    const m = manager(spec);
    expect(m.manager).toBeUndefined();
    expect(m.problems.map((p) => ({ file: p.file, path: p.path, severity: p.severity }))).toContainEqual({ file: "kubefork.yaml", path, severity: "error" });
    const p = m.problems.find((x) => x.path === path)!;
    expect(p.line).toBe(line);
    expect(p.message).toContain(text);
  });
});

describe("trace ids", () => {
  it("a fork's prefix is 64 bits of sha256 of its identifier, stable across runs", () => {
    expect(TRACE_ID_PREFIX_HEX).toBe(16);
    expect(traceIdPrefix("alice")).toMatch(/^[0-9a-f]{16}$/);
    expect(traceIdPrefix("alice")).toBe(traceIdPrefix("alice"));
    expect(traceIdPrefix("alice")).not.toBe(traceIdPrefix("bob"));
    // Pinned: a change would move every fork's trace ids (and break ids minted before it).
    expect(traceIdPrefix("alice")).toBe("d11c40d84013845a");
  });

  it("an all-zero prefix cannot be a fork's (64-bit ids padded to 128 bits start with it)", () => {
    expect(unusablePrefix("0000000000000000")).toContain("all zeros");
    expect(unusablePrefix("0000000000000001")).toBeUndefined();
  });

  it("mints W3C traceparents under the prefix, with the random half and span id from the bytes given", () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const t = mintTrace("alice", bytes);
    expect(t.traceId).toBe(`${traceIdPrefix("alice")}0011223344556677`);
    expect(t.spanId).toBe("8899aabbccddeeff");
    expect(t.traceparent).toBe(`00-${t.traceId}-8899aabbccddeeff-03`);
    expect(traceIdOfTraceparent(t.traceparent)).toBe(t.traceId);
    // An all-zero span id is invalid (W3C): never minted.
    expect(mintTrace("alice", new Uint8Array(16)).spanId).toBe("0000000000000001");
  });

  it.each([
    ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "0af7651916cd43dd8448eb211c80319c"],
    ["01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", "0af7651916cd43dd8448eb211c80319c"],
    ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", undefined],
    ["ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", undefined],
    ["00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", undefined],
    ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01", undefined],
  ])("traceIdOfTraceparent(%s) = %s", (tp, id) => {
    expect(traceIdOfTraceparent(tp)).toBe(id);
  });
});
