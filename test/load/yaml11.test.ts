// Plain scalars as Kubernetes reads them. The table is derived from go-yaml v2's resolver
// (github.com/go-yaml/yaml, branch v2, resolve.go and decode.go at commit
// 7649d4548cb53a614db133b2a8ac1f31859dda8c) with Go's strconv.ParseInt(s, 0, 64) / ParseFloat
// rules, which sigs.k8s.io/yaml (kubectl, the API server) uses before converting to JSON.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseFast, parsePositioned, parseSmall } from "../../src/load/documents.ts";
import { dumpYaml } from "../../src/emit/emit.ts";
import { goFloatKey, InexactInteger, resolvePlain } from "../../src/load/yaml11.ts";

const TABLE: [string, unknown][] = [
  // resolveMapList: booleans, exact spellings only
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((s): [string, unknown] => [s, true]),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((s): [string, unknown] => [s, false]),
  ["yES", "yES"], ["oN", "oN"], ["Off1", "Off1"], ["tRUE", "tRUE"],
  // nulls ("" is the empty value)
  ["~", null], ["null", null], ["Null", null], ["NULL", null], ["nULL", "nULL"],
  // special floats
  [".nan", NaN], [".NaN", NaN], [".NAN", NaN], [".inf", Infinity], [".Inf", Infinity], ["+.INF", Infinity], ["-.inf", -Infinity], [".iNf", ".iNf"],
  // ParseInt base 0 after removing every `_`: leading 0 is octal, 0o / 0x / 0b prefixes
  ["0400", 256], ["0644", 420], ["0o600", 384], ["0O17", 15], ["0x1F", 31], ["0X1f", 31], ["-0x10", -16], ["+0x10", 16],
  ["0b101", 5], ["0B11", 3], ["-0b101", -5], ["0", 0], ["-0", 0], ["+12", 12], ["1_000", 1000], ["1__0_", 10], ["+_1", 1], ["0x_1F", 31],
  ["9007199254740991", 9007199254740991], ["-9007199254740991", -9007199254740991], ["0x1FFFFFFFFFFFFF", 9007199254740991],
  // past ParseUint's range: yamlStyleFloat, a float64 in Go too (exactness is no concern of a float)
  ["1_000_000_000_000_000_000_000", 1e21], ["18446744073709551616", 18446744073709551616],
  // above int64 with a sign: ParseUint refuses, and it is no yamlStyleFloat either when prefixed
  ["+0xFFFFFFFFFFFFFFFF", "+0xFFFFFFFFFFFFFFFF"], ["0x10000000000000000", "0x10000000000000000"],
  // not octal: falls to yamlStyleFloat, a float
  ["08", 8], ["0_9", 9], ["09.5", 9.5],
  // the `0b` quirk: ParseInt(rest, 2) takes a sign
  ["0b-101", -5], ["0b+1", 1], ["0b", "0b"], ["0b2", "0b2"],
  // yamlStyleFloat on the text without `_`
  ["1e3", 1000], ["1.5", 1.5], ["1.", 1], ["-2.5E-1", -0.25], ["1_0.5", 10.5], ["1e400", "1e400"], ["1e", "1e"],
  // the `.` hint: ParseFloat on the raw text
  [".5", 0.5], [".5e1", 5], [".5_0", 0.5], ["._5", "._5"], [".", "."], [".e1", ".e1"],
  // no base 60 (dropped on purpose), no hex floats through the digit path
  ["1:20", "1:20"], ["190:20:30", "190:20:30"], ["0x1p3", "0x1p3"],
  // timestamps decode to interface{} as their text (decode.go)
  ["2001-12-14", "2001-12-14"], ["2001-12-14T21:59:43.10Z", "2001-12-14T21:59:43.10Z"],
  // strings
  ["hello", "hello"], ["<<x", "<<x"], ["0x", "0x"], ["+", "+"], ["1-2", "1-2"], ["12abc", "12abc"], ["0o8", "0o8"], ["0xG", "0xG"],
];

