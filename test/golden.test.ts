// Golden fixtures: every fixtures/<case>/cases.yaml lists renders of fixtures/<case>/app through the
// bundled CLI. stdout must equal expected/<name>.yaml|json byte for byte, stderr expected/<name>.stderr
// (when present), the exit code `exit`. Every output is also validated against the real schemas (the
// official CRDs with their CEL rules included: test/crd/) and the SPEC invariants (against the same
// app rendered with no forks). An object of a kind no schema covers fails the case.
// UPDATE_GOLDEN=1 rewrites the expected files: read the diff before committing it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { copyApp, ROOT, runCli } from "./helpers/cli.ts";
import { checkInvariants } from "./helpers/invariants.ts";
import { validateObjects } from "./helpers/schemas.ts";
import { parseStream } from "./helpers/stream.ts";

interface GoldenCase {
  name: string;
  description?: string;
  /** Fork files to keep (identifiers); all when absent. */
  forks?: string[];
  args?: string[];
  exit?: number;
  /** Skip the invariant check (for cases that test failures). */
  invariants?: boolean;
}

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const FIXTURES = join(ROOT, "fixtures");
const fixtureDirs = readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, "cases.yaml"))).sort();

describe.each(fixtureDirs)("golden %s", (fixture) => {
  const dir = join(FIXTURES, fixture);
  const cases = parse(readFileSync(join(dir, "cases.yaml"), "utf8")) as GoldenCase[];
  const manager = parse(readFileSync(join(dir, "app/kubefork.yaml"), "utf8")) as { spec?: { forksDir?: string } };
  const forksDir = manager?.spec?.forksDir ?? "forks";

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const app = copyApp(join(dir, "app"), { forks: c.forks, forksDir });
    try {
      const args = c.args ?? [];
      const r = runCli(["render", app, ...args]);
      const stderr = r.stderr.split(app).join("<app>");
      const ext = args.includes("json") ? "json" : "yaml";
      const expectedOut = join(dir, "expected", `${c.name}.${ext}`);
      const expectedErr = join(dir, "expected", `${c.name}.stderr`);
      if (UPDATE) {
        mkdirSync(join(dir, "expected"), { recursive: true });
        writeFileSync(expectedOut, r.stdout);
        if (stderr) writeFileSync(expectedErr, stderr);
        else rmSync(expectedErr, { force: true });
      }
      expect({ code: r.code, stderr }).toEqual({ code: c.exit ?? 0, stderr: existsSync(expectedErr) ? readFileSync(expectedErr, "utf8") : "" });
      expect(r.stdout).toBe(readFileSync(expectedOut, "utf8"));
      if ((c.exit ?? 0) !== 0) {
        expect(r.stdout).toBe("");
        return;
      }
      const objects = parseStream(r.stdout);
      expect(objects.length).toBeGreaterThan(0);
      const schema = validateObjects(objects);
      expect(schema.errors).toEqual([]);
      expect(schema.unknown).toEqual([]);
      if (c.invariants !== false) {
        const baseApp = copyApp(join(dir, "app"), { forks: [], forksDir });
        try {
          const base = runCli(["render", baseApp, ...args.filter((a, i) => a !== "--fork" && args[i - 1] !== "--fork" && a !== "--shared")]);
          expect(base.code).toBe(0);
          expect(checkInvariants(parseStream(base.stdout), objects)).toEqual([]);
        } finally {
          rmSync(baseApp, { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
