// Fail closed on a bug: a generator that throws becomes an internal problem naming its step, the
// render holds no objects, and the CLI exits 3 with the stack on stderr and nothing on stdout.
import { describe, expect, it, vi } from "vitest";
import { BOOKSHOP as APP, NOW_ARGS } from "../helpers/cli.ts";

vi.mock("../../src/generate/service.ts", () => ({
  generateServices: () => {
    throw new TypeError("boom in a generator");
  },
}));

const { appFiles, renderFiles, runInProcess } = await import("../helpers/inprocess.ts");

describe("an exception inside a generator", () => {
  it("is an internal problem naming the step, and the render holds nothing", () => {
    const r = renderFiles(appFiles("bookshop"));
    expect(r.ok).toBe(false);
    expect(r.text).toBe("");
    expect(r.result?.objects).toEqual([]);
    const internal = r.problems.filter((p) => p.kind === "internal");
    expect(internal.map((p) => p.message)).toEqual(["unexpected failure in step services: boom in a generator"]);
    expect(internal[0]!.stack).toMatch(/TypeError: boom in a generator\n\s+at /);
  });

  it("makes render exit 3 with the stack on stderr and an empty stdout", async () => {
    const { code, stdout: out, stderr: err } = await runInProcess(["render", APP, ...NOW_ARGS], { cwd: APP });
    expect(code).toBe(3);
    expect(out).toBe("");
    expect(err).toContain("internal error: unexpected failure in step services: boom in a generator");
    expect(err).toMatch(/TypeError: boom in a generator\n\s+at /);
  });

  it("makes validate exit 3 too", async () => {
    const { code, stderr: err } = await runInProcess(["validate", APP, ...NOW_ARGS], { cwd: APP });
    expect(code).toBe(3);
    expect(err).toContain("step services");
  });
});
