import { describe, expect, it } from "vitest";
import { parseFast, parsePositioned, splitDocuments } from "../../src/load/documents.ts";
import { loadBase } from "../../src/load/app.ts";
import { globToRegExp } from "../../src/load/glob.ts";

describe("splitDocuments", () => {
  it.each([
    ["one document", "a: 1\n", [[0, 1]]],
    ["leading marker", "---\na: 1\n", [[0, 2]]],
    ["comments before the first marker are not a document", "# c\n---\na: 1\n---\nb: 2\n", [[0, 3], [1, 5]]],
    ["empty documents count", "a: 1\n---\n---\nb: 2\n", [[0, 1], [2, 4]]],
    ["content on the marker line", "--- {a: 1}\n--- b: 2\n", [[0, 1], [1, 2]]],
    ["document end marker", "a: 1\n...\nb: 2\n", [[0, 1], [1, 3]]],
    ["--- inside a block scalar is indented, so not a marker", "a: |\n  ---\n  x\n", [[0, 1]]],
  ])("%s", (_n, text, expected) => expect(splitDocuments(text).map((c) => [c.index, c.line])).toEqual(expected));
});

describe("positions", () => {
  const text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: x\n";
  it("base documents know their first line, and a field's line is found on demand", () => {
    const { docs } = parseFast({ path: "base/x.yaml", text });
    expect(docs.map((d) => [d.index, d.line])).toEqual([[0, 1], [1, 7]]);
    expect(docs[1]!.locate(["spec", "template", "spec", "containers", 0, "image"])).toEqual({ line: 16, column: 11 });
  });

  it("malformed YAML names the file and line, also on the fast path", () => {
    const r = parseFast({ path: "base/x.yaml", text: "a: 1\n---\nb: [1, 2\nc: 3\n" });
    // the parser notices the unclosed bracket on the next line
    expect(r.problems.map((p) => [p.file, p.line])).toEqual([["base/x.yaml", 4]]);
  });

  it("duplicate keys are errors", () => {
    const r = parsePositioned({ path: "f.yaml", text: "a: 1\na: 2\n" });
    expect(r.problems.map((p) => [p.line, p.message])).toEqual([[2, "malformed YAML: Map keys must be unique"]]);
  });

  it("JSON files: one object or an array; errors with line", () => {
    expect(parseFast({ path: "x.json", text: '[{"a":1},{"b":2}]' }).docs.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parseFast({ path: "x.json", text: '{\n "a": 1,\n}' }).problems[0]!.line).toBe(3);
  });
});

describe("base", () => {
  it("expands kind: List and refuses non-objects and kustomizations", () => {
    const r = loadBase([
      { path: "a.yaml", text: "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n" },
      { path: "b.yaml", text: "just: data\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata: {name: k}\n" },
    ]);
    expect(r.manifests.map((m) => m.object.metadata.name)).toEqual(["a", "b"]);
    expect(r.problems.map((p) => [p.file, p.line, p.message])).toEqual([
      ["b.yaml", 1, "not a Kubernetes object: missing apiVersion, kind, metadata.name"],
      ["b.yaml", 4, "a kustomization file is not a manifest"],
    ]);
  });

  it("an object defined twice", () => {
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\n";
    const r = loadBase([{ path: "a.yaml", text: cm }, { path: "b.yaml", text: cm }]);
    expect(r.problems.map((p) => p.message)).toEqual(["defined twice: also in a.yaml:1"]);
  });
});

describe("globs", () => {
  it.each([
    ["base/**/*.yaml", "base/a.yaml", true],
    ["base/**/*.yaml", "base/x/y/a.yaml", true],
    ["base/*.yaml", "base/x/a.yaml", false],
    ["**/*.{yaml,yml}", "a/b.yml", true],
    ["base/?.yaml", "base/ab.yaml", false],
  ])("%s ~ %s = %s", (g, p, m) => expect(globToRegExp(g).test(p)).toBe(m));
});
