// The positions of plain fork files and kubefork.yaml come from js-yaml's events
// (src/load/event-positions.ts) before the `yaml` package is asked: each one given must be the
// `yaml` package's (parsePositioned), and they must answer nearly every field (else the slow
// re-parse is still paid, about 1.3 s for a 1 MB fork file).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePositioned } from "../../src/load/documents.ts";
import { eventLocator } from "../../src/load/event-positions.ts";
import type { PathSegment } from "../../src/problems.ts";

import { forkAndManagerFiles } from "../helpers/inprocess.ts";

const ROOT = join(import.meta.dirname, "../..");

/** Every path of a value, one absent field under each mapping, one item past each list, one step below each scalar. */
function paths(v: unknown, at: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(at);
  if (Array.isArray(v)) {
    v.forEach((x, i) => paths(x, [...at, i], out));
    out.push([...at, v.length]);
  } else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
    out.push([...at, "absent"]);
  } else out.push([...at, "below"]);
  return out;
}

describe("positions from js-yaml's events", () => {
  const files = forkAndManagerFiles().map((f) => ({ path: f, text: readFileSync(join(ROOT, f), "utf8") }));
  const cases = [
    ...files,
    { path: "forks/x.yaml", text: 'a: 1\nb:\n  - c: \'x\'\n    d: "y"\n  - [1, {e: 2}]\n"q": r\n1: one\n0x10: hex\nyes: bool\nl: |\n  block\nm:\nn: [a, "b", \'c\']\n' },
    { path: "forks/x.yaml", text: "# head\n---\na: 1\n---\nb: {c: [d]}\n" },
    { path: "forks/x.yaml", text: "a: 1\r\nb:\r\n  c: 2\r\n" },
    // Long lists and mappings, indexed on their first lookup.
    {
      path: "forks/long.yaml",
      text: `metadata:\n  labels:\n${Array.from({ length: 300 }, (_, k) => `    l${k}: v\n`).join("")}spec:\n  patches:\n${Array.from({ length: 300 }, (_, k) => `    - {op: add, path: /metadata/labels/l${k}, value: [${k}]}\n`).join("")}`,
    },
  ];
  it.each(cases.map((c) => [c.path, c] as const))("%s", (_p, file) => {
    const slow = parsePositioned(file).docs;
    const fast = eventLocator(file.text);
    let answered = 0;
    let asked = 0;
    slow.forEach((d, i) => {
      for (const p of paths(d.value)) {
        asked++;
        const got = fast(i, p);
        if (!got) continue;
        answered++;
        expect([p.join("."), got]).toEqual([p.join("."), d.locate(p)]);
      }
    });
    // Block scalars and empty values are left to the `yaml` package; everything else is answered.
    expect(answered).toBeGreaterThanOrEqual(asked * 0.8);
  });
});
