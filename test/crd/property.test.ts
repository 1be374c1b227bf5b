// Every object kubefork renders from random topologies and forks (test/helpers/topology.ts) is one
// the API server accepts with the official CRDs installed (test/crd/), in both mesh flavours.
import fc from "fast-check";
import { dump } from "js-yaml";
import { describe, expect, it } from "vitest";
import { renderFiles } from "../helpers/inprocess.ts";
import { validateObjects } from "../helpers/schemas.ts";
import { parseStream } from "../helpers/stream.ts";
import { appFiles, forksOf, topology } from "../helpers/topology.ts";

const SEED = Number(process.env.PROPERTY_SEED ?? 20261123);
// Half of the invariant properties' runs per flavour: each run renders and checks every object.
const RUNS = Math.ceil(Number(process.env.PROPERTY_RUNS ?? 100) / 2);

function manager(routing: "istio" | "gateway-api", baggage: boolean): string {
  return dump({ apiVersion: "kubefork.dev/v1alpha1", kind: "ForkManager", metadata: { name: "prop" }, spec: { routing, ...(baggage ? { baggage: "kubefork" } : {}) } });
}

describe.each(["istio", "gateway-api"] as const)("CRD validity of random renders, routing: %s", (routing) => {
  // Under gateway-api the base has no VirtualService: a host with one is routed by extending it.
  const base = routing === "istio" ? topology : topology.map((t) => ({ ...t, services: t.services.map((s) => ({ ...s, vs: null })) }));
  const app = base.chain((t) => fc.record({ t: fc.constant(t), forks: forksOf(t), baggage: fc.boolean() }));

  it("every rendered object passes its schema and CEL rules", () => {
    let checked = 0;
    fc.assert(
      fc.property(app, ({ t, forks, baggage }) => {
        const files = { ...appFiles(t, forks, { baggage }), "kubefork.yaml": manager(routing, baggage) };
        const r = renderFiles(files);
        expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
        const objects = parseStream(r.text);
        expect(validateObjects(objects)).toEqual({ errors: [], unknown: [] });
        checked += objects.filter((o) => /istio\.io|gateway\.networking/.test(String(o.apiVersion))).length;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(checked).toBeGreaterThan(RUNS);
  });
});
