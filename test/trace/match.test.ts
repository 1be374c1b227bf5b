import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRe2, fullMatch, matchStringMatch, pathPrefixMatches, splitPath } from "../../src/trace/match.ts";

const BAGGAGE = String.raw`^(.*[,\s])?kubefork\s*=\s*alice(\s*[;,].*)?\s*$`;

describe("RE2 whole-value regex", () => {
  const cases: Array<{ name: string; re: string; value: string; want: boolean }> = [
    { name: "literal matches itself", re: "alice", value: "alice", want: true },
    { name: "literal does not match a longer value (whole value, not substring)", re: "alice", value: "alice2", want: false },
    { name: "literal does not match inside a value", re: "alice", value: "xalice", want: false },
    { name: "alternation is grouped under the anchors", re: "alice|bob", value: "bob", want: true },
    { name: "alternation does not leak out of the anchors", re: "alice|bob", value: "bobby", want: false },
    { name: "baggage: entry among others with properties", re: BAGGAGE, value: "foo=1, kubefork=alice;p=1", want: true },
    { name: "baggage: only entry", re: BAGGAGE, value: "kubefork=alice", want: true },
    { name: "baggage: spaces around =", re: BAGGAGE, value: "a=b,kubefork = alice", want: true },
    { name: "baggage: other identifier", re: BAGGAGE, value: "foo=1, kubefork=alice2", want: false },
    { name: "baggage: key suffix is another key", re: BAGGAGE, value: "xkubefork=alice", want: false },
    { name: "baggage: value of another key", re: BAGGAGE, value: "kubefork=bob,foo=alice", want: false },
    { name: "(?P<name>) named group (RE2 syntax)", re: "(?P<id>[a-z]+)-v1", value: "reviews-v1", want: true },
    { name: "(?i) leading flag", re: "(?i)alice", value: "ALICE", want: true },
    { name: "\\s is ASCII whitespace only in RE2", re: String.raw`a\sb`, value: "a\u00a0b", want: false },
    { name: "dot does not match newline", re: "a.b", value: "a\nb", want: false },
    { name: "dot matches carriage return (RE2, unlike JS)", re: "a.b", value: "a\rb", want: true },
    { name: "(?s) lets dot match newline", re: "(?s)a.b", value: "a\nb", want: true },
    { name: "POSIX class", re: "[[:digit:]]+", value: "123", want: true },
    { name: "leading ] in a class is literal", re: "[]a]+", value: "]a]", want: true },
    { name: "\\Q...\\E literal text", re: String.raw`\Qa.b\E`, value: "axb", want: false },
    { name: "\\z end of text", re: String.raw`abc\z`, value: "abc", want: true },
    { name: "\\pL unicode class", re: String.raw`\pL+`, value: "héllo", want: true },
  ];
  it.each(cases)("$name", ({ re, value, want }) => {
    expect(fullMatch(re, value)).toBe(want);
  });

  const rejected: Array<{ name: string; re: string }> = [
    { name: "lookahead", re: "a(?=b)" },
    { name: "negative lookahead", re: "(?!x)a" },
    { name: "lookbehind", re: "(?<=a)b" },
    { name: "backreference", re: String.raw`(a)\1` },
    { name: "named backreference", re: String.raw`(?<x>a)\k<x>` },
    { name: "unbalanced", re: "(a" },
  ];
  it.each(rejected)("rejects $name as not RE2 / invalid", ({ re }) => {
    const c = compileRe2(re);
    expect(c.ok).toBe(false);
  });

  it("an escaped literal matches exactly itself and nothing longer (property)", () => {
    const esc = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|]/g, (c) => `\\${c}`);
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii", maxLength: 20 }), (s) => {
        expect(fullMatch(esc(s), s)).toBe(true);
        expect(fullMatch(esc(s), `${s}x`)).toBe(false);
        expect(fullMatch(esc(s), `x${s}`)).toBe(false);
      }),
    );
  });
});

describe("Istio StringMatch", () => {
  const cases: Array<{ name: string; m: object | undefined; v: string | undefined; ic?: boolean; want: boolean }> = [
    { name: "{} = header present", m: {}, v: "anything", want: true },
    { name: "{} = header present, empty value counts", m: {}, v: "", want: true },
    { name: "{} with header absent", m: {}, v: undefined, want: false },
    { name: 'regex "*" is a presence match (istio#20629)', m: { regex: "*" }, v: "x", want: true },
    { name: "exact", m: { exact: "alice" }, v: "alice", want: true },
    { name: "exact is case-sensitive", m: { exact: "alice" }, v: "Alice", want: false },
    { name: "exact, absent header", m: { exact: "" }, v: undefined, want: false },
    { name: "prefix", m: { prefix: "/api" }, v: "/apis", want: true },
    { name: "prefix with ignoreCase", m: { prefix: "/API" }, v: "/api/x", ic: true, want: true },
    { name: "regex whole value", m: { regex: "v[0-9]" }, v: "v12", want: false },
  ];
  it.each(cases)("$name", ({ m, v, ic, want }) => {
    expect(matchStringMatch(m as never, v, { ignoreCase: ic === true }).matched).toBe(want);
  });
});

describe("paths and hosts", () => {
  it.each([
    { prefix: "/abc", path: "/abc", want: true },
    { prefix: "/abc", path: "/abc/", want: true },
    { prefix: "/abc", path: "/abc/def", want: true },
    { prefix: "/abc", path: "/abcd", want: false },
    { prefix: "/abc/", path: "/abc", want: true },
    { prefix: "/", path: "/anything", want: true },
  ])("PathPrefix $prefix vs $path → $want (element-wise)", ({ prefix, path, want }) => {
    expect(pathPrefixMatches(prefix, path)).toBe(want);
  });

  it("splits query parameters, first value wins", () => {
    const { path, query } = splitPath("/p?a=1&b&a=2&c=x%20y");
    expect(path).toBe("/p");
    expect(query.get("a")).toBe("1");
    expect(query.get("b")).toBe("");
    expect(query.get("c")).toBe("x y");
  });
});
