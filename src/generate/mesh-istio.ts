// Istio mesh routing (invariant 4): exactly one mesh VirtualService per forked host.
//
// A base mesh VirtualService that claims a forked host, or routes to one, is extended: each of its
// http routes gains, per fork, a copy placed before the base routes, whose match blocks are ANDed
// with the fork match (one block per carrier of spec.carriers: src/generate/carriers.ts), whose
// rewrites, timeouts, retries and header operations are kept, and whose destinations on forked
// Services, or on versions of them (src/plan/versions.ts), go to the fork's copy of the widest
// forked Service (subsets dropped; weights on the same host collapsed): the host is pinned.
// Requests without the fork match meet exactly the base routes, in their order.
// A forked host that no mesh VirtualService claims, and that the plan gives Istio (src/plan/routing.ts),
// gets a new, shared one: a route per fork, then a catch-all route to the original Service.
// Gateway VirtualServices that send to a forked Service are extended whatever flavour routes it.
import { virtualServiceHosts } from "../model/hosts.ts";
import type { Manifest } from "../model/inputs.ts";
import { asArray, asRecord, clone, describe, kindKey, mapSelects, type KObject } from "../model/k8s.ts";
import { podLabelsOf, type BaseIndex } from "../plan/base-index.ts";
import { FORKS_ANNOTATION } from "../plan/labels.ts";
import { fitName } from "../plan/names.ts";
import type { ForkPlan } from "../plan/plan.ts";
import { routedBy } from "../plan/routing.ts";
import { forkTarget, pinningForks, type ForkTarget } from "../plan/versions.ts";
import { error, warning, type Problem } from "../problems.ts";
import { refOf, sharedMetadata, takenRef } from "./meta.ts";
import { carriesHttp } from "../model/protocol.ts";
import { isMeshVirtualService, VS_KIND } from "../model/routes.ts";
import { istioHostSubsetOf } from "../util/host-patterns.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";
import { andIstioMatch, carrierSpec, istioFragments, type IstioFragment } from "./carriers.ts";

export { isMeshVirtualService, VS_KIND } from "../model/routes.ts";
export const DR_KIND = "networking.istio.io/DestinationRule";
export const DEFAULT_ISTIO_API = "networking.istio.io/v1";

type Route = Record<string, unknown> & { name?: string; match?: Match[]; route?: Destination[] };
type Match = Record<string, unknown> & { headers?: Record<string, unknown> };
export type Destination = Record<string, unknown> & { destination?: { host?: string; subset?: string; port?: { number?: number } }; weight?: number };

export { baggageRegex } from "./carriers.ts";

/** Istio API version for new objects: the one the base already uses, else networking.istio.io/v1. */
export function istioApiVersion(manifests: readonly Manifest[]): string {
  for (const m of manifests) if (m.object.apiVersion.startsWith("networking.istio.io/")) return m.object.apiVersion;
  return DEFAULT_ISTIO_API;
}

/** What the steps of one Istio mesh run share. */
interface MeshRun {
  ctx: GenContext;
  out: GenResult;
  /** The fork's match blocks, one per carrier; `source` only where sidecars route (`mesh`). */
  carriers: (mesh: boolean) => (id: string) => IstioFragment[];
  /** Forked Service FQDN → the forks that fork it, in plan order. */
  forkedHosts: Map<string, ForkPlan[]>;
  /** Exact host (FQDN) → the mesh VirtualServices that claim it. */
  claims: Map<string, Manifest[]>;
}

/**
 * The steps, in order: which mesh VirtualServices claim which forked hosts, the extension of every
 * VirtualService that routes a forked host, the sourceLabels warnings, then new VirtualServices for
 * the forked hosts the plan gives Istio that none claims.
 */
export function generateIstioMesh(ctx: GenContext): GenResult {
  const out = emptyResult();
  const forks = ctx.plan.forks;
  if (forks.length === 0) return out;
  // One match block per carrier (src/generate/carriers.ts); `source` only where sidecars route.
  const cs = carrierSpec(ctx.manager);
  const allVS = ctx.index.ofKind(VS_KIND);
  const meshVS = allVS.filter((m) => isMeshVirtualService(m.object));
  const forkedHosts = hostsOfForks(forks);
  const run: MeshRun = { ctx, out, carriers: (mesh) => (id) => istioFragments(cs, id, { mesh }), forkedHosts, claims: hostClaims(ctx, meshVS, forkedHosts, out.problems) };
  warnSharedHosts(run);
  extendVirtualServices(run, allVS);
  out.problems.push(...sourceLabelWarnings(meshVS, forks, ctx.index.nsOf));
  addHostVirtualServices(run);
  return out;
}

