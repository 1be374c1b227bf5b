// Process entry of the bundled CLI: wires the real process into `run` and sets the exit code.
//
// SIGTERM and SIGINT end the process whatever the command is doing. Argo CD's cmp-server sends
// SIGTERM at its deadline and SIGKILL 5 s later; a JavaScript signal handler runs only when its
// thread is free, and a render can be busy for long in one synchronous stretch (a huge input, a
// pathological patch list). So `render`, what Argo CD runs, computes in a worker thread: this file
// is also the worker's entry (the same bundle, started again with workerData). The main thread
// starts the render itself, up to the render cache's lookup (reading and hashing the inputs,
// awaiting base.command: bounded steps, between which a signal is handled), and serves a hit
// without a worker, whose start costs about half a bare node start. What is left to compute it
// hands to the worker (Io.offload), with base.command's output, and relays the worker's output.
// On a signal it kills base.command's process groups (reported through src/cli/supervisor.ts),
// prints the problem, and exits 143 (SIGTERM) or 130 (SIGINT), 128 + the signal's number as a
// shell reports a process the signal killed. stdout is written only once the command has
// returned, all of it, synchronously: never a partial render.
import { writeSync } from "node:fs";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { error, EXIT, formatProblem, type Problem } from "../problems.ts";
import type { Handoff, Io } from "./io.ts";
import { GroupTable, superviseWith } from "./supervisor.ts";

type StopSignal = "SIGTERM" | "SIGINT";

/** 128 + the signal's number. */
const SIGNAL_EXIT: Record<StopSignal, number> = { SIGTERM: 143, SIGINT: 130 };

/** Commands that compute in a worker thread. The others (run by people and CI, not Argo CD) keep the main thread and start faster. */
const WORKER_COMMANDS = new Set(["render"]);

/** How long a worker that has returned may take to end. */
const WORKER_END_MS = 1000;

/** What the main thread gives the worker. */
interface WorkerData {
  kubeforkArgv: string[];
  /** The GroupTable's slots, shared. */
  groups: Int32Array;
  /** What the main thread did before it handed the render over. */
  handoff: Handoff;
  isTTY: boolean;
  stdoutIsTTY: boolean;
}

/** What the worker tells the main thread, in order. */
type FromWorker = { stdout: Uint8Array } | { stderr: string } | { exit: number };

if (isMainThread) main();
else workerMain(workerData as WorkerData);

function main(): void {
  // process.getBuiltinModule (Node >= 20.16) loads the costly built-ins on first use. On an older
  // Node the CLI would start and then fail in the middle of a render: refuse at once instead.
  if (typeof process.getBuiltinModule !== "function") {
    process.stderr.write(`error: kubefork needs Node.js 20.16 or later; this is ${process.version}\n`);
    process.exit(EXIT.usage);
  }
  const argv = process.argv.slice(2);
  const groups = new GroupTable();
  const threaded = WORKER_COMMANDS.has(argv[0] ?? "");
  const done = { printed: false };
  const stop = (sig: StopSignal) => {
    // stdout was written in full: the command had finished; the worker is ending.
    if (done.printed) process.exit();
    groups.killAll();
    writeAll(2, `${formatProblem(stopped(sig, threaded))}\n`);
    process.exit(SIGNAL_EXIT[sig]);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  superviseWith(groups);
  if (threaded) renderOnMainThread(argv, groups, done);
  else {
    // `run` never rejects (its own failures are internal errors, exit 3); no top-level await, since
    // the bundle is CommonJS (scripts/build.mjs).
    void runCommand(argv, processIo()).then((code) => {
      process.exitCode = code;
    });
  }
}

/** `nothingPrinted`: the command ran in the worker, whose stdout is written only once it has returned. */
function stopped(sig: StopSignal, nothingPrinted: boolean): Problem {
  return error({
    code: "KF1010",
    message: `kubefork was stopped by ${sig} before the command finished${nothingPrinted ? "; nothing was printed on stdout" : ""}`,
    hint:
      "under Argo CD the render ran past its deadline (server.repo.server.timeout.seconds and controller.repo.server.timeout.seconds in argocd-cmd-params-cm, 60 s by default; " +
      "ARGOCD_EXEC_TIMEOUT on the sidecar, 90 s): time `kubefork render` on the same commit",
  });
}

function processIo(): Io {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    now: () => Date.now(),
  };
}

