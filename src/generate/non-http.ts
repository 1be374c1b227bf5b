// Forked Services with ports Istio does not route as HTTP (src/model/protocol.ts): header routing
// cannot reach the fork through them, whatever the mesh flavour. One warning per Service, naming
// its ports and the forks; the mesh generators give such Services no HTTP routes of their own.
import { describe } from "../model/k8s.ts";
import { portProtocol, CARRIES_HTTP } from "../model/protocol.ts";
import type { ServicePlan } from "../plan/plan.ts";
import { warning } from "../problems.ts";
import { servicePorts } from "./mesh-istio.ts";
import { refOf } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

export function warnNonHttpServices(ctx: GenContext): GenResult {
  const out = emptyResult();
  const byFqdn = new Map<string, { sp: ServicePlan; forks: string[] }>();
  for (const fp of ctx.plan.forks)
    for (const sp of fp.services) {
      const e = byFqdn.get(sp.fqdn);
      if (e) e.forks.push(fp.id);
      else byFqdn.set(sp.fqdn, { sp, forks: [fp.id] });
    }
  for (const [, { sp, forks }] of [...byFqdn].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ports = servicePorts(sp.base.object);
    const tcp = ports.filter((p) => !CARRIES_HTTP[portProtocol(p)]);
    if (tcp.length === 0) continue;
    const what = tcp.map((p) => `${String(p.port)}${typeof p.name === "string" ? ` (${p.name})` : ""} is ${portProtocol(p)}`).join(", ");
    const all = tcp.length === ports.length;
    out.problems.push(
      warning({
        code: "KF5017",
        file: sp.base.doc.file,
        line: sp.base.doc.line,
        object: describe(sp.base.object, sp.namespace),
        ref: refOf(sp.base, sp.namespace),
        message: `port ${what} by Istio's protocol selection, not HTTP: header routing cannot reach the copy ${sp.copyName} of fork${forks.length > 1 ? "s" : ""} ${forks.join(", ")} through ${all ? "this Service" : "that port"}; its clients reach the baseline${all ? " (kubefork gives it no HTTP routes)" : ""}`,
        hint: "point the fork's clients at the copy by name (env or config), or fork the clients too; if the port does carry HTTP, name it http-... or set appProtocol: http",
      }),
    );
  }
  return out;
}
