// Process entry of the bundled CLI: wires the real process into `run` and sets the exit code.
import { EXIT } from "../problems.ts";
import { run } from "./program.ts";

// process.getBuiltinModule (Node >= 20.16) loads the costly built-ins on first use. On an older
// Node the CLI would start and then fail in the middle of a render: refuse at once instead.
if (typeof process.getBuiltinModule !== "function") {
  process.stderr.write(`error: kubefork needs Node.js 20.16 or later; this is ${process.version}\n`);
  process.exit(EXIT.usage);
}

const abort = new AbortController();
// Argo CD's repo-server sends SIGTERM at its deadline, then SIGKILL 5 s later: stop at once.
process.on("SIGTERM", () => {
  abort.abort();
  process.exit(143);
});

// `run` never rejects (its own failures are internal errors, exit 3); no top-level await, since the
// bundle is CommonJS (scripts/build.mjs).
void run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stderr.isTTY),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  now: () => Date.now(),
  signal: abort.signal,
}).then((code) => {
  process.exitCode = code;
});
