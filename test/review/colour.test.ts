// Colour in tables: only when stdout is a terminal, never with NO_COLOR.
import { describe, expect, it } from "vitest";
import type { Io } from "../../src/cli/io.ts";
import { run } from "../../src/cli/program.ts";
import { BOOKSHOP, NOW_ARGS } from "../helpers/cli.ts";

async function list(io: Partial<Io>): Promise<string> {
  let out = "";
  const code = await run(["list", BOOKSHOP, ...NOW_ARGS], { stdout: (s) => (out += s), stderr: () => {}, env: {}, cwd: process.cwd(), isTTY: false, now: () => 0, ...io });
  expect(code).toBe(0);
  return out;
}

describe("list colours", () => {
  const cases: [string, Partial<Io>, boolean][] = [
    ["stdout a terminal", { isTTY: true, stdoutIsTTY: true }, true],
    ["stdout piped, stderr a terminal", { isTTY: true, stdoutIsTTY: false }, false],
    ["NO_COLOR set", { isTTY: true, stdoutIsTTY: true, env: { NO_COLOR: "1" } }, false],
    ["TERM=dumb", { isTTY: true, stdoutIsTTY: true, env: { TERM: "dumb" } }, false],
  ];
  for (const [name, io, colour] of cases)
    it(name, async () => {
      const out = await list(io);
      expect(out.includes("\x1b[")).toBe(colour);
      // Alignment is the same either way.
      expect(out.replace(/\x1b\[[0-9;]*m/g, "")).toBe(await list({}));
    });
});
