// The problem codes: one typed table (src/codes.ts), the README's "Problem codes" table generated
// from it, and every code in it used by some problem. `UPDATE_CODES=1 npx vitest run
// test/arch/codes.test.ts` rewrites the README table.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES, type ProblemCode } from "../../src/codes.ts";
import { error, formatProblem, warning } from "../../src/problems.ts";
import { ROOT } from "../helpers/cli.ts";

const BEGIN = "<!-- problem codes: generated from src/codes.ts by test/arch/codes.test.ts -->";
const END = "<!-- end of problem codes -->";

/** The README's table, as the code table writes it. */
export function codesTable(): string {
  const rows = (Object.entries(CODES) as [ProblemCode, { name: string; summary: string }][]).map(([code, c]) => `| ${code} | ${c.name} | ${c.summary} |`);
  return [BEGIN, "| code | name | what is wrong |", "|---|---|---|", ...rows, END].join("\n");
}

const RANGES: Record<string, string> = { "1": "load", "2": "validate", "3": "policy", "4": "plan", "5": "generate", "6": "usage", "7": "trace", "9": "internal" };

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
      expect(code).toMatch(/^KF[1-79]\d{3}$/);
      expect(RANGES[code[2]!], code).toBeDefined();
      expect(c.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(names.has(c.name), `${c.name} twice`).toBe(false);
      names.add(c.name);
      expect(c.summary).not.toMatch(/\n/);
    }
  });

  it("every live code in the table is given by some problem in src/, and no retired one is", () => {
    const text = sources(join(ROOT, "src")).filter((f) => !f.endsWith("codes.ts")).map((f) => readFileSync(f, "utf8")).join("\n");
    const entries = Object.entries(CODES) as [ProblemCode, { retiredFor?: string }][];
    expect(entries.filter(([code, c]) => !c.retiredFor && !text.includes(`"${code}"`)).map(([code]) => code)).toEqual([]);
    expect(entries.filter(([code, c]) => c.retiredFor && text.includes(`"${code}"`)).map(([code]) => code)).toEqual([]);
  });

  it("a retired code names the live code that took its place, and says so", () => {
    const retired = (Object.entries(CODES) as [ProblemCode, { summary: string; retiredFor?: string }][]).filter(([, c]) => c.retiredFor);
    expect(retired.map(([code]) => code)).toContain("KF5003");
    for (const [code, c] of retired) {
      const successor = CODES[c.retiredFor as ProblemCode] as { retiredFor?: string } | undefined;
      expect(successor, `${code} → ${c.retiredFor}`).toBeDefined();
      expect(successor!.retiredFor, `${c.retiredFor} is live`).toBeUndefined();
      expect(c.summary).toMatch(/^retired: .*\b/);
      expect(c.summary).toContain(c.retiredFor);
    }
  });

  it("a problem without a code, or with a code not in the table, does not compile", () => {
    // @ts-expect-error: every problem has a code
    const none = error({ message: "no code" });
    // @ts-expect-error: KF0000 is not in src/codes.ts
    const unknown = warning({ code: "KF0000", message: "not a code" });
    // The builders do not check at run time: the compiler is the check (npm test runs tsc).
    expect([none.code, unknown.code]).toEqual([undefined, "KF0000"]);
  });

  it("a problem prints its code after the message, before the hint", () => {
    expect(formatProblem({ kind: "invalid", severity: "error", code: "KF2001", file: "forks/eve.yaml", line: 9, column: 7, path: "spec.imagee", message: "unknown field 'imagee' in Fork", hint: "did you mean 'image'?" })).toBe(
      "forks/eve.yaml:9:7: error: spec.imagee: unknown field 'imagee' in Fork [KF2001]\n  hint: did you mean 'image'?",
    );
  });
});
