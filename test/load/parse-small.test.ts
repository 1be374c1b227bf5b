// parseSmall (js-yaml when a fork file or kubefork.yaml is plain) must be indistinguishable from
// parsePositioned (the `yaml` package): same documents, values, indexes, first lines, problems,
// and positions of every field. Checked on every fork and manager file of the fixtures and corpus
// and on hand-written edge cases.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePositioned, parseSmall } from "../../src/load/documents.ts";
import type { SourceDoc, TextFile } from "../../src/model/source.ts";
import type { PathSegment } from "../../src/problems.ts";

import { forkAndManagerFiles } from "../helpers/inprocess.ts";

const ROOT = join(import.meta.dirname, "../..");

/** Every path of a value, fields and list items, and one absent field under each mapping. */
function paths(v: unknown, at: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
    out.push([...at, "absent"]);
  }
  return out;
}

function view(docs: SourceDoc[]) {
  return docs.map((d) => ({ file: d.file, index: d.index, line: d.line, value: d.value, positions: paths(d.value).map((p) => [p.join("."), d.locate(p)]) }));
}

function same(file: TextFile) {
  const slow = parsePositioned(file);
  const fast = parseSmall(file);
  expect(fast.problems).toEqual(slow.problems);
  expect(view(fast.docs)).toEqual(view(slow.docs));
}

describe("parseSmall = parsePositioned", () => {
  const files = forkAndManagerFiles();
  it("finds the fixtures' files", () => expect(files.length).toBeGreaterThan(10));
  it.each(files.map((f) => [f]))("%s", (f) => same({ path: f, text: readFileSync(join(ROOT, f), "utf8") }));

  it.each([
    ["plain", "a: 1\nb:\n  - c: 'x'\n    d: \"y\"\n"],
    ["comments and a leading marker", "# head\n---\n# c\na: 1 # tail\n"],
    ["two documents", "a: 1\n---\nb: 2\n"],
    ["an empty document between", "a: 1\n---\n---\nb: 2\n"],
    ["a trailing marker", "a: 1\n---\n"],
    ["only comments", "# nothing\n"],
    ["empty", ""],
    ["null document", "~\n"],
    ["scalars of the core schema", "a: 0o17\nb: 0x1F\nc: .inf\nd: .nan\ne: 1e3\nf: 1_000\ng: True\nh: yes\ni: 2030-01-01T00:00:00Z\nj: null\n"],
    ["block scalars", "a: |\n  x\n\n  y\nb: >-\n  p\n  q\n"],
    ["flow collections", "a: {b: 1, c: [2, 3]}\n"],
    ["duplicate key", "a: 1\nb: 2\na: 3\n"],
    ["bad indentation", "a:\n  b: 1\n c: 2\n"],
    ["unclosed bracket", "a: [1, 2\nb: 3\n"],
    ["tab indentation", "a:\n\tb: 1\n"],
    ["anchor and alias", "a: &x {b: 1}\nc: *x\n"],
    ["tag", "a: !!str 1\n"],
    ["complex key", "? [a]\n: 1\n"],
    ["directive", "%YAML 1.2\n---\na: 1\n"],
    ["document end marker", "a: 1\n...\nb: 2\n"],
    ["content on the marker line", "--- {a: 1}\n"],
    ["stars and ampersands in plain scalars", "image: registry/*:tag\nv: a&b\n"],
    ["CRLF", "a: 1\r\nb:\r\n  c: 2\r\n"],
    ["null key", "~: 1\n"],
    ["numeric keys", "1: a\n0x10: b\n"],
    ["quoted keys", "\"a\": 1\n'b': 2\n"],
    ["multi-line plain scalar", "a: x\n  y\n"],
    ["too deep", `${"[".repeat(120)}${"]".repeat(120)}\n`],
  ])("%s", (_n, text) => same({ path: "forks/x.yaml", text }));
});
