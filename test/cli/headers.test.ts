// `kubefork headers ID [DIR] [-o json|curl|env]`, in process with fixed random bytes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/program.ts";
import type { Io } from "../../src/cli/io.ts";
import { traceIdPrefix } from "../../src/model/carriers.ts";
import { BOOKSHOP, bookshopCopy } from "../helpers/cli.ts";

const BYTES = Uint8Array.from({ length: 16 }, (_, i) => i * 17);

async function headers(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: {}, cwd: BOOKSHOP, isTTY: false, now: () => Date.parse("2026-11-23T12:00:00Z"), random: () => BYTES };
  const code = await run(["headers", ...args], io);
  return { code, stdout, stderr };
}

describe("kubefork headers", () => {
  const trace = `${traceIdPrefix("alice")}0011223344556677`;

  it("prints one JSON object: the fork header, baggage (spec.baggage is set), a minted trace context", async () => {
    const r = await headers(["alice", BOOKSHOP]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      "x-fork-identifier": "alice",
      baggage: "kubefork=alice",
      traceparent: `00-${trace}-8899aabbccddeeff-03`,
      "x-b3-traceid": trace,
      "x-b3-spanid": "8899aabbccddeeff",
      "x-b3-sampled": "1",
    });
  });

  it("-o curl prints -H arguments, -o env NAME=value lines", async () => {
    expect((await headers(["alice", BOOKSHOP, "-o", "curl"])).stdout).toBe(
      `-H 'x-fork-identifier: alice' -H 'baggage: kubefork=alice' -H 'traceparent: 00-${trace}-8899aabbccddeeff-03' -H 'x-b3-traceid: ${trace}' -H 'x-b3-spanid: 8899aabbccddeeff' -H 'x-b3-sampled: 1'\n`,
    );
    expect((await headers(["alice", BOOKSHOP, "-o", "env"])).stdout).toBe(
      `X_FORK_IDENTIFIER=alice\nBAGGAGE=kubefork=alice\nTRACEPARENT=00-${trace}-8899aabbccddeeff-03\nX_B3_TRACEID=${trace}\nX_B3_SPANID=8899aabbccddeeff\nX_B3_SAMPLED=1\n`,
    );
  });

  it("includes tracestate when it is a carrier", async () => {
    const dir = bookshopCopy();
    const f = join(dir, "kubefork.yaml");
    writeFileSync(f, readFileSync(f, "utf8").replace("  baggage: kubefork\n", "  baggage: kubefork\n  carriers: [header, baggage, tracestate, traceId]\n"));
    const r = await headers(["bob", dir]);
    expect(r.code).toBe(0);
    const h = JSON.parse(r.stdout);
    expect(h.tracestate).toBe("kubefork=bob");
    expect(h.traceparent.slice(3, 19)).toBe(traceIdPrefix("bob"));
  });

  it("an unknown fork is an error with the forks listed, and stdout stays empty; an expired one is a warning", async () => {
    const r = await headers(["zoe", BOOKSHOP]);
    expect(r).toEqual({ code: 1, stdout: "", stderr: "error: no fork 'zoe': there is no forks/zoe.yaml [KF6027]\n  hint: forks are: alice, bob, carol, dave\n" });
    const d = await headers(["dave", BOOKSHOP]);
    expect(d.code).toBe(0);
    expect(d.stderr).toContain("warning: fork 'dave' expired at 2026-11-20T00:00:00Z");
    expect(JSON.parse(d.stdout)["x-fork-identifier"]).toBe("dave");
  });
});