describe("integers past 2^53, which Kubernetes keeps exactly (int64)", () => {
  // Each is an int64 (or, past int64, a uint64) for strconv: kubefork would print another number.
  it.each(["9007199254740992", "-9007199254740993", "0x20000000000000", "9223372036854775807", "-9223372036854775808", "18446744073709551615", "0o777777777777777777", "10_000_000_000_000_000"])(
    "%s is refused (KF1007) at its line, by every reader",
    (text) => {
      expect(resolvePlain(text).value).toBeInstanceOf(InexactInteger);
      const doc = `a: 1\nspec:\n  v: ${text}\n`;
      for (const parse of [parseFast, parseSmall, parsePositioned]) {
        const r = parse({ path: "a.yaml", text: doc });
        expect(r.docs).toEqual([]);
        expect(r.problems.map((p) => [p.code, p.file, p.line])).toEqual([["KF1007", "a.yaml", 3]]);
        expect(r.problems[0]!.message).toContain(text.replace(/_/g, ""));
      }
    },
  );

  it("a JSON number past a float's range is refused too (JSON.parse would give Infinity, printed as null)", () => {
    const r = parseFast({ path: "a.json", text: '{"kind": "x", "v": 1e400}' });
    expect(r.problems.map((p) => [p.code, p.line, p.column])).toEqual([["KF1008", 1, 20]]);
  });

  it("in a JSON base file too, where JSON.parse would round it; outside strings only", () => {
    const r = parseFast({ path: "a.json", text: '{"kind": "x",\n "s": "9223372036854775807",\n "v": 9223372036854775807}' });
    expect(r.problems.map((p) => [p.code, p.line, p.column])).toEqual([["KF1007", 3, 7]]);
    const ok = parseFast({ path: "a.json", text: '{"s": "9223372036854775807", "f": 9223372036854775807.0, "e": 1e300, "m": -9007199254740991}' });
    expect(ok.problems).toEqual([]);
    expect(ok.docs[0]!.value).toEqual({ s: "9223372036854775807", f: 9223372036854775807.0, e: 1e300, m: -9007199254740991 });
  });

  it("as a mapping key, is its exact digits (a key is text)", () => {
    const text = "9223372036854775807: a\n";
    for (const parse of [parseFast, parseSmall, parsePositioned]) expect(parse({ path: "a.yaml", text }).docs[0]!.value).toEqual({ "9223372036854775807": "a" });
  });
});

