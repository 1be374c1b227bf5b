// Which mesh flavour routes each forked host, decided once (SPEC invariant 4: routing follows the
// base, host by host).
//
// - A host some mesh VirtualService claims is Istio's: kubefork extends that VirtualService.
// - A host with HTTPRoutes attached to its Service (GAMMA) is Gateway API's: per-fork copies.
// - A host with neither takes `spec.routing`.
// - A host with both is an error naming both: Istio translates the HTTPRoutes into VirtualServices
//   of their own for the same host, and two mesh VirtualServices for one host are undefined
//   (analyzer IST0109; pilot/pkg/config/kube/gateway/route_collections.go, istio/istio 86c9f01f,
//   turns the rules for a Service parent into a VirtualService with hosts
//   `<name>.<namespace>.svc.<domain>`, for the `mesh` gateway).
//
// Routes bound to gateways (a VirtualService with `gateways` and no `mesh`, an HTTPRoute whose
// parent is a Gateway) decide no host: they get the fork rules of any forked Service they send to,
// whatever flavour routes that Service in the mesh (src/generate/mesh-*.ts).
import { virtualServiceHosts } from "../model/hosts.ts";
import { refOf, type Manifest } from "../model/inputs.ts";
import { asRecord, describe } from "../model/k8s.ts";
import { ROUTING_FLAVOURS, type RoutingFlavour } from "../model/manager.ts";
import { HTTPROUTE_KIND, isMeshVirtualService, isServiceParent, parentRefsOf, VS_KIND } from "../model/routes.ts";
import { istioHostSubsetOf } from "../util/host-patterns.ts";
import { error, type Problem } from "../problems.ts";
import type { BaseIndex } from "./base-index.ts";
import { serviceFqdn } from "./names.ts";
import type { Plan } from "./plan.ts";

/** From the base, once: the objects by which one flavour routes a host (FQDN) in the mesh. */
export type ClaimFinder = (index: BaseIndex) => (fqdn: string) => readonly Manifest[];

/** One finder per flavour: a flavour added to ROUTING_FLAVOURS without one does not compile. */
export type ClaimTable<F extends string = RoutingFlavour> = { readonly [K in F]: ClaimFinder };

export const BASE_CLAIMS: ClaimTable = {
  istio: meshVirtualServices,
  "gateway-api": serviceRoutes,
};

export interface HostRouting {
  flavour: RoutingFlavour;
  /** The base objects that route the host in that flavour; empty when `spec.routing` chose. */
  claims: readonly Manifest[];
}

export interface RoutingPlan {
  /** Forked Service FQDN → how the mesh routes it. A host both flavours claim has no entry (an error says why). */
  readonly hosts: ReadonlyMap<string, HostRouting>;
}

/** Is the host (a forked Service's FQDN) routed by this flavour? */
export function routedBy(routing: RoutingPlan, fqdn: string, flavour: RoutingFlavour): boolean {
  return routing.hosts.get(fqdn)?.flavour === flavour;
}

export function planRouting(index: BaseIndex, plan: Plan, fallback: RoutingFlavour): { routing: RoutingPlan; problems: Problem[] } {
  const hosts = new Map<string, HostRouting>();
  const problems: Problem[] = [];
  const forked = new Map<string, string[]>();
  for (const fp of plan.forks) for (const sp of fp.services) forked.set(sp.fqdn, [...(forked.get(sp.fqdn) ?? []), fp.id]);
  if (forked.size === 0) return { routing: { hosts }, problems };
  const finders = ROUTING_FLAVOURS.map((f) => [f, BASE_CLAIMS[f](index)] as const);
  for (const [fqdn, forks] of [...forked].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const found = finders.map(([flavour, find]) => ({ flavour, claims: find(fqdn) })).filter((c) => c.claims.length > 0);
    if (found.length > 1) {
      problems.push(bothFlavours(index, fqdn, forks, found));
      continue;
    }
    hosts.set(fqdn, found[0] ?? { flavour: fallback, claims: [] });
  }
  return { routing: { hosts }, problems };
}

function bothFlavours(index: BaseIndex, fqdn: string, forks: readonly string[], found: readonly HostRouting[]): Problem {
  const named = (m: Manifest) => `${describe(m.object, index.nsOf(m.object))} (${m.doc.file}:${m.doc.line})`;
  const [first] = found[0]!.claims;
  return error({
    code: "KF4030",
    ref: refOf(first!, index.nsOf(first!.object)),
    file: first!.doc.file,
    line: first!.doc.line,
    object: describe(first!.object, index.nsOf(first!.object)),
    message: `host ${fqdn}, forked by ${forks.join(", ")}, is routed in the mesh by both ${found.map((h) => h.claims.map(named).join(", ")).join(" and by ")}: Istio turns the HTTPRoute into a second VirtualService for the host, which leaves its routing undefined (IST0109), so kubefork cannot tell which routes to extend`,
    hint: "route each host with one API: remove the mesh VirtualService or the HTTPRoute attached to the Service from the base (a VirtualService bound only to gateways is fine)",
  });
}

/** Mesh VirtualServices by the hosts they claim (short names resolved in their namespace; wildcards cover). */
function meshVirtualServices(index: BaseIndex): (fqdn: string) => readonly Manifest[] {
  const exact = new Map<string, Manifest[]>();
  const wild: [string, Manifest][] = [];
  for (const m of index.ofKind(VS_KIND)) {
    if (!isMeshVirtualService(m.object)) continue;
    const ns = index.nsOf(m.object);
    for (const h of new Set(virtualServiceHosts(asRecord(m.object.spec)).map((h) => index.resolveHost(h, ns)))) {
      if (h.includes("*")) wild.push([h, m]);
      else exact.set(h, [...(exact.get(h) ?? []), m]);
    }
  }
  return (fqdn) => {
    const out = [...(exact.get(fqdn) ?? [])];
    for (const [p, m] of wild) if (istioHostSubsetOf(fqdn, p) && !out.includes(m)) out.push(m);
    return out;
  };
}

/** HTTPRoutes attached to a Service (GAMMA), producer or consumer, by the Service's FQDN. */
function serviceRoutes(index: BaseIndex): (fqdn: string) => readonly Manifest[] {
  const byService = new Map<string, Manifest[]>();
  for (const m of index.ofKind(HTTPROUTE_KIND)) {
    const ns = index.nsOf(m.object);
    const parents = new Set(parentRefsOf(m.object, ns).filter(isServiceParent).map((p) => serviceFqdn(p.name, p.namespace, index.clusterDomain)));
    for (const f of parents) byService.set(f, [...(byService.get(f) ?? []), m]);
  }
  return (fqdn) => byService.get(fqdn) ?? [];
}
