// SIGTERM (Argo CD's cmp-server at its deadline, SIGKILL 5 s later) and SIGINT end a render within
// 5 s whatever it is doing: in a long synchronous stretch of the pipeline (the render computes in
// a worker thread, src/cli/main.ts), or while base.command runs, in the worker or on the main
// thread before a render cache lookup (its process group is killed).
// Always with nothing on stdout, the problem KF1010 on stderr, and 128 + the signal's number.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs module without types
import { generateApp } from "../../bench/generate.mjs";
import { NOW_ARGS, startCli } from "../helpers/cli.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "kubefork-signals-"));
  dirs.push(d);
  return d;
}

/** The manager of a generated app with its base printed by `command` instead of read from base/. */
function withCommand(dir: string, command: string): void {
  const m = join(dir, "kubefork.yaml");
  writeFileSync(m, `${readFileSync(m, "utf8").trimEnd()}\n  base:\n    command: [sh, -c, ${JSON.stringify(command)}]\n`);
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The processes of a process group that are still running (not gone, not a zombie), from /proc. */
function liveInGroup(pgid: number): number[] {
  const live: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses; it ends at the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") live.push(Number(name));
  }
  return live;
}

const stopped = (signal: string) => `error: kubefork was stopped by ${signal} before the command finished; nothing was printed on stdout [KF1010]`;

describe("a signal ends a render within 5 s", () => {
  it("in a long synchronous stretch: parsing and rendering a large app (2,400 services, 600 forks)", async () => {
    const dir = tempDir();
    generateApp(dir, { services: 2400, forks: 600 }); // 9,600 documents: under the 10,000 of one file
    // The base through base.command, so that the test knows when reading is over: the command
    // prints 6 MB of manifests, then marks that it is done; the worker then parses and renders for
    // seconds (3 s on a quiet machine, 20 s on a loaded one) without returning to its event loop.
    const marker = join(dir, "printed");
    withCommand(dir, `for f in base/*.yaml; do cat "$f"; echo ---; done; : > ${JSON.stringify(marker)}`);
    const { child, done } = startCli(["render", dir, ...NOW_ARGS]);
    await until("base.command", () => existsSync(marker));
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    child.kill("SIGTERM");
    const r = await done;
    expect(Date.now() - t).toBeLessThan(5000);
    expect(r.stdout).toBe("");
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain(stopped("SIGTERM"));
  }, 90_000);

  // The full render runs base.command in the worker; `--shared` (the render cache on) runs it on
  // the main thread, which looks the render up before it hands the rest to a worker.
  it.each([
    ["SIGTERM", 143, "the full render", []],
    ["SIGINT", 130, "the full render", []],
    ["SIGTERM", 143, "--shared", ["--shared"]],
    ["SIGINT", 130, "--shared", ["--shared"]],
  ] as const)("%s while base.command runs: its whole process group is killed, exit %i (%s)", async (signal, code, _what, scope) => {
    const dir = tempDir();
    generateApp(dir, { services: 2, forks: 0 });
    const pidFile = join(dir, "pgid");
    // $$: the shell, which leads the group base.command runs in; one sleep left in the background.
    withCommand(dir, `echo $$ > ${JSON.stringify(pidFile)}; sleep 600 & sleep 600`);
    const { child, done } = startCli(["render", dir, ...scope, ...NOW_ARGS], { env: { TMPDIR: tempDir() } });
    await until("base.command", () => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"));
    const pgid = Number(readFileSync(pidFile, "utf8"));
    await until("both sleeps", () => liveInGroup(pgid).length >= 3, 10_000);
    const t = Date.now();
    child.kill(signal);
    const r = await done;
    expect(Date.now() - t).toBeLessThan(5000);
    expect(r.stdout).toBe("");
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toContain(stopped(signal));
    await until("the group to die", () => liveInGroup(pgid).length === 0, 5000);
  }, 30_000);
});
