// One helper per fact: the fork identifier of a path and the path of a fork (src/util/fork-id.ts),
// the field path of a problem and the RFC 6901 pointer (src/util/paths.ts). Table tests.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forkFilePath, forkIdFromPath } from "../../src/util/fork-id.ts";
import { formatPath, pointerOf, pointerSegments, pointerToken, type PathSegment } from "../../src/util/paths.ts";
import * as problems from "../../src/problems.ts";
import * as patchScope from "../../src/model/patch-scope.ts";

describe("forkIdFromPath", () => {
  it.each([
    ["forks/alice.yaml", "alice"],
    ["forks/bob.yml", "bob"],
    ["alice.yaml", "alice"],
    ["deploy/forks/carol.yaml", "carol"],
    ["forks/eve.json", "eve"], // not a fork file: its problem still belongs to fork eve
    ["forks/dave", "dave"],
    ["forks/a.b.yaml", "a.b"],
  ])("%s → %s", (path, id) => expect(forkIdFromPath(path)).toBe(id));

  it("is defined once, and every module of src/ imports it from util/", () => {
    const files = sourceFiles("src").map((f) => [f, readFileSync(f, "utf8")] as const);
    expect(files.filter(([, t]) => /function forkIdFromPath\b/.test(t)).map(([f]) => f)).toEqual(["src/util/fork-id.ts"]);
    const importers = files.filter(([, t]) => /import \{[^}]*\bforkIdFromPath\b[^}]*\} from "([^"]+)"/.test(t));
    expect(importers.length).toBeGreaterThan(3);
    for (const [f, t] of importers) expect(t.match(/import \{[^}]*\bforkIdFromPath\b[^}]*\} from "([^"]+)"/)![1], f).toMatch(/util\/fork-id\.ts$/);
  });
});

describe("forkFilePath", () => {
  it.each([
    ["forks", "alice", "forks/alice.yaml"],
    ["forks/", "alice", "forks/alice.yaml"],
    ["deploy/forks//", "bob", "deploy/forks/bob.yaml"],
  ])("%s + %s → %s", (dir, id, path) => expect(forkFilePath(dir, id)).toBe(path));

  it("round-trips with forkIdFromPath", () => expect(forkIdFromPath(forkFilePath("forks/", "alice"))).toBe("alice"));
});

describe("formatPath (a problem's path)", () => {
  it.each<[PathSegment[], string]>([
    [[], ""],
    [["spec"], "spec"],
    [["spec", "workloads", 0, "image"], "spec.workloads[0].image"],
    [["spec", "workloads", 2, "patches", 10], "spec.workloads[2].patches[10]"],
    [["metadata", "labels", "app.kubernetes.io/name"], 'metadata.labels["app.kubernetes.io/name"]'],
    [["data", "my key"], 'data["my key"]'],
    [["x-y", "_z"], "x-y._z"],
    [[0, "a"], "[0].a"],
  ])("%j → %s", (path, text) => expect(formatPath(path)).toBe(text));

  it("is the one problems.ts gives", () => expect(problems.formatPath).toBe(formatPath));
});

describe("JSON pointers (RFC 6901)", () => {
  it.each<[string, string]>([
    ["name", "name"],
    ["a/b", "a~1b"],
    ["a~b", "a~0b"],
    ["~/", "~0~1"],
    ["", ""],
  ])("token %j → %j", (key, token) => expect(pointerToken(key)).toBe(token));

  it.each<[PathSegment[], string]>([
    [[], ""],
    [["spec", "template"], "/spec/template"],
    [["metadata", "labels", "kubefork.dev/fork"], "/metadata/labels/kubefork.dev~1fork"],
    [["spec", "containers", 0, "env"], "/spec/containers/0/env"],
    [["a~1"], "/a~01"],
  ])("%j → %s", (segments, pointer) => {
    expect(pointerOf(segments)).toBe(pointer);
    expect(pointerSegments(pointer)).toEqual(segments.map(String));
  });

  it("unescapes ~1 before ~0 (section 4: ~01 is ~1, not /)", () => expect(pointerSegments("/a~01")).toEqual(["a~1"]));

  it("is the one model/patch-scope.ts gives", () => {
    expect(patchScope.pointerOf).toBe(pointerOf);
    expect(patchScope.pointerSegments).toBe(pointerSegments);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}