/** Forked Service FQDN → the forks that fork it, in plan order. */
function hostsOfForks(forks: readonly ForkPlan[]): Map<string, ForkPlan[]> {
  const forkedHosts = new Map<string, ForkPlan[]>();
  for (const fp of forks)
    for (const sp of fp.services) {
      const l = forkedHosts.get(sp.fqdn);
      if (l) l.push(fp);
      else forkedHosts.set(sp.fqdn, [fp]);
    }
  return forkedHosts;
}

/** The exact hosts each mesh VirtualService claims; a wildcard host that covers a forked host is an error. */
function hostClaims(ctx: GenContext, meshVS: readonly Manifest[], forkedHosts: ReadonlyMap<string, ForkPlan[]>, problems: Problem[]): Map<string, Manifest[]> {
  const { index } = ctx;
  const claims = new Map<string, Manifest[]>();
  for (const m of meshVS) {
    const ns = index.nsOf(m.object);
    for (const h of virtualServiceHosts(asRecord(m.object.spec))) {
      const fqdn = index.resolveHost(h, ns);
      if (fqdn.includes("*")) {
        for (const forked of forkedHosts.keys())
          if (istioHostSubsetOf(forked, fqdn))
            problems.push(
              error({
                code: "KF5009",
                file: m.doc.file,
                line: m.doc.line,
                object: describe(m.object, ns),
                ref: refOf(m, ns),
                message: `the wildcard host '${h}' claims the forked host ${forked}; kubefork cannot extend a wildcard VirtualService without changing routing for other hosts`,
                hint: `give ${forked} its own VirtualService in the base (Istio prefers the exact host), then kubefork extends it`,
              }),
            );
        continue;
      }
      const l = claims.get(fqdn);
      if (l) l.push(m);
      else claims.set(fqdn, [m]);
    }
  }
  return claims;
}

/** A forked host that several mesh VirtualServices claim: Istio leaves that undefined (IST0109); kubefork extends each. */
function warnSharedHosts(run: MeshRun): void {
  const { index } = run.ctx;
  for (const [host, vss] of run.claims) {
    if (vss.length > 1 && run.forkedHosts.has(host))
      run.out.problems.push(
        warning({
          code: "KF5010",
          file: vss[1]!.doc.file,
          line: vss[1]!.doc.line,
          object: describe(vss[1]!.object, index.nsOf(vss[1]!.object)),
          ref: refOf(vss[1]!, index.nsOf(vss[1]!.object)),
          message: `${vss.length} mesh VirtualServices claim ${host} (${vss.map((v) => describe(v.object, index.nsOf(v.object))).join(", ")}); Istio leaves that undefined (IST0109). kubefork extends each of them`,
          hint: "merge them into one VirtualService per host",
        }),
      );
  }
}

/**
 * Extend every mesh VirtualService that claims or routes to a forked host, and every gateway
 * VirtualService that routes to one: a gateway sends straight to the endpoints of its
 * destination (mesh VirtualServices are not applied again there), so a request that enters
 * through the shared domain with the fork header needs the fork routes at the gateway too.
 */
function extendVirtualServices(run: MeshRun, allVS: readonly Manifest[]): void {
  const { index, plan } = run.ctx;
  const pinnedBy = pinningOf(index, plan.forks);
  for (const m of allVS) {
    const ns = index.nsOf(m.object);
    const mesh = isMeshVirtualService(m.object);
    const spec = asRecord(m.object.spec) ?? {};
    const http = asArray(spec.http) as Route[];
    const touched = new Set<ForkPlan>();
    const touch = (h: string) => {
      for (const fp of run.forkedHosts.get(index.resolveHost(h, ns)) ?? []) touched.add(fp);
    };
    if (mesh) for (const h of virtualServiceHosts(spec)) touch(h);
    // Routes that send to a forked Service, or to a version of one (src/plan/versions.ts).
    for (const r of http) for (const d of asArray(r.route) as Destination[]) for (const fp of pinnedBy(d, ns)) touched.add(fp);
    if (touched.size === 0) continue;
    if (http.length === 0) {
      run.out.problems.push(
        warning({
          code: "KF5011",
          file: m.doc.file,
          line: m.doc.line,
          object: describe(m.object, ns),
          ref: refOf(m, ns),
          message: "this VirtualService has no http routes; fork requests to its hosts are routed as in the base (header routing needs HTTP)",
        }),
      );
      continue;
    }
    const touching = plan.forks.filter((fp) => touched.has(fp));
    run.out.replace.set(m, extendVirtualService(m.object, ns, touching, index, run.carriers(mesh)));
  }
}