describe("go-yaml v2 plain scalars", () => {
  it.each(TABLE)("%s", (text, expected) => {
    expect(resolvePlain(text).value).toEqual(expected);
    const doc = `v: ${text}\n`;
    if (typeof expected === "number" && !Number.isFinite(expected)) {
      // go-yaml reads the float, but no JSON holds it: the API server refuses the object, so do the readers.
      for (const parse of [parseFast, parseSmall, parsePositioned]) expect(parse({ path: "a.yaml", text: doc }).problems.map((p) => [p.code, p.line])).toEqual([["KF1008", 1]]);
      return;
    }
    expect(parseFast({ path: "a.yaml", text: doc }).docs[0]!.value).toEqual({ v: expected });
    expect(parseSmall({ path: "a.yaml", text: doc }).docs[0]!.value).toEqual({ v: expected });
    expect(parsePositioned({ path: "a.yaml", text: doc }).docs[0]!.value).toEqual({ v: expected });
  });

  it("reads the empty value as null and keys by their resolved text, as sigs.k8s.io/yaml does", () => {
    const text = "a:\nyes: 1\n0400: 2\nn: 3\n";
    const want = { a: null, true: 1, "256": 2, false: 3 };
    expect(parseFast({ path: "a.yaml", text }).docs[0]!.value).toEqual(want);
    expect(parsePositioned({ path: "a.yaml", text }).docs[0]!.value).toEqual(want);
  });

  it("keeps quoted scalars as strings and resolves explicit tags", () => {
    const text = "a: '0400'\nb: \"yes\"\nc: !!str on\nd: !!int 0400\ne: !!float 1\nf: !!bool Y\n";
    const want = { a: "0400", b: "yes", c: "on", d: 256, e: 1, f: true };
    expect(parseFast({ path: "a.yaml", text }).docs[0]!.value).toEqual(want);
    expect(parsePositioned({ path: "a.yaml", text }).docs[0]!.value).toEqual(want);
  });

  it("refuses an explicit tag that does not fit, as go-yaml does", () => {
    expect(parsePositioned({ path: "a.yaml", text: "a: !!int yes\n" }).problems).not.toEqual([]);
    expect(parseFast({ path: "a.yaml", text: "a: !!int yes\n" }).problems).not.toEqual([]);
  });

  it("merges `<<` keys", () => {
    const text = "base: &b {x: 1}\nm:\n  <<: *b\n  z: 2\n";
    const want = { base: { x: 1 }, m: { x: 1, z: 2 } };
    expect(parseFast({ path: "a.yaml", text }).docs[0]!.value).toEqual(want);
    expect(parsePositioned({ path: "a.yaml", text }).docs[0]!.value).toEqual(want);
  });

  // go-yaml v2 decode.go mapping(): pairs in order, each `<<` setting its keys (a later one wins;
  // in `<<: [a, b]` the earlier source wins, merge() walks the list backwards).
  it.each<[string, string, unknown]>([
    ["merge first, then overrides", "b: &b {x: 1, w: 1}\nm:\n  <<: *b\n  w: 2\n", { b: { x: 1, w: 1 }, m: { x: 1, w: 2 } }],
    ["a list of sources: the earlier wins", "a: &a {x: 1}\nb: &b {x: 2, w: 2}\nm:\n  <<: [*a, *b]\n", { a: { x: 1 }, b: { x: 2, w: 2 }, m: { x: 1, w: 2 } }],
    ["keys no merge sets, before it", "b: &b {x: 1}\nm:\n  z: 0\n  <<: *b\n", { b: { x: 1 }, m: { z: 0, x: 1 } }],
    ["a flow merge", "m: {<<: {x: 1}, w: 2}\n", { m: { x: 1, w: 2 } }],
    ["a quoted '<<' is a key", "m: {'<<': 1}\n", { m: { "<<": 1 } }],
  ])("agrees with go-yaml v2 where the orders agree: %s", (_name, text, want) => {
    for (const parse of [parseFast, parseSmall, parsePositioned]) expect(parse({ path: "a.yaml", text }).docs[0]!.value).toEqual(want);
  });

  it.each<[string, string, number]>([
    ["an explicit key before a merge that sets it (go-yaml: the merge's value)", "m:\n  mode: strict\n  <<: {mode: permissive}\n", 3],
    ["through an alias", "l: &l {tier: frontend}\nd:\n  tier: backend\n  <<: *l\n", 4],
    ["in a flow mapping", "d: {tier: backend, <<: {tier: frontend}}\n", 1],
    ["a merge's own merge", "x: &x {k: 1}\ny: &y {<<: *x}\nm:\n  k: 2\n  <<: *y\n", 5],
  ])("refuses a merge where go-yaml v2 and YAML 1.2 readers differ (KF1009): %s", (_name, text, line) => {
    for (const parse of [parseFast, parseSmall, parsePositioned]) {
      const r = parse({ path: "a.yaml", text });
      expect(r.docs).toEqual([]);
      expect(r.problems.map((p) => [p.code, p.line])).toEqual([["KF1009", line]]);
    }
  });

  it("two `<<` in one mapping (go-yaml: the second's values win) are refused as a duplicate key (KF1003)", () => {
    for (const parse of [parseFast, parseSmall, parsePositioned]) expect(parse({ path: "a.yaml", text: "m:\n  <<: {a: '1'}\n  <<: {a: '2'}\n" }).problems.map((p) => [p.code, p.line])).toEqual([["KF1003", 3]]);
  });

  it("a heredoc in a script is no merge key: the fast reader keeps it", () => {
    const text = "data:\n  run.sh: |\n    cat <<EOF\n    x\n    EOF\n";
    expect(parseFast({ path: "a.yaml", text }).docs[0]!.value).toEqual({ data: { "run.sh": "cat <<EOF\nx\nEOF\n" } });
  });

  // Every text of the table, written as a string, must come out quoted where a YAML 1.1 reader
  // would read it as something else, and read back as the same string by both kinds of reader.
  it.each(TABLE.map(([t]) => t))("emits the string %s safely", (text) => {
    const out = dumpYaml({ v: text });
    expect(parseFast({ path: "o.yaml", text: out }).docs[0]!.value).toEqual({ v: text });
    expect(parse(out)).toEqual({ v: text });
    if (resolvePlain(text).kind !== "str") expect(out).not.toBe(`v: ${text}\n`);
  });
});