/**
 * A render: started on this thread, which serves a render cache hit itself and hands the rest to
 * a worker (renderInWorker). stderr is written at once, stdout once the command has returned.
 */
function renderOnMainThread(argv: string[], groups: GroupTable, done: { printed: boolean }): void {
  const out: (string | Uint8Array)[] = [];
  const io: Io = {
    ...processIo(),
    stdout: (s) => out.push(s),
    stderr: (s) => writeAll(2, s),
    offload: (handoff) => renderInWorker({ kubeforkArgv: argv, groups: groups.slots, handoff, isTTY: io.isTTY, stdoutIsTTY: io.stdoutIsTTY ?? io.isTTY }, out),
  };
  void runCommand(argv, io).then((code) => {
    for (const chunk of out) writeAll(1, chunk);
    done.printed = true;
    process.exitCode = code;
    // A worker, done, ends by itself (its handles closed) and then the process; if something
    // still holds it, the process ends a second later all the same.
    setTimeout(() => process.exit(code), WORKER_END_MS).unref();
  });
}

/**
 * Runs the render in a worker thread; relays its stderr at once, and its stdout into `out` when it
 * has returned (none when it failed). Resolves to its exit code.
 */
function renderInWorker(data: WorkerData, out: (string | Uint8Array)[]): Promise<number> {
  return new Promise((resolve) => {
    // stdout: true: the worker's own process.stdout is not this process's; the command writes only
    // through its Io, and anything else that might write there goes to stderr.
    const worker = new Worker(__filename, { workerData: data, stdout: true });
    worker.stdout.on("data", (d: Buffer) => writeAll(2, d));
    const mine: Uint8Array[] = [];
    let ended = false;
    const end = (code: number, problem?: Problem) => {
      if (ended) return;
      ended = true;
      if (problem) writeAll(2, `${formatProblem(problem)}\n`);
      else out.push(...mine);
      resolve(code);
    };
    worker.on("message", (m: FromWorker) => {
      if ("stderr" in m) writeAll(2, m.stderr);
      else if ("stdout" in m) mine.push(m.stdout);
      else end(m.exit);
    });
    worker.on("error", (e: Error & { code?: string }) => {
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") end(EXIT.invalid, outOfMemory());
      else end(EXIT.internal, error({ kind: "internal", code: "KF9001", message: `unexpected failure: ${e.message}`, hint: "this is a bug in kubefork; please report it with the stack below", stack: e.stack }));
    });
    worker.on("exit", () => end(EXIT.internal, error({ kind: "internal", code: "KF9001", message: "the render thread ended without a result", hint: "this is a bug in kubefork; please report it" })));
  });
}

function outOfMemory(): Problem {
  return error({
    code: "KF1011",
    message: "kubefork ran out of memory (its heap limit) before the command finished; nothing was printed on stdout",
    hint: "raise the sidecar's memory limit and NODE_OPTIONS=--max-old-space-size, or split the application",
  });
}

/**
 * Writes all of it, synchronously: a process that exits right after leaves nothing queued (a
 * stream's write to a pipe is asynchronous once the pipe is full, and process.exit drops the rest).
 */
function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  for (let at = 0; at < buf.length; ) {
    try {
      at += writeSync(fd, buf, at);
    } catch (e) {
      // A descriptor another process left non-blocking: wait for the reader.
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** The worker: runs the command with an Io that posts to the main thread. */
function workerMain(data: WorkerData): void {
  const port = parentPort!;
  const post = (m: FromWorker) => port.postMessage(m);
  superviseWith(new GroupTable(data.groups));
  void runCommand(data.kubeforkArgv, {
    // As bytes, moved to the main thread rather than copied (the render's YAML can be tens of MB).
    stdout: (s) => {
      const bytes = new TextEncoder().encode(s);
      port.postMessage({ stdout: bytes } satisfies FromWorker, [bytes.buffer]);
    },
    stderr: (s) => post({ stderr: s }),
    env: process.env,
    cwd: process.cwd(),
    isTTY: data.isTTY,
    stdoutIsTTY: data.stdoutIsTTY,
    now: () => Date.now(),
    handoff: data.handoff,
  }).then((code) => {
    post({ exit: code });
    port.close();
  });
}

/** `run`, imported when used (`--version` alone needs little of it). */
async function runCommand(argv: readonly string[], io: Io): Promise<number> {
  return (await import("./program.ts")).run(argv, io);
}
