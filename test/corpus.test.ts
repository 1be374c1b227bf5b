// The corpus of bad inputs: test/corpus/<case>.yaml, each a change to the app in test/corpus/_app
// and what kubefork must say about it. Every case runs through the bundled CLI, `render` and
// `validate`, with a small heap (a limit that did not hold would run out of memory): the exit
// code, an EMPTY stdout, and a stderr line `<file>:<line>:...` holding the expected message.
//
// Case file:
//   files:            path → content: a string; null (delete the file); {repeat, times, prefix,
//                     suffix} (`{i}` in repeat is the repetition's index); {base64}; {symlink}
//                     (a link, target as written; `$OUTSIDE` is a directory outside the app);
//                     {text, mode} or {dir: true, mode} (a file or directory with that mode);
//                     {fifo: true} (a named pipe: reading it would block forever)
//   rawNames:         percent-encoded path (`base/caf%E9.yaml`, bytes that need not be UTF-8) → text
//   user: nobody      run render and validate as nobody (tests run as root, who reads anything)
//   many:             {path: "forks/f{i}.yaml", count, content}: many files at once
//   args:             extra arguments of render (after `--now`)
//   exit:             render's exit code (validate exits 1 for invalid input and policy violations)
//   file, line:       where the problem is reported (line omitted: the problem has none)
//   message:          an exact substring of that stderr line
//   code:             the problem's code (src/codes.ts), which ends that line; every case has one
//   validate: false   the case is about render's arguments only
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { load } from "js-yaml";
import type { ProblemCode } from "../src/codes.ts";
import { BUNDLE, ROOT } from "./helpers/cli.ts";

const CORPUS = join(ROOT, "test/corpus");
const NOW = ["--now", "2026-11-23T12:00:00Z"];

type Content =
  | string
  | null
  | { repeat: string; times: number; prefix?: string; suffix?: string }
  | { base64: string }
  | { symlink: string }
  | { text: string; mode?: number }
  | { dir: true; mode?: number }
  | { fifo: true };
interface Case {
  description?: string;
  files?: Record<string, Content>;
  many?: { path: string; count: number; content: string };
  args?: string[];
  exit: number;
  file?: string;
  line?: number;
  message: string;
  code: ProblemCode;
  validate?: boolean;
  rawNames?: Record<string, string>;
  user?: "nobody";
}

const NOBODY = 65534;

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
    else if ("text" in content) writeFileSync(abs, content.text);
    else if ("dir" in content) mkdirSync(abs);
    else if ("fifo" in content) execFileSync("mkfifo", [abs]);
    else symlinkSync(content.symlink.replace("$OUTSIDE", outside), abs);
    if (content && typeof content === "object" && "mode" in content && content.mode !== undefined) modes.push([abs, content.mode]);
  };
  const modes: [string, number][] = [];
  for (const [path, content] of Object.entries(c.files ?? {})) write(path, content);
  if (c.many) for (let i = 0; i < c.many.count; i++) write(c.many.path.replaceAll("{i}", String(i)), c.many.content.replaceAll("{i}", String(i)));
  for (const [path, text] of Object.entries(c.rawNames ?? {})) writeFileSync(Buffer.from(join(dir, path).replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1"), text);
  if (c.user) chmodTree(top);
  for (const [abs, mode] of modes) chmodSync(abs, mode);
  return dir;
}

/** Lets another user read the case's directories (mkdtemp makes them private). */
function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) chmodTree(abs);
    else if (e.isFile()) chmodSync(abs, 0o644);
  }
}

/** The bundle in its own process with a small heap; cases run concurrently. */
function cli(args: string[], user?: "nobody"): Promise<{ code: number; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--max-old-space-size=192", BUNDLE, ...args], {
      env: { PATH: process.env.PATH, NO_COLOR: "1" },
      ...(user ? { uid: NOBODY, gid: NOBODY } : {}),
    });
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
  expect(c.code, "every corpus case names the code it gives").toMatch(/^KF\d{4}$/);
  expect(/ \[(KF\d{4})\]$/.exec(hit!)?.[1], `the code at the end of: ${hit}`).toBe(c.code);
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
        const r = await cli(["render", dir, ...NOW, ...(spec.args ?? [])], spec.user);
        expect(r.signal, r.stderr).toBeNull();
        expect(r.stdout).toBe("");
        expectReported(r.stderr, spec);
        expect(r.code, r.stderr).toBe(spec.exit);
      });
      if (spec.validate !== false)
        it("validate reports it too", async () => {
          const r = await cli(["validate", dir, ...NOW], spec.user);
          expect(r.stdout).toBe("");
          expectReported(r.stderr, spec);
          expect(r.code, r.stderr).toBe(spec.exit === 3 ? 3 : 1);
        });
    });
  }
});
