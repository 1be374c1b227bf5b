// `kubefork trace [DIR] --host HOST [--header ID] [--path /p] [--from NS | --gateway NS/NAME]
// [--then HOST]...`: renders the app, then follows one request through the rendered routing, hop
// by hop, as the mesh (or the gateway) would route it.
import { startCommand } from "./common.ts";
import { error, EXIT, exitCodeFor, hasErrors, isError, warning, type Problem } from "../problems.ts";
import { render } from "../render.ts";
import { planTrace } from "../review/trace-request.ts";
import { formatTrace, traceChain } from "../trace/index.ts";
import { paintStdout, type Io } from "./io.ts";
import { printProblems } from "./report.ts";

export interface TraceFlags {
  host?: string;
  header?: string;
  carrier?: string[];
  forward?: string[];
  requestHeader?: string[];
  path?: string;
  method?: string;
  from?: string;
  gateway?: string;
  then?: string[];
  now?: string;
  namespace?: string;
  output?: string;
}

export async function traceCommand(io: Io, dir: string | undefined, flags: TraceFlags): Promise<number> {
  if (!flags.host) {
    printProblems(io, [error({ code: "KF6031", message: "kubefork trace needs --host", hint: "e.g. kubefork trace --host reviews --header alice" })]);
    return EXIT.usage;
  }
  const start = await startCommand(io, dir, flags, "valid");
  if (typeof start === "number") return start;
  const { now, app } = start;
  // A broken fork file is left out (with a warning) so that the others can still be traced.
  const broken = new Set(app.forkProblems.filter(isError).map((p) => p.file));
  const forkWarnings: Problem[] = app.forkProblems.map((p) => (isError(p) ? warning({ ...p, kind: p.kind, message: `${p.message} — fork left out of the trace` }) : p));
  const ns = start.defaultNamespace;
  const result = render(
    { manager: app.manager, base: app.base, forks: app.forks.filter((f) => !broken.has(f.file)), forkProblems: forkWarnings, forkFiles: app.forkFiles },
    { now, scope: { kind: "all" }, defaultNamespace: ns },
  );
  if (hasErrors(result.problems)) {
    printProblems(io, result.problems);
    return exitCodeFor(result.problems);
  }
  const planned = planTrace(result.objects, app.manager.manager, {
    host: flags.host,
    path: flags.path,
    method: flags.method,
    fork: flags.header,
    carriers: flags.carrier?.flatMap((c) => c.split(",")).filter(Boolean),
    headers: flags.requestHeader,
    from: flags.from,
    gateway: flags.gateway,
    then: flags.then,
    defaultNamespace: ns,
  });
  if (planned.errors.length) {
    printProblems(io, planned.errors.map((message) => error({ code: "KF6032", message })));
    return EXIT.usage;
  }
  printProblems(io, result.problems.filter((p) => p.severity !== "note"));
  // --forward: the headers the apps on the path forward on their calls (default: all of them).
  const forward = flags.forward?.flatMap((f) => f.split(",")).map((f) => f.trim().toLowerCase()).filter((f) => f && f !== "none");
  const traced = traceChain(result.objects, planned.request, planned.next, forward ? { propagate: forward } : {});
  if (flags.output === "json") {
    io.stdout(`${JSON.stringify({ request: planned.request, next: planned.next, ...traced }, null, 2)}\n`);
    return EXIT.ok;
  }
  const c = paintStdout(io);
  const r = planned.request;
  const hdrs = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  const head = `${c.bold(`${r.method ?? "GET"} http://${r.host}${r.path ?? "/"}`)}${hdrs.length ? `  ${hdrs.join(", ")}` : ""}\n  ${planned.entry}\n`;
  const body = formatTrace(traced)
    .split("\n")
    .map((l) => (/^hop \d+/.test(l) ? c.bold(l) : /^\s+\u2192 /.test(l) ? l.replace(/\u2192 no workload|no such Service/, (m) => c.red(m)) : /^(error|warning):/.test(l) ? l.replace(/^(error|warning):/, (m) => (m.startsWith("error") ? c.red(m) : c.yellow(m))) : l))
    .join("\n");
  io.stdout(`${head}${body}`);
  return EXIT.ok;
}
