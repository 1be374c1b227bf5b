// Hosts: a fork's host `<id>.<domain>` must be a name the base neither serves nor accepts, or
// the fork's routing would take over (or shadow) a production host: a fork named `www` of domain
// example.com next to a base VirtualService for www.example.com. Exact names only (a base
// wildcard such as `*.example.com` is what fork hosts are expected to live under).
import type { GenContext } from "../generate/types.ts";
import { hostNamesOf } from "../model/hosts.ts";
import { forkHostOf } from "../model/ingress.ts";
import { refOf, type Manifest } from "../model/inputs.ts";
import { describe } from "../model/k8s.ts";
import type { Problem } from "../problems.ts";
import { forkViolation } from "./violation.ts";

/** Errors for every fork host the base already serves or accepts exactly, naming the base object. */
export function checkForkHosts(ctx: GenContext): Problem[] {
  const entries = ctx.manager.spec.ingress ?? [];
  if (entries.length === 0) return [];
  const served = new Map<string, string[]>();
  const firstServer = new Map<string, Manifest>();
  for (const m of ctx.index.manifests) {
    const ns = ctx.index.nsOf(m.object);
    const names = hostNamesOf(m.object, ns);
    if (names.length === 0) continue;
    const what = `${describe(m.object, ns)} (${m.doc.file}:${m.doc.line})`;
    for (const h of names) {
      const k = h.toLowerCase();
      const l = served.get(k);
      if (!l) {
        served.set(k, [what]);
        firstServer.set(k, m);
      }
      else if (!l.includes(what)) l.push(what);
    }
  }
  const problems: Problem[] = [];
  for (const fp of ctx.plan.forks)
    entries.forEach((entry, index) => {
      const r = forkHostOf(fp.id, entry.domain);
      if (r.invalid !== undefined) return; // the ingress generator reports it
      const by = served.get(r.host.toLowerCase());
      if (!by) return;
      const first = firstServer.get(r.host.toLowerCase())!;
      problems.push(
        forkViolation(fp.loaded, {
          code: "KF3004",
          ref: refOf(first, ctx.index.nsOf(first.object)),
          message: `the fork host ${r.host} (spec.ingress[${index}] of kubefork.yaml) is a host the base already serves: ${by.join(", ")}`,
          hint: `rename the fork: its identifier '${fp.id}' is a production name under ${entry.domain}`,
        }),
      );
    });
  return problems;
}
