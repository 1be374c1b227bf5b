// The import graph of src/: no cycle between folders, and every import points down the pipeline
// (files → documents → plan → generated objects → bytes; cli on top). Parsed with TypeScript's own
// pre-processor, so `import type`, multi-line imports, re-exports and `await import()` all count.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layers of src/, lowest first. A folder (or a file at the top of src/, by its name) may import
 * from its own folder and from folders of a LOWER layer only; two folders of one layer know nothing
 * of each other. A new folder must be placed here before it can be imported.
 *
 * - util, codes: no imports of ours; problems: Problem values and their codes.
 * - model: zod schemas, their types and the types every step shares (inputs, source documents, limits).
 * - load: app directory text → positioned documents → typed inputs.
 * - plan: every decision, made once, over the base index.
 * - generate: one pure module per output, (plan, base) → objects.
 * - policy: the ForkManager's guard rails over the plan and the generated copies.
 * - emit: canonical order and the printers.
 * - render: the pipeline as one list of steps.
 * - commit-key: what names a render cache entry (key, partition, window); light, so that a render
 *   served from the cache initialises it and not the pipeline.
 * - commit: every partition of one commit from one pass.
 * - trace, review: what the review commands compute from a render.
 * - cli: the only place that touches disk, environment and exit codes.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["util", "codes"],
  ["problems"],
  ["model"],
  ["load"],
  ["plan"],
  ["generate"],
  ["policy"],
  ["emit"],
  ["render"],
  ["commit-key"],
  ["commit"],
  ["trace"],
  ["review"],
  ["cli"],
];

/**
 * Imports that still point up, each with the work that removes it. The test fails when one of
 * them is gone too, so that the entry goes with it.
 */
const KNOWN_UPWARD: readonly { from: string; to: string; why: string }[] = [
];

export type Graph = ReadonlyMap<string, readonly string[]>;

/** `src/plan/plan.ts` → `plan`; `src/render.ts` → `render`. */
export function unitOf(file: string): string {
  const parts = relative("src", file).split("/");
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, "");
}

export function readGraph(root = "src"): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".ts")) {
        const imported = ts.preProcessFile(readFileSync(p, "utf8"), true, true).importedFiles.map((i) => i.fileName);
        graph.set(p, imported.filter((n) => n.startsWith(".")).map((n) => normalize(join(dirname(p), n))));
      }
    }
  };
  walk(root);
  return graph;
}

/** Folder-level cycles, each as the folders along it (`["load", "plan", "load"]`). */
export function folderCycles(graph: Graph): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const [from, tos] of graph) {
    for (const to of tos) {
      const [a, b] = [unitOf(from), unitOf(to)];
      if (a !== b) (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
    }
  }
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (u: string, stack: string[]): void => {
    const at = stack.indexOf(u);
    if (at >= 0) {
      cycles.push([...stack.slice(at), u]);
      return;
    }
    if (done.has(u)) return;
    for (const v of [...(edges.get(u) ?? [])].sort()) visit(v, [...stack, u]);
    done.add(u);
  };
  for (const u of [...edges.keys()].sort()) visit(u, []);
  return cycles;
}

/** Imports from a folder to one of its own layer or a higher one, as `from -> to`. */
export function upwardImports(graph: Graph, layers: readonly (readonly string[])[]): { from: string; to: string }[] {
  const rank = new Map<string, number>();
  layers.forEach((units, i) => units.forEach((u) => rank.set(u, i)));
  const out: { from: string; to: string }[] = [];
  for (const [from, tos] of graph) {
    for (const to of tos) {
      const [a, b] = [unitOf(from), unitOf(to)];
      if (a === b) continue;
      const [ra, rb] = [rank.get(a), rank.get(b)];
      if (ra === undefined || rb === undefined || rb >= ra) out.push({ from, to });
    }
  }
  return out;
}

describe("the import graph of src/", () => {
  const graph = readGraph();

  it("reads every import, type-only and dynamic ones too", () => {
    expect(graph.get("src/cli/program.ts")).toContain("src/cli/render.ts"); // await import("./render.ts")
    expect(graph.get("src/generate/types.ts")).toContain("src/model/inputs.ts"); // import type
  });

  it("places every folder in a layer", () => {
    const placed = new Set(LAYERS.flat());
    expect([...new Set([...graph.keys()].map(unitOf))].filter((u) => !placed.has(u))).toEqual([]);
  });

  it("has no cycle between folders", () => {
    expect(folderCycles(graph).map((c) => c.join(" -> "))).toEqual([]);
  });

  it("imports only down the pipeline", () => {
    const up = upwardImports(graph, LAYERS).map((e) => `${e.from} -> ${e.to}`);
    const known = KNOWN_UPWARD.map((k) => `${k.from} -> ${k.to}`);
    expect(up.filter((e) => !known.includes(e))).toEqual([]);
    // A known exception that is gone is taken off the list.
    expect(known.filter((e) => !up.includes(e))).toEqual([]);
  });

  it("the checks find a cycle and an upward import (on a made-up graph)", () => {
    const made: Graph = new Map([
      ["src/load/a.ts", ["src/plan/b.ts"]],
      ["src/plan/b.ts", ["src/load/c.ts"]],
      ["src/load/c.ts", []],
      ["src/util/d.ts", ["src/codes.ts"]],
    ]);
    expect(folderCycles(made)).toEqual([["load", "plan", "load"]]);
    expect(upwardImports(made, LAYERS)).toEqual([
      { from: "src/load/a.ts", to: "src/plan/b.ts" },
      { from: "src/util/d.ts", to: "src/codes.ts" },
    ]);
  });
});