/** The forks that pin a destination's host (src/plan/versions.ts). */
function pinningOf(index: BaseIndex, forks: readonly ForkPlan[]): (d: Destination, ns: string) => readonly ForkPlan[] {
  const pinning = pinningForks(index, forks);
  return (d, ns) => {
    const host = d.destination?.host;
    const port = d.destination?.port?.number;
    return typeof host === "string" ? pinning(index.resolveHost(host, ns), typeof port === "number" ? port : undefined) : [];
  };
}

/**
 * A new shared VirtualService for every forked host the plan gave Istio that no mesh
 * VirtualService claims (the base routes it with neither flavour, and spec.routing is istio).
 */
function addHostVirtualServices(run: MeshRun): void {
  const { index } = run.ctx;
  const apiVersion = istioApiVersion(index.manifests);
  for (const [host, fps] of [...run.forkedHosts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (run.claims.has(host) || !routedBy(run.ctx.routing, host, "istio")) continue;
    const sp = fps[0]!.serviceByFqdn.get(host)!;
    // No HTTP port: HTTP routes would never apply (src/generate/non-http.ts warns).
    if (!servicePorts(sp.base.object).some(carriesHttp)) continue;
    const name = fitName(`${sp.name}-kubefork`);
    if (index.has(VS_KIND, sp.namespace, name)) {
      run.out.problems.push(
        error({
          code: "KF5001",
          file: sp.base.doc.file,
          line: sp.base.doc.line,
          ref: takenRef(index, VS_KIND, sp.namespace, name) ?? refOf(sp.base, sp.namespace),
          message: `a base VirtualService ${sp.namespace}/${name} exists but does not claim ${host}; kubefork needs that name for the routing of ${sp.name}`,
          hint: `rename the base VirtualService, or add ${host} to its hosts`,
        }),
      );
      continue;
    }
    run.out.objects.push({ object: hostVirtualService(apiVersion, name, host, fps, run.carriers(true)), fork: null });
  }
}

/** The shared VirtualService of a forked host: a route per fork to its copy, then a catch-all route to the original Service. */
function hostVirtualService(apiVersion: string, name: string, host: string, fps: readonly ForkPlan[], carriers: (id: string) => IstioFragment[]): KObject {
  const sp = fps[0]!.serviceByFqdn.get(host)!;
  const http: Route[] = fps.map((fp) => ({
    name: `kubefork-${fp.id}`,
    match: andIstioMatch(undefined, carriers(fp.id)),
    route: [{ destination: { host: fp.serviceByFqdn.get(host)!.copyFqdn } }],
  }));
  http.push({ name: "default", route: [{ destination: { host } }] });
  return {
    apiVersion,
    kind: "VirtualService",
    metadata: sharedMetadata(name, sp.base.object.metadata.namespace, fps.map((f) => f.id)),
    spec: { hosts: [host], http },
  };
}

/** A base VirtualService with, per fork, a copy of each http route placed before the base routes. */
export function extendVirtualService(
  vs: KObject,
  ns: string,
  forks: readonly ForkPlan[],
  index: BaseIndex,
  carriers: (id: string) => IstioFragment[],
): KObject {
  const copy = clone(vs);
  const spec = asRecord(copy.spec)!;
  const base = asArray(spec.http) as Route[];
  const forkRoutes: Route[] = [];
  for (const fp of forks) base.forEach((r, i) => forkRoutes.push(forkRoute(r, i, fp, ns, index, carriers(fp.id))));
  spec.http = [...forkRoutes, ...base];
  copy.metadata = {
    ...copy.metadata,
    annotations: { ...(copy.metadata.annotations ?? {}), [FORKS_ANNOTATION]: forks.map((f) => f.id).join(",") },
  };
  return copy;
}

function forkRoute(
  r: Route,
  i: number,
  fp: ForkPlan,
  ns: string,
  index: BaseIndex,
  carriers: IstioFragment[],
): Route {
  const c = clone(r);
  c.name = `kubefork-${fp.id}-${r.name ?? `route-${i}`}`;
  c.match = andIstioMatch(r.match, carriers);
  if (Array.isArray(c.route)) c.route = collapse(c.route.map((d) => swapDestination(d, fp, ns, index)), index.resolveHost, ns);
  // Reorder so `name` and `match` lead, as people write routes.
  const { name, match, ...rest } = c;
  return { name, match, ...rest };
}

/** Every base match block ANDed with each carrier; no base match means "match the carrier". */
export function andMatch(match: Match[] | undefined, carriers: readonly Record<string, unknown>[]): Match[] {
  return andIstioMatch(match, carriers.map((h) => ({ headers: h as Record<string, Record<string, string>> })));
}

/**
 * A destination for a fork: the host pinned (src/plan/versions.ts): a forked Service, or a version
 * of one, becomes the copy of the widest forked Service, on its port; the subset is dropped (a fork
 * Service has none). Other destinations stay.
 */
export function swapDestination(d: Destination, fp: ForkPlan, ns: string, index: BaseIndex): Destination {
  const t = destinationTarget(d, fp, ns, index);
  if (!t) return d;
  const { subset: _subset, port, ...dest } = d.destination!;
  void _subset;
  const out: Destination["destination"] = { ...dest, host: t.service.copyFqdn };
  // Istio needs the port only when the Service has several (DestinationRule/VirtualService docs).
  if (t.port !== undefined && (port !== undefined || servicePorts(t.service.base.object).length > 1)) out.port = { ...(port ?? {}), number: t.port };
  return { ...d, destination: out };
}

/** The fork's target for a destination, if the fork pins its host. */
export function destinationTarget(d: Destination, fp: ForkPlan, ns: string, index: BaseIndex): ForkTarget | undefined {
  const host = d.destination?.host;
  if (typeof host !== "string") return undefined;
  const n = d.destination?.port?.number;
  return forkTarget(index, fp, index.resolveHost(host, ns), typeof n === "number" ? n : undefined);
}

/** Destinations to the same host and port become one; a lone destination needs no weight. */
export function collapse(ds: Destination[], resolveHost: (host: string, ns: string) => string, ns: string): Destination[] {
  const out: Destination[] = [];
  const byKey = new Map<string, Destination>();
  for (const d of ds) {
    const key = `${resolveHost(d.destination?.host ?? "", ns)}|${d.destination?.subset ?? ""}|${d.destination?.port?.number ?? ""}`;
    const prev = byKey.get(key);
    if (prev) {
      if (prev.weight !== undefined || d.weight !== undefined) prev.weight = (prev.weight ?? 0) + (d.weight ?? 0);
      continue;
    }
    const c = { ...d };
    byKey.set(key, c);
    out.push(c);
  }
  if (out.length === 1) delete out[0]!.weight;
  return out;
}

export function isVirtualService(o: KObject): boolean {
  return kindKey(o) === VS_KIND;
}

export type { Problem };

/**
 * A route that matches `sourceLabels` of a forked client no longer matches the client's fork pods
 * (they lose the labels base selectors read), so the fork's calls take another route than the
 * baseline's. Istio cannot express "these pods or their forks" in one match; say so.
 */
function sourceLabelWarnings(vss: readonly Manifest[], forks: readonly ForkPlan[], nsOf: (o: KObject) => string): Problem[] {
  const problems: Problem[] = [];
  for (const m of vss) {
    (asArray(asRecord(m.object.spec)?.http) as Route[]).forEach((r, i) => {
      const seen = new Set<string>();
      for (const mt of r.match ?? []) {
        const sl = asRecord(mt.sourceLabels) as Record<string, string> | undefined;
        if (!sl) continue;
        const sns = typeof mt.sourceNamespace === "string" ? mt.sourceNamespace : undefined;
        for (const fp of forks)
          for (const w of fp.workloads) {
            if (sns !== undefined && sns !== w.namespace) continue;
            if (!mapSelects(sl, podLabelsOf(w.source ?? w.base.object)) || mapSelects(sl, w.podLabels)) continue;
            const key = `${fp.id}|${w.copyName}`;
            if (seen.has(key)) continue;
            seen.add(key);
            problems.push(
              warning({
                code: "KF5012",
                file: m.doc.file,
                line: m.doc.line,
                object: describe(m.object, nsOf(m.object)),
                ref: refOf(m, nsOf(m.object)),
                message: `route ${r.name ? `'${r.name}'` : i} matches sourceLabels ${JSON.stringify(sl)}, which the pods of ${w.copyName} (fork ${fp.id}) no longer carry: their calls take the next matching route`,
                hint: "match a label that fork pods keep (kubefork drops only the labels Service and workload selectors read), or accept the difference for forks",
              }),
            );
          }
      }
    });
  }
  return problems;
}

/** The `spec.ports` entries of a Service. */
export function servicePorts(svc: KObject): Record<string, unknown>[] {
  return asArray(asRecord(svc.spec)?.ports).map((p) => asRecord(p) ?? {});
}