describe("a mapping or sequence as a key, which go-yaml v2 cannot decode into a map", () => {
  it.each(["? {a: 1}\n: x\n", "? [a, b]\n: x\n", "{[a]: 1}\n", "a:\n  ? {b: 1}\n  : c\n"])("%j is refused at its line by every reader", (text) => {
    for (const parse of [parseFast, parseSmall, parsePositioned]) {
      const r = parse({ path: "a.yaml", text });
      expect(r.docs).toEqual([]);
      expect(r.problems.map((p) => p.code)).toEqual(["KF1001"]);
    }
  });
});

describe("goFloatKey: strconv.FormatFloat(k, 'g', -1, 32), as sigs.k8s.io/yaml writes a float key", () => {
  // By strconv's ftoa.go: the shortest digits that read back as the float32, and %e when the
  // exponent is below -4 or at least 6 ("if precision was the shortest possible, use precision 6").
  it.each<[number, string]>([
    [1000000, "1e+06"], [123456789, "1.2345679e+08"], [0.3333333333333333, "0.33333334"], [1e-7, "1e-07"], [-0, "-0"], [0, "0"],
    [1.5, "1.5"], [8, "8"], [100000, "100000"], [0.0001, "0.0001"], [0.00001, "1e-05"], [0.1, "0.1"], [-2.5, "-2.5"], [1e21, "1e+21"],
    [3.4028234663852886e38, "3.4028235e+38"], [16777217, "1.6777216e+07"], [Infinity, "+Inf"], [-Infinity, "-Inf"], [NaN, "NaN"], [1e39, "+Inf"], [-1e39, "-Inf"],
  ])("%s → %s", (v, want) => expect(goFloatKey(v)).toBe(want));
});

describe("keys that resolve to a float or null, which sigs.k8s.io/yaml writes otherwise (or refuses)", () => {
  it.each(["1000000.0: a\n", "m:\n  0.3333333333333333: a\n", "m: {1e-7: a}\n", "1e6: a\n", ".inf: a\n", "- .NaN: a\n", "~: a\n", "null: a\n", "m:\n  : a\n"])("%j is refused by every reader", (text) => {
    for (const parse of [parseFast, parseSmall, parsePositioned]) {
      const r = parse({ path: "a.yaml", text });
      expect(r.docs, parse.name).toEqual([]);
      expect(r.problems.map((p) => p.code)).toEqual(["KF1001"]);
    }
  });

  it.each<[string, unknown]>([
    ["8080: a\n", { "8080": "a" }],
    ["yes: a\n", { true: "a" }],
    ["'1.5': a\n", { "1.5": "a" }],
    ["v1.5: a\n", { "v1.5": "a" }],
    ["10.0.0.1: a\n", { "10.0.0.1": "a" }],
    ["image: nginx:1.25\n", { image: "nginx:1.25" }],
    ["ratio: 1.5\n", { ratio: 1.5 }],
    ["1.5: a\n", { "1.5": "a" }],
    ["08: a\nb: {<<: {c: 1}}\n", { "8": "a", b: { c: 1 } }],
    ["0.25: a\n", { "0.25": "a" }],
  ])("%j is a key (or value) both write alike", (text, want) => {
    for (const parse of [parseFast, parseSmall, parsePositioned]) expect(parse({ path: "a.yaml", text }).docs[0]!.value).toEqual(want);
  });
});

