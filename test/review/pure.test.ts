import { describe, expect, it } from "vitest";
import { formatTable, markdownTable, visibleWidth } from "../../src/review/table.ts";
import { expiryText, parseExpires, rfc3339, span } from "../../src/review/time.ts";
import { parseHeader, splitHostPath } from "../../src/review/trace-request.ts";
import { splitTargeted } from "../../src/review/new-fork.ts";
import { NOW as NOW_TEXT } from "../helpers/cli.ts";

const NOW = Date.parse(NOW_TEXT);
const H = 3_600_000;

describe("relative time", () => {
  const cases: [string, string | undefined, string][] = [
    ["days and hours", "2026-11-26T16:30:00Z", "in 3d 4h"],
    ["whole days drop the hours", "2026-11-26T12:00:00Z", "in 3d"],
    ["hours and minutes under a day", "2026-11-23T16:05:00Z", "in 4h 5m"],
    ["minutes", "2026-11-23T12:12:59Z", "in 12m"],
    ["under a minute", "2026-11-23T12:00:30Z", "in <1m"],
    ["expired hours ago", "2026-11-23T10:00:00Z", "expired 2h ago"],
    ["expired at exactly now (the render's rule: not after now)", "2026-11-23T12:00:00Z", "expired <1m ago"],
    ["expired days ago", "2026-11-20T00:00:00Z", "expired 3d 12h ago"],
    ["an offset is honoured", "2026-11-23T14:00:00+01:00", "in 1h"],
    ["no expiry", undefined, "never"],
  ];
  for (const [name, expires, want] of cases) it(name, () => expect(expiryText(expires, NOW)).toBe(want));

  it("span takes the two largest units", () => {
    expect(span(49 * H + 59 * 60_000)).toBe("2d 1h");
    expect(span(-90 * 60_000)).toBe("1h 30m");
  });

  it("rfc3339 drops milliseconds", () => expect(rfc3339(NOW + 1234)).toBe("2026-11-23T12:00:01Z"));
});

describe("--expires", () => {
  const cases: [string, string, { at?: string; error?: RegExp }][] = [
    ["duration", "72h", { at: "2026-11-26T12:00:00Z" }],
    ["days", "7d", { at: "2026-11-30T12:00:00Z" }],
    ["compound", "1h30m", { at: "2026-11-23T13:30:00Z" }],
    ["absolute", "2026-12-24T00:00:00Z", { at: "2026-12-24T00:00:00Z" }],
    ["absolute in the past", "2026-11-01T00:00:00Z", { error: /is in the past/ }],
    ["zero", "0h", { error: /not in the future/ }],
    ["garbage", "next week", { error: /neither a duration .* nor an RFC 3339 time/ }],
  ];
  for (const [name, arg, want] of cases)
    it(name, () => {
      const r = parseExpires(arg, NOW);
      if (want.at) expect(r).toEqual({ at: Date.parse(want.at) });
      else expect("error" in r && r.error).toMatch(want.error!);
    });
});

describe("table formatting", () => {
  it("aligns columns, upper-cases headers, prints empty cells as -, no trailing spaces", () => {
    expect(formatTable(["fork", "hosts", "state"], [["alice", "https://alice.example.com", "live"], ["bob-long", "", "expired"]])).toBe(
      ["FORK       HOSTS                       STATE", "alice      https://alice.example.com   live", "bob-long   -                           expired", ""].join("\n"),
    );
  });
  it("ANSI colours take no width", () => {
    const red = "\x1b[31minvalid\x1b[0m";
    expect(visibleWidth(red)).toBe(7);
    const out = formatTable(["state", "n"], [[red, "1"], ["live", "22"]], { align: ["left", "right"] });
    expect(out.replace(/\x1b\[[0-9;]*m/g, "")).toBe(["STATE      N", "invalid    1", "live      22", ""].join("\n"));
  });
  it("the last column is never padded, even when earlier rows are longer", () => {
    const lines = formatTable(["a", "b"], [["x", "long value"], ["y", "v"]]).split("\n");
    expect(lines.every((l) => !/\s$/.test(l))).toBe(true);
  });
  it("line breaks in a cell become spaces", () => expect(formatTable(["a"], [["x\ny"]])).toBe("A\nx y\n"));
  it("markdown escapes pipes", () => expect(markdownTable(["a", "b"], [["x|y", ""]])).toBe("| a | b |\n|---|---|\n| x\\|y | – |\n"));
});

describe("argument parsing", () => {
  it("WORKLOAD=VALUE and plain values", () => {
    expect(splitTargeted("ratings-v1=registry.example.com/r:1")).toEqual({ target: "ratings-v1", value: "registry.example.com/r:1" });
    expect(splitTargeted("registry.example.com/r:1")).toEqual({ value: "registry.example.com/r:1" });
  });
  it("headers as curl writes them, or name=value", () => {
    expect(parseHeader("End-User: jason")).toEqual({ name: "end-user", value: "jason" });
    expect(parseHeader("end-user=jason")).toEqual({ name: "end-user", value: "jason" });
    expect(parseHeader("nothing")).toBeUndefined();
  });
  it("host with a path", () => {
    expect(splitHostPath("bookshop.example.com/productpage?x=1")).toEqual({ host: "bookshop.example.com", path: "/productpage?x=1" });
    expect(splitHostPath("reviews")).toEqual({ host: "reviews" });
  });
});
