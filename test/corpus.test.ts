// The corpus of bad inputs: test/corpus/<case>.yaml, each a change to the app in test/corpus/_app
// and what kubefork must say about it. Every case runs through the bundled CLI, `render` and
// `validate`, with a small heap (a limit that did not hold would run out of memory): the exit
// code, an EMPTY stdout, and a stderr line `<file>:<line>:...` holding the expected message.
//
// Case file:
//   files:            path → content: a string; null (delete the file); {repeat, times, prefix,
//                     suffix} (`{i}` in repeat is the repetition's index); {base64}; {symlink}
//                     (a link, target as written; `$OUTSIDE` is a directory outside the app)
//   many:             {path: "forks/f{i}.yaml", count, content}: many files at once
//   args:             extra arguments of render (after `--now`)
//   exit:             render's exit code (validate exits 1 for invalid input and policy violations)
//   file, line:       where the problem is reported (line omitted: the problem has none)
//   message:          an exact substring of that stderr line
//   validate: false   the case is about render's arguments only
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { load } from "js-yaml";
import { BUNDLE, ROOT } from "./helpers/cli.ts";

const CORPUS = join(ROOT, "test/corpus");
const NOW = ["--now", "2026-11-23T12:00:00Z"];

type Content = string | null | { repeat: string; times: number; prefix?: string; suffix?: string } | { base64: string } | { symlink: string };
interface Case {
  description?: string;
  files?: Record<string, Content>;
  many?: { path: string; count: number; content: string };
  args?: string[];
  exit: number;
  file?: string;
  line?: number;
  message: string;
  validate?: boolean;
}

const cases = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => ({ name: f.replace(/\.yaml$/, ""), spec: load(readFileSync(join(CORPUS, f), "utf8")) as Case }));

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

function materialize(c: Case): string {
  const top = mkdtempSync(join(tmpdir(), "kubefork-corpus-"));
  tmp.push(top);
  const outside = join(top, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n");
  mkdirSync(join(outside, "forks"));
  writeFileSync(join(outside, "forks/eve.yaml"), readFileSync(join(CORPUS, "_app/forks/alice.yaml"), "utf8").replace("alice", "eve"));
  const dir = join(top, "app");
  cpSync(join(CORPUS, "_app"), dir, { recursive: true });
  const write = (path: string, content: Content) => {
    const abs = join(dir, path);
    rmSync(abs, { force: true, recursive: true });
    if (content === null) return;
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof content === "string") writeFileSync(abs, content);
    else if ("repeat" in content) {
      const parts: string[] = [content.prefix ?? ""];
      for (let i = 0; i < content.times; i++) parts.push(content.repeat.replaceAll("{i}", String(i)));
      parts.push(content.suffix ?? "");
      writeFileSync(abs, parts.join(""));
    } else if ("base64" in content) writeFileSync(abs, Buffer.from(content.base64, "base64"));
    else symlinkSync(content.symlink.replace("$OUTSIDE", outside), abs);
  };
  for (const [path, content] of Object.entries(c.files ?? {})) write(path, content);
  if (c.many) for (let i = 0; i < c.many.count; i++) write(c.many.path.replaceAll("{i}", String(i)), c.many.content.replaceAll("{i}", String(i)));
  return dir;
}

/** The bundle in its own process with a small heap; cases run concurrently. */
function cli(args: string[]): Promise<{ code: number; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--max-old-space-size=192", BUNDLE, ...args], { env: { PATH: process.env.PATH, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}

function expectReported(stderr: string, c: Case): void {
  const lines = stderr.split("\n");
  const prefix = c.file === undefined ? "" : c.line === undefined ? `${c.file}: ` : `${c.file}:${c.line}:`;
  const hit = lines.find((l) => l.startsWith(prefix) && l.includes(c.message));
  expect(hit, `no stderr line starting with ${JSON.stringify(prefix)} containing ${JSON.stringify(c.message)} in:\n${stderr}`).toBeDefined();
}

describe.concurrent("corpus of bad inputs", () => {
  it("holds at least 40 cases, each failing", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const { name, spec } of cases) expect(spec.exit, name).not.toBe(0);
  });

  for (const { name, spec } of cases) {
    describe.concurrent(name, () => {
      const dir = materialize(spec);
      it(`render exits ${spec.exit} with an empty stdout`, async () => {
        const r = await cli(["render", dir, ...NOW, ...(spec.args ?? [])]);
        expect(r.signal, r.stderr).toBeNull();
        expect(r.stdout).toBe("");
        expectReported(r.stderr, spec);
        expect(r.code, r.stderr).toBe(spec.exit);
      });
      if (spec.validate !== false)
        it("validate reports it too", async () => {
          const r = await cli(["validate", dir, ...NOW]);
          expect(r.stdout).toBe("");
          expectReported(r.stderr, spec);
          expect(r.code, r.stderr).toBe(spec.exit === 3 ? 3 : 1);
        });
    });
  }
});