describe("a byte-order mark at the start of a later line (files joined with cat)", () => {
  it.each(["a: 1\n\uFEFFdata: {k: v}\n", "a: 1\r\n---\r\n\uFEFFb: 2\r\n", "{a: 1,\n\uFEFFdata: 2}\n"])("%j is refused at its line by every reader (go-yaml skips it, JavaScript keeps it in the key)", (text) => {
    for (const parse of [parseFast, parseSmall, parsePositioned]) {
      const r = parse({ path: "a.yaml", text });
      expect(r.docs).toEqual([]);
      expect(r.problems.map((p) => [p.code, p.line])).toEqual([["KF1001", text.startsWith("a: 1\r") ? 3 : 2]]);
    }
  });

  it("inside a value it is data, as for go-yaml", () => {
    expect(parseFast({ path: "a.yaml", text: "a: 'x\uFEFFy'\n" }).docs[0]!.value).toEqual({ a: "x\uFEFFy" });
  });
});

describe("a lone surrogate escape, which go-yaml v2 refuses", () => {
  it.each([["a.yaml", 'a: 1\nb: "x\\ud800y"\n', 2], ["a.yaml", 'a: 1\n"\\udc00": 2\n', 2], ["a.json", '{"kind": "x",\n "v": "\\ud800"}', 2]])("%s %j is refused at its line", (path, text, line) => {
    const parsers = path.endsWith(".json") ? [parseFast] : [parseFast, parseSmall, parsePositioned];
    for (const parse of parsers) {
      const r = parse({ path, text });
      expect(r.docs).toEqual([]);
      expect(r.problems.map((p) => [p.code, p.line])).toEqual([["KF1001", line]]);
    }
  });

  it("a plain or single-quoted backslash-u is text, and a whole code point is kept", () => {
    expect(parseFast({ path: "a.yaml", text: "a: x\\ud800\nb: 'y\\ud800'\nc: \"\\U0001F600\"\n" }).docs[0]!.value).toEqual({ a: "x\\ud800", b: "y\\ud800", c: "\u{1F600}" });
  });
});

describe("a raw NEL, LS or PS, a line break for go-yaml v2 (YAML 1.1) only", () => {
  it.each<[string, number]>([
    ["a: x\u0085y\n", 1],
    ['a: 1\nb: "x\u2028y"\n', 2],
    ["a: |\n  x\u2029y\n", 2],
  ])("%j is refused at its line by every reader", (text, line) => {
    for (const parse of [parseFast, parseSmall, parsePositioned]) {
      const r = parse({ path: "a.yaml", text });
      expect(r.docs).toEqual([]);
      expect(r.problems.map((p) => [p.code, p.line])).toEqual([["KF1001", line]]);
    }
  });

  it("is a character in JSON, as for Go's JSON; escaped in YAML it is kept", () => {
    expect(parseFast({ path: "a.json", text: '{"a": "x\u2028y"}' }).docs[0]!.value).toEqual({ a: "x\u2028y" });
    expect(parseFast({ path: "a.yaml", text: 'a: "x\\Ly"\n' }).docs[0]!.value).toEqual({ a: "x\u2028y" });
  });
});

describe("a file the pre-checks send to the positioned reader reads as on the fast path", () => {
  // `: ok` in a script trips the null-key pre-check; the empty documents must still be no objects.
  const script = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  s.sh: |\n    : ok\n";
  it.each([
    ["a trailing ---", `${script}---\n`],
    ["Helm's empty template", `---\n# Source: c/templates/empty.yaml\n---\n${script}`],
    ["two markers", `${script}---\n---\n${script.replace("name: b", "name: c")}`],
    ["a comment-only document", `${script}---\n# c\n---\n${script.replace("name: b", "name: c")}`],
  ])("%s", (_name, text) => {
    const r = parseFast({ path: "a.yaml", text });
    expect(r.problems).toEqual([]);
    expect(r.docs.map((d) => (d.value as { metadata: { name: string } }).metadata.name)).toEqual(text.includes("name: c") ? ["b", "c"] : ["b"]);
  });
});
