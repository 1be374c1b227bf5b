// A string of some MB once overflowed js-yaml's dumper (exit 3, an internal error): such an
// object is written as JSON, which is YAML too, and reads back the same; others stay block YAML.
import { describe, expect, it } from "vitest";
import { emit } from "../../src/emit/emit.ts";
import { parseFast } from "../../src/load/documents.ts";

describe("emit: an object js-yaml's dumper cannot write", () => {
  it("is written as a JSON document, read back the same, between block YAML documents", () => {
    const big = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: { k: "x".repeat(3_000_000), mode: "0400", on: "yes", breaks: "a\u0085b\u2028c\u2029d\u007fe" } };
    const small = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "small" }, data: { mode: "0400" } };
    const out = emit([small, big, small], "yaml");
    const docs = out.split("---\n");
    expect(docs).toHaveLength(3);
    expect(docs[0]).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\ndata:\n  mode: '0400'\n");
    expect(docs[1]!.startsWith('{"apiVersion":"v1"')).toBe(true);
    // escaped, as go-yaml reads them: a raw NEL, LS or PS would be a line break there, a raw DEL refused
    expect(docs[1]).toContain('"breaks":"a\\u0085b\\u2028c\\u2029d\\u007fe"');
    expect(parseFast({ path: "out.yaml", text: out }).docs.map((d) => d.value)).toEqual([small, big, small]);
  });
});
