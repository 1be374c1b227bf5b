// The problem codes: one typed table (src/codes.ts), the README's "Problem codes" table generated
// from it, and every code in it used by some problem. `UPDATE_CODES=1 npx vitest run
// test/arch/codes.test.ts` rewrites the README table.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES, type ProblemCode } from "../../src/codes.ts";
import { formatProblem } from "../../src/problems.ts";
import { ROOT } from "../helpers/cli.ts";

const BEGIN = "<!-- problem codes: generated from src/codes.ts by test/arch/codes.test.ts -->";
const END = "<!-- end of problem codes -->";

/** The README's table, as the code table writes it. */
export function codesTable(): string {
  const rows = (Object.entries(CODES) as [ProblemCode, { name: string; summary: string }][]).map(([code, c]) => `| ${code} | ${c.name} | ${c.summary} |`);
  return [BEGIN, "| code | name | what is wrong |", "|---|---|---|", ...rows, END].join("\n");
}

const RANGES: Record<string, string> = { "1": "load", "2": "validate", "3": "policy", "4": "plan", "5": "generate", "6": "usage", "9": "internal" };

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("problem codes", () => {
  it("the README's table is the code table", () => {
    const path = join(ROOT, "README.md");
    const readme = readFileSync(path, "utf8");
    const [a, b] = [readme.indexOf(BEGIN), readme.indexOf(END)];
    expect(a, "README.md has no problem code table").toBeGreaterThan(0);
    const current = readme.slice(a, b + END.length);
    if (process.env.UPDATE_CODES && current !== codesTable()) writeFileSync(path, readme.slice(0, a) + codesTable() + readme.slice(b + END.length));
    else expect(current).toBe(codesTable());
  });

  it("each code is KF and four digits in a range of the pipeline, with a unique name and a one-line summary", () => {
    const names = new Set<string>();
    for (const [code, c] of Object.entries(CODES)) {
      expect(code).toMatch(/^KF[1-69]\d{3}$/);
      expect(RANGES[code[2]!], code).toBeDefined();
      expect(c.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(names.has(c.name), `${c.name} twice`).toBe(false);
      names.add(c.name);
      expect(c.summary).not.toMatch(/\n/);
    }
  });

  it("every code in the table is given by some problem in src/", () => {
    const text = sources(join(ROOT, "src")).filter((f) => !f.endsWith("codes.ts")).map((f) => readFileSync(f, "utf8")).join("\n");
    expect(Object.keys(CODES).filter((code) => !text.includes(`"${code}"`))).toEqual([]);
  });

  it("a problem prints its code after the message, before the hint", () => {
    expect(formatProblem({ kind: "invalid", severity: "error", code: "KF2001", file: "forks/eve.yaml", line: 9, column: 7, path: "spec.imagee", message: "unknown field 'imagee' in Fork", hint: "did you mean 'image'?" })).toBe(
      "forks/eve.yaml:9:7: error: spec.imagee: unknown field 'imagee' in Fork [KF2001]\n  hint: did you mean 'image'?",
    );
  });
});
