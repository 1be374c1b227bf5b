// `kubefork headers ID [DIR] [-o json|curl|env]`: the headers of one request into fork ID, every
// carrier of kubefork.yaml included, with a freshly minted trace context under the fork's
// trace-id prefix (traceparent, and the same ids as B3 headers), for test suites and scripts.
import { startCommand } from "./common.ts";
import { forkIdFromPath } from "../util/fork-id.ts";
import { carrierSpec, requestHeaders } from "../generate/carriers.ts";
import { mintTrace } from "../model/carriers.ts";
import { isExpired } from "../plan/plan.ts";
import { EXIT, exitCodeFor, noSuchFork, warning } from "../problems.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";

export interface HeadersFlags {
  output?: string;
  now?: string;
}

export async function headersCommand(io: Io, id: string, dir: string | undefined, flags: HeadersFlags): Promise<number> {
  // The headers depend on kubefork.yaml and the fork file alone: a broken base does not stop them.
  const start = await startCommand(io, dir, flags, "manager");
  if (typeof start === "number") return start;
  const { now, app } = start;
  const fork = app.forks.find((f) => f.id === id);
  if (!fork) {
    const own = app.forkProblems.filter((p) => p.file !== undefined && forkIdFromPath(p.file) === id);
    const problems = own.length ? own : [noSuchFork(app.manager.manager.spec.forksDir, id, app.forks.map((f) => f.id))];
    printProblems(io, problems);
    return exitCodeFor(problems) || EXIT.invalid;
  }
  if (isExpired(fork, now))
    printProblems(io, [warning({ code: "KF6028", file: fork.file, message: `fork '${id}' expired at ${fork.fork.spec.expires}: it is no longer rendered, so these headers reach the baseline` })]);
  const random = io.random?.(16) ?? globalThis.crypto.getRandomValues(new Uint8Array(16));
  const headers = requestHeaders(carrierSpec(app.manager.manager), id, mintTrace(id, random));
  io.stdout(formatHeaders(headers, flags.output ?? "json"));
  return EXIT.ok;
}

/** Header names and values as one JSON object, curl `-H` arguments, or env lines (NAME=value). */
export function formatHeaders(headers: readonly [string, string][], format: string): string {
  if (format === "curl") return `${headers.map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`).join(" ")}\n`;
  if (format === "env") return headers.map(([k, v]) => `${k.toUpperCase().replace(/[^A-Z0-9]/g, "_")}=${shellQuote(v)}\n`).join("");
  return `${JSON.stringify(Object.fromEntries(headers), null, 2)}\n`;
}

/** A word for a POSIX shell: as is when it holds only safe characters, else single-quoted. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_=.:,\/+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
