// Hosts: a fork's host `<id>.<domain>` must be a name the base neither serves nor accepts, or
// the fork's routing would take over (or shadow) a production host: a fork named `www` of domain
// example.com next to a base VirtualService for www.example.com. Exact names only (a base
// wildcard such as `*.example.com` is what fork hosts are expected to live under).
import { forkHost } from "../generate/ingress-common.ts";
import type { GenContext } from "../generate/types.ts";
import { refOf, type Manifest } from "../model/inputs.ts";
import { asArray, asRecord, describe } from "../model/k8s.ts";
import { kindKey } from "../plan/base-index.ts";
import type { Problem } from "../problems.ts";
import { forkViolation } from "./violation.ts";

type Spec = Record<string, unknown>;
const strings = (v: unknown): string[] => asArray(v).filter((x): x is string => typeof x === "string");

/** The host names a base object serves or accepts, by kind (index key). */
export const BASE_HOSTS: Record<string, (spec: Spec) => string[]> = {
  "networking.istio.io/VirtualService": (s) => strings(s.hosts),
  // Istio Gateway server hosts are `[namespace/]host`.
  "networking.istio.io/Gateway": (s) => asArray(s.servers).flatMap((x) => strings(asRecord(x)?.hosts).map((h) => h.slice(h.indexOf("/") + 1))),
  "gateway.networking.k8s.io/HTTPRoute": (s) => strings(s.hostnames),
  "gateway.networking.k8s.io/GRPCRoute": (s) => strings(s.hostnames),
  "gateway.networking.k8s.io/TLSRoute": (s) => strings(s.hostnames),
  "gateway.networking.k8s.io/Gateway": (s) => asArray(s.listeners).flatMap((l) => strings([asRecord(l)?.hostname])),
  "getambassador.io/Mapping": (s) => strings([s.host, s.hostname]),
  "getambassador.io/Host": (s) => strings([s.hostname]),
};

/** Errors for every fork host the base already serves or accepts exactly, naming the base object. */
export function checkForkHosts(ctx: GenContext): Problem[] {
  const entries = ctx.manager.spec.ingress ?? [];
  if (entries.length === 0) return [];
  const served = new Map<string, string[]>();
  const firstServer = new Map<string, Manifest>();
  for (const m of ctx.index.manifests) {
    const hostsOf = BASE_HOSTS[kindKey(m.object)];
    if (!hostsOf) continue;
    const what = `${describe(m.object, ctx.index.nsOf(m.object))} (${m.doc.file}:${m.doc.line})`;
    for (const h of hostsOf(asRecord(m.object.spec) ?? {})) {
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
      const r = forkHost(ctx, fp, entry, index);
      if (!("host" in r)) return; // the ingress generator reports it
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
