// Process entry of the bundled CLI: wires the real process into `run` and sets the exit code.
import { run } from "./program.ts";

const abort = new AbortController();
// Argo CD's repo-server sends SIGTERM at its deadline, then SIGKILL 5 s later: stop at once.
process.on("SIGTERM", () => {
  abort.abort();
  process.exit(143);
});

// `run` never rejects; no top-level await, since the bundle is CommonJS (scripts/build.mjs).
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
