// Every partition src/commit.ts derives from one pass equals the render of that scope from scratch:
// the same objects and the same problems, over every fixture app and random topologies. This is
// what lets the render cache serve `render --fork` from the shared render's pass.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readApp } from "../src/cli/app-dir.ts";
import { partitionName, renderCommit, validityWindow, inWindow } from "../src/commit.ts";
import { render, type RenderInput, type Scope } from "../src/render.ts";
import { ROOT } from "./helpers/cli.ts";
import { loadFiles } from "./helpers/inprocess.ts";
import { appFiles, forksOf, topology } from "./helpers/topology.ts";

const NOWS = ["2026-11-23T12:00:00Z", "2026-11-19T00:00:00Z", "2027-06-01T00:00:00Z"].map(Date.parse);

/** Checks every derived partition against render(); returns how many were derived. */
function checkDerived(input: RenderInput, now: number): number {
  const opts = { now, defaultNamespace: "default" };
  const derived = renderCommit(input, opts);
  const scopes: Scope[] = [{ kind: "shared" }, ...input.forks.map((f): Scope => ({ kind: "fork", id: f.id }))];
  for (const scope of scopes) {
    const d = derived.get(partitionName(scope));
    if (!d) continue;
    const fresh = render(input, { ...opts, scope });
    expect(JSON.stringify(d.objects), partitionName(scope)).toBe(JSON.stringify(fresh.objects));
    expect(d.problems, partitionName(scope)).toEqual(fresh.problems);
  }
  return derived.size;
}

describe("renderCommit", () => {
  const fixtures = readdirSync(join(ROOT, "fixtures")).filter((d) => !d.startsWith("."));
  it.each(fixtures)("derives the partitions of fixtures/%s as render gives them", async (name) => {
    const app = await readApp(join(ROOT, "fixtures", name, "app"));
    const input = { manager: app.manager!, base: app.base, forks: app.forks, forkProblems: app.forkProblems, forkFiles: app.forkFiles };
    let derived = 0;
    for (const now of NOWS) derived += checkDerived(input, now);
    expect(derived).toBeGreaterThan(0);
  });

  it("derives the partitions of random topologies as render gives them", () => {
    const app = topology.chain((t) => fc.record({ t: fc.constant(t), forks: forksOf(t) }));
    fc.assert(
      fc.property(app, ({ t, forks }) => {
        const { input, problems } = loadFiles(appFiles(t, forks));
        expect(problems).toEqual([]);
        checkDerived(input!, NOWS[0]!);
      }),
      { seed: 20261202, numRuns: 40 },
    );
  });

  it("gives a window that ends at the next expiry and starts at the last one (and at maxLifetime's edges)", async () => {
    const app = await readApp(join(ROOT, "fixtures/bookshop/app"));
    const now = Date.parse("2026-11-23T12:00:00Z");
    const w = validityWindow(app.manager!.manager, app.forks, now);
    const instants = app.forks.flatMap((f) => (f.fork.spec.expires ? [Date.parse(f.fork.spec.expires), Date.parse(f.fork.spec.expires) - 720 * 3_600_000] : []));
    expect(w.from).toBe(Math.max(...instants.filter((t) => t <= now)));
    expect(w.to).toBe(Math.min(...instants.filter((t) => t > now)));
    expect(inWindow(w, now)).toBe(true);
    expect(inWindow(w, w.to!)).toBe(false);
    expect(inWindow(w, w.from! - 1)).toBe(false);
  });
});
