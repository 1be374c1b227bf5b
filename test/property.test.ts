// Property tests of the SPEC invariants over random topologies and forks (fast-check, fixed seed).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderFiles } from "./helpers/inprocess.ts";
import { checkInvariants } from "./helpers/invariants.ts";
import { parseStream, keyOf } from "./helpers/stream.ts";
import { appFiles, forksOf, topology, withoutForks } from "./helpers/topology.ts";

const SEED = Number(process.env.PROPERTY_SEED ?? 20261123);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
const params = { seed: SEED, numRuns: RUNS };
const app = topology.chain((t) => fc.record({ t: fc.constant(t), forks: forksOf(t), baggage: fc.boolean() }));

describe("render invariants (property)", () => {
  it("renders, and the output holds the SPEC invariants against its base", () => {
    fc.assert(
      fc.property(app, ({ t, forks, baggage }) => {
        const files = appFiles(t, forks, { baggage });
        const r = renderFiles(files);
        expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
        const base = renderFiles(withoutForks(files));
        expect(checkInvariants(parseStream(base.text), parseStream(r.text), { defaultNamespace: "default" })).toEqual([]);
      }),
      params,
    );
  });

  it("is deterministic whatever the order of the fork files", () => {
    fc.assert(
      fc.property(app, fc.func(fc.integer()), ({ t, forks }, rank) => {
        const files = appFiles(t, forks);
        const a = renderFiles(files);
        const b = renderFiles(files, { forkOrder: (ps) => [...ps].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : 1)) });
        const c = renderFiles(files, { forkOrder: (ps) => [...ps].reverse() });
        expect(b.text).toBe(a.text);
        expect(c.text).toBe(a.text);
      }),
      params,
    );
  });

  it("with every fork removed, the output is the base", () => {
    fc.assert(
      fc.property(app, ({ t }) => {
        const files = appFiles(t, []);
        const r = renderFiles(files);
        const base = Object.entries(files)
          .filter(([p]) => p.startsWith("base/"))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .flatMap(([, text]) => parseStream(text));
        expect(parseStream(r.text)).toEqual(base);
      }),
      params,
    );
  });

  it("--fork ID for every fork and --shared partition the render: disjoint, and their union is the render", () => {
    fc.assert(
      fc.property(app, ({ t, forks }) => {
        const files = appFiles(t, forks);
        const all = parseStream(renderFiles(files).text).map(keyOf);
        const parts = [
          parseStream(renderFiles(files, { scope: { kind: "shared" } }).text).map(keyOf),
          ...forks.map((f) => parseStream(renderFiles(files, { scope: { kind: "fork", id: f.id } }).text).map(keyOf)),
        ];
        const union = parts.flat();
        expect(new Set(union).size).toBe(union.length);
        expect([...union].sort()).toEqual([...all].sort());
      }),
      params,
    );
  });

  it("no base Service or workload selects fork pods, and one mesh VirtualService claims each host", () => {
    // Covered by checkInvariants above; this property stresses many forks on one service.
    fc.assert(
      fc.property(topology, fc.integer({ min: 2, max: 6 }), (t, n) => {
        const forks = Array.from({ length: n }, (_, i) => ({ id: `f${i}`, workloads: [{ service: 0, version: 1, replicas: 1, image: false }] }));
        const files = appFiles(t, forks);
        const r = renderFiles(files);
        expect(r.ok).toBe(true);
        expect(checkInvariants(parseStream(renderFiles(withoutForks(files)).text), parseStream(r.text))).toEqual([]);
      }),
      params,
    );
  });
});
