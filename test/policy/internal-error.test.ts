// Fail closed on a bug: a generator that throws becomes an internal problem naming its step, the
// render holds no objects, and the CLI exits 3 with the stack on stderr and nothing on stdout.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

vi.mock("../../src/generate/service.ts", () => ({
  generateServices: () => {
    throw new TypeError("boom in a generator");
  },
}));

const { renderFiles } = await import("../helpers/inprocess.ts");
const { run } = await import("../../src/cli/program.ts");
const APP = join(import.meta.dirname, "../../fixtures/bookshop/app");

describe("an exception inside a generator", () => {
  it("is an internal problem naming the step, and the render holds nothing", () => {
    const files: Record<string, string> = { "kubefork.yaml": readFileSync(join(APP, "kubefork.yaml"), "utf8") };
    for (const d of ["base", "forks"]) for (const f of readdirSync(join(APP, d))) files[`${d}/${f}`] = readFileSync(join(APP, d, f), "utf8");
    const r = renderFiles(files);
    expect(r.ok).toBe(false);
    expect(r.text).toBe("");
    expect(r.result?.objects).toEqual([]);
    const internal = r.problems.filter((p) => p.kind === "internal");
    expect(internal.map((p) => p.message)).toEqual(["unexpected failure in step services: boom in a generator"]);
    expect(internal[0]!.stack).toMatch(/TypeError: boom in a generator\n\s+at /);
  });

  it("makes render exit 3 with the stack on stderr and an empty stdout", async () => {
    let out = "";
    let err = "";
    const code = await run(["render", APP, "--now", "2026-11-23T12:00:00Z"], {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      env: {},
      cwd: APP,
      isTTY: false,
      now: () => 0,
    });
    expect(code).toBe(3);
    expect(out).toBe("");
    expect(err).toContain("internal error: unexpected failure in step services: boom in a generator");
    expect(err).toMatch(/TypeError: boom in a generator\n\s+at /);
  });

  it("makes validate exit 3 too", async () => {
    let err = "";
    const code = await run(["validate", APP, "--now", "2026-11-23T12:00:00Z"], { stdout: () => {}, stderr: (s) => (err += s), env: {}, cwd: APP, isTTY: false, now: () => 0 });
    expect(code).toBe(3);
    expect(err).toContain("step services");
  });
});
