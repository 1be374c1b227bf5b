// Mesh routing with Gateway API HTTPRoutes on Services (GAMMA), for the hosts the plan gives
// Gateway API (src/plan/routing.ts: the base attaches HTTPRoutes to the Service, or it routes the
// host with neither flavour and `spec.routing` is gateway-api), and for the HTTPRoutes on Gateways
// that send to a forked Service, whatever flavour routes it (invariant 4, Gateway API flavour).
//
// Gateway API does not order rules by list position: across every rule of every route attached to
// a parent, the most specific match wins (path type and length, method, then the NUMBER of header
// matches, then query params; remaining ties: oldest route, then namespace/name, then rule and
// match order; apis/v1/httproute_types.go). So fork routing does not have to edit base routes:
//
// - Per fork, and per base HTTPRoute attached to a forked Service (or routing to one), a route of
//   the fork's own, in the base route's namespace (producer or consumer, as the base), with each
//   base rule copied: every match ANDed with one header match per carrier (the fork header, Exact;
//   the baggage entry, RegularExpression), filters, timeouts and retries kept, and the host pinned
//   as Istio pins it: backendRefs on forked Services, or on versions of them (bookinfo's
//   reviews-v1/v2/v3 for reviews), go to the copy of the widest forked Service, their weights
//   collapsed (src/plan/versions.ts); backends of other applications stay. A fork match is its
//   base match plus one header match, so it is strictly more specific: with the fork header, the
//   fork copy of the rule that would have won wins; without it, no fork match applies and the base
//   rules decide as before.
// - Per fork, and per base HTTPRoute attached to a Gateway that routes to a forked Service, the
//   same copy with the route's Gateway parentRefs and hostnames: a gateway sends straight to the
//   endpoints of its backends (routes attached to the Service are not applied again there), so a
//   request to the shared domain with the fork header needs the fork rules on the Gateway too
//   (as gateway VirtualServices gain them with `routing: istio`). Its name is
//   `<route>-header-<id>`: `<route>-<id>` is the fork's ingress route for `<id>.<domain>`.
// - A forked Service with no route attached: a shared catch-all route to the Service (once any
//   route attaches to a Service, unmatched requests are rejected), and per fork a route with the
//   header match to the copy.
//
// Keeping fork rules in per-fork routes, rather than appending them to the base route, keeps
// base routes unchanged, gives each fork's routing to its own Application under `--fork`, and
// stays within the API's limits (16 rules per route, 8 matches per rule before v1.2 and 64 since,
// 128 per route; one match in a rule with a ReplacePrefixMatch rewrite, split per carrier; 16
// header matches per match) at any number of forks (src/generate/gateway-api-common.ts).
import type { Manifest } from "../model/inputs.ts";
import { asArray, asRecord, clone, describe, type KObject } from "../model/k8s.ts";
import { copyName, fitName } from "../plan/names.ts";
import type { ForkPlan, ServicePlan } from "../plan/plan.ts";
import { routedBy } from "../plan/routing.ts";
import { error, type Problem } from "../problems.ts";
import {
  backendTarget,
  GATEWAY_GROUP,
  gatewayApiVersion,
  HTTPROUTE_KIND,
  MAX_HEADER_MATCHES,
  MAX_MATCHES,
  MAX_ROUTE_MATCHES,
  maxHeaderMatches,
  MAX_RULES,
  parentRefsOf,
  routeMatchCount,
  splitRule,
  swapBackends,
  ungrantedCopies,
  type BackendRef,
  type HeaderMatch,
  type Match,
  type ParentRef,
  type Rule,
} from "./gateway-api-common.ts";
import { carrierSpec, gatewayHeaderMatches } from "./carriers.ts";
import { carriersOf, type CarrierSpec } from "../model/carriers.ts";
import { carriesHttp } from "../model/protocol.ts";
import { forkMetadata, refOf, sharedMetadata, takenRef } from "./meta.ts";
import { serviceFqdn } from "../plan/names.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

/** The header matches that identify a fork, one per carrier (ORed as separate matches). */
export function forkHeaderMatches(header: string, baggage: string | undefined, id: string): HeaderMatch[] {
  return gatewayHeaderMatches(carriersOf({ header, baggage }), id);
}

/** Every base match ANDed with each carrier; no match means "any path", so the carrier alone. */
export function andMatches(matches: readonly Match[] | undefined, carriers: readonly HeaderMatch[]): Match[] {
  if (!matches || matches.length === 0) return carriers.map((c) => ({ headers: [{ ...c }] }));
  return matches.flatMap((m) =>
    carriers.map((c) => ({
      ...clone(m),
      headers: [...(m.headers ?? []).filter((h) => h.name.toLowerCase() !== c.name.toLowerCase()), { ...c }],
    })),
  );
}

/** What the steps of one Gateway API mesh run share. */
interface MeshRun {
  ctx: GenContext;
  out: GenResult;
  cs: CarrierSpec;
  /** The fork's header matches, one per carrier of spec.carriers (src/generate/carriers.ts); `source` has none. */
  carriers: (id: string) => HeaderMatch[];
  /** Takes a route name for kubefork, or reports it taken (by the base or by an earlier step) and returns false. */
  claim: NameClaim;
}

type NameClaim = (ns: string, name: string, m: Manifest | ServicePlan, fp?: ForkPlan) => boolean;

/** The steps, in order: fork copies of the base routes, then routes for the forked Services no route is attached to. */
export function generateGatewayApiMesh(ctx: GenContext): GenResult {
  const out = emptyResult();
  if (ctx.plan.forks.length === 0) return out;
  const cs = carrierSpec(ctx.manager);
  const run: MeshRun = { ctx, out, cs, carriers: (id) => gatewayHeaderMatches(cs, id), claim: routeNameClaim(ctx, out.problems) };
  const routes = ctx.index.ofKind(HTTPROUTE_KIND);
  for (const r of routes) copyBaseRoute(run, r);
  routeUnroutedServices(run, producedServices(ctx, routes));
  return out;
}

/** The name claimer of one run: a name is free when no base HTTPRoute and no route made before has it. */
function routeNameClaim(ctx: GenContext, problems: Problem[]): NameClaim {
  const made = new Set<string>();
  return (ns, name, m, fp) => {
    const key = `${ns}/${name}`;
    if (ctx.index.has(HTTPROUTE_KIND, ns, name) || made.has(key)) {
      const at = "doc" in m ? m : m.base;
      problems.push(
        error({
          code: "KF5001",
          file: at.doc.file,
          line: at.doc.line,
          ref: takenRef(ctx.index, HTTPROUTE_KIND, ns, name) ?? refOf(at),
          message: `kubefork needs the name HTTPRoute ${key} for the mesh routing${fp ? ` of fork '${fp.id}'` : ""}, and it is taken`,
          hint: "rename the base HTTPRoute (or the fork: its identifier is the file name)",
        }),
      );
      return false;
    }
    made.add(key);
    return true;
  };
}

/** The Services that have a producer route (a route in their namespace attached to them), by FQDN. */
function producedServices(ctx: GenContext, routes: readonly Manifest[]): Set<string> {
  const { index } = ctx;
  const produced = new Set<string>();
  for (const r of routes) {
    const ns = index.nsOf(r.object);
    for (const p of parentRefsOf(r.object, ns)) if (p.group === "" && p.kind === "Service" && p.namespace === ns) produced.add(serviceFqdn(p.name, p.namespace, index.clusterDomain));
  }
  return produced;
}

/** A base HTTPRoute as the fork copies read it. */
interface BaseRoute {
  m: Manifest;
  ns: string;
  serviceParents: ParentRef[];
  gatewayParents: ParentRef[];
  /** FQDNs of the Services it is attached to. */
  parents: string[];
  rules: Rule[];
  backends: BackendRef[];
  hostnames: unknown[] | undefined;
}

function readBaseRoute(index: GenContext["index"], m: Manifest): BaseRoute {
  const ns = index.nsOf(m.object);
  const refs = parentRefsOf(m.object, ns);
  const serviceParents = refs.filter((p) => p.group === "" && p.kind === "Service");
  const gatewayParents = refs.filter((p) => p.group === GATEWAY_GROUP && p.kind === "Gateway");
  const spec = asRecord(m.object.spec) ?? {};
  const rules = asArray(spec.rules) as Rule[];
  return {
    m,
    ns,
    serviceParents,
    gatewayParents,
    parents: serviceParents.map((p) => serviceFqdn(p.name, p.namespace, index.clusterDomain)),
    rules,
    backends: rules.flatMap((rule) => rule.backendRefs ?? []),
    hostnames: Array.isArray(spec.hostnames) ? clone(spec.hostnames) : undefined,
  };
}

/**
 * Step 1, per base route: per fork, a copy of a route attached to, or routing to, a Service the
 * fork forks (a mesh route), or of a route on a Gateway that routes to one.
 */
function copyBaseRoute(run: MeshRun, m: Manifest): void {
  const { index } = run.ctx;
  const r = readBaseRoute(index, m);
  if (r.serviceParents.length === 0 && r.gatewayParents.length === 0) return;
  for (const fp of run.ctx.plan.forks) {
    // The fork's concern: attached to a Service it forks, or sending to one (or to a version of one).
    if (!r.parents.some((f) => fp.serviceByFqdn.has(f)) && !r.backends.some((b) => backendTarget(b, r.ns, fp, index))) continue;
    const name = copyName(r.gatewayParents.length > 0 ? `${m.object.metadata.name}-header` : m.object.metadata.name, fp.id);
    if (!run.claim(r.ns, name, m, fp)) continue;
    const ungranted = ungrantedProblem(run, r, fp);
    if (ungranted) {
      run.out.problems.push(ungranted);
      continue;
    }
    const rules = forkRules(run, r, fp);
    if (rules.length > MAX_RULES || routeMatchCount(rules) > MAX_ROUTE_MATCHES || maxHeaderMatches(rules) > MAX_HEADER_MATCHES) {
      run.out.problems.push(tooManyRules(m, r.ns, rules, run.cs));
      continue;
    }
    run.out.objects.push({ object: forkRouteCopy(r, fp, name, rules), fork: fp.id });
  }
}

/** The error when the fork copy would send across namespaces to a fork Service no ReferenceGrant allows. */
function ungrantedProblem(run: MeshRun, r: BaseRoute, fp: ForkPlan): Problem | undefined {
  const ungranted = r.rules.flatMap((rule, i) => ungrantedCopies(rule.backendRefs, r.ns, fp, run.ctx.index).map((u) => ({ ...u, rule: i })));
  if (ungranted.length === 0) return undefined;
  const first = ungranted[0]!;
  const pos = r.m.doc.locate(["spec", "rules", first.rule, "backendRefs", first.at, "name"]);
  return error({
    code: "KF5013",
    file: r.m.doc.file,
    line: pos.line,
    column: pos.column,
    path: `spec.rules[${first.rule}].backendRefs[${first.at}].name`,
    object: describe(r.m.object, r.ns),
    ref: refOf(r.m, r.ns),
    message: `the copy of this route for fork '${fp.id}' would send to ${[...new Set(ungranted.map((u) => u.what))].join(", ")}, and no ReferenceGrant lets HTTPRoutes in namespace ${r.ns} reference it (the grant names the original Service only)`,
    hint: "add the fork Service's name to the ReferenceGrant's `to`, or leave out `name` there to allow every Service of that namespace",
  });
}

/** Each base rule for the fork: its matches ANDed with the carriers, backends pinned, split to the API's limits. */
function forkRules(run: MeshRun, r: BaseRoute, fp: ForkPlan): Rule[] {
  const baseRules = r.rules.length > 0 ? r.rules : [{}];
  return baseRules.flatMap((rule) => {
    const { matches, ...rest } = clone(rule);
    const c: Rule = { matches: andMatches(matches, run.carriers(fp.id)), ...rest };
    const swapped = swapBackends(rule.backendRefs, r.ns, fp, run.ctx.index);
    if (swapped) c.backendRefs = swapped;
    return splitRule(c);
  });
}

/** The fork's copy of a base route: its parents and hostnames, the fork rules. */
function forkRouteCopy(r: BaseRoute, fp: ForkPlan, name: string, rules: Rule[]): KObject {
  return {
    apiVersion: r.m.object.apiVersion,
    kind: "HTTPRoute",
    metadata: forkMetadata({ ...r.m.object.metadata, namespace: r.ns }, fp, name, describe(r.m.object, r.ns)),
    spec: {
      parentRefs: [...r.serviceParents, ...r.gatewayParents].map((p) => clone(p.raw)),
      ...(r.hostnames ? { hostnames: r.hostnames } : {}),
      rules,
    },
  };
}

/**
 * Step 2: forked Services the plan gives Gateway API (src/plan/routing.ts) that no route in their
 * namespace is attached to: a shared catch-all route per HTTP port, and per fork a route with the
 * header match to the copy.
 */
function routeUnroutedServices(run: MeshRun, produced: ReadonlySet<string>): void {
  for (const [fqdn, { sp, forks }] of [...forksByService(run.ctx.plan.forks)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (produced.has(fqdn) || !routedBy(run.ctx.routing, fqdn, "gateway-api")) continue;
    const ports = asArray(asRecord(sp.base.object.spec)?.ports)
      .map((p) => asRecord(p) ?? {})
      .filter((p) => typeof p.port === "number" && carriesHttp(p));
    for (const p of ports) {
      const stem = ports.length > 1 ? `${sp.name}-${typeof p.name === "string" && p.name ? p.name : p.port}-kubefork` : `${sp.name}-kubefork`;
      routeServicePort(run, sp, forks, p.port as number, stem);
    }
  }
}

/** Forked Services by FQDN, with the forks that fork each (in plan order). */
function forksByService(forks: readonly ForkPlan[]): Map<string, { sp: ServicePlan; forks: ForkPlan[] }> {
  const byFqdn = new Map<string, { sp: ServicePlan; forks: ForkPlan[] }>();
  for (const fp of forks)
    for (const sp of fp.services) {
      const e = byFqdn.get(sp.fqdn);
      if (e) e.forks.push(fp);
      else byFqdn.set(sp.fqdn, { sp, forks: [fp] });
    }
  return byFqdn;
}

/** One HTTP port of an unrouted forked Service: the shared catch-all route, then each fork's route to its copy. */
function routeServicePort(run: MeshRun, sp: ServicePlan, forks: readonly ForkPlan[], port: number, stem: string): void {
  const { out } = run;
  const apiVersion = gatewayApiVersion(run.ctx.index);
  const parentRefs = [{ group: "", kind: "Service", name: sp.name, port }];
  const shared = fitName(stem);
  if (run.claim(sp.namespace, shared, sp)) {
    out.objects.push({
      object: {
        apiVersion,
        kind: "HTTPRoute",
        metadata: sharedMetadata(shared, sp.base.object.metadata.namespace, forks.map((f) => f.id)),
        spec: { parentRefs, rules: [{ backendRefs: [{ name: sp.name, port }] }] },
      },
      fork: null,
    });
  }
  for (const fp of forks) {
    const name = copyName(stem, fp.id);
    if (!run.claim(sp.namespace, name, sp, fp)) continue;
    const copy = fp.serviceByFqdn.get(sp.fqdn)!;
    out.objects.push({
      object: {
        apiVersion,
        kind: "HTTPRoute",
        metadata: forkMetadata({ name, namespace: sp.base.object.metadata.namespace }, fp, name),
        spec: { parentRefs: clone(parentRefs), rules: [{ matches: andMatches(undefined, run.carriers(fp.id)), backendRefs: [{ name: copy.copyName, port }] }] },
      },
      fork: fp.id,
    });
  }
}

function tooManyRules(r: Manifest, ns: string, forkRules: readonly Rule[], cs: CarrierSpec): Problem {
  const [rules, matches, headers] = [forkRules.length, routeMatchCount(forkRules), maxHeaderMatches(forkRules)];
  if (headers > MAX_HEADER_MATCHES)
    return error({
      code: "KF5014",
      file: r.doc.file,
      line: r.doc.line,
      object: describe(r.object, ns),
      ref: refOf(r, ns),
      message: `the fork copy of this HTTPRoute would need a match with ${headers} header matches (at most ${MAX_HEADER_MATCHES}): each match gains the header match of a carrier`,
      hint: "match on fewer headers in the base rule",
    });
  return error({
    code: "KF5014",
    file: r.doc.file,
    line: r.doc.line,
    object: describe(r.object, ns),
    ref: refOf(r, ns),
    message: `the fork copy of this HTTPRoute would need ${rules} rules and ${matches} matches (at most ${MAX_RULES} rules, ${MAX_ROUTE_MATCHES} matches per route; kubefork splits a rule at ${MAX_MATCHES} matches, the most Gateway API before v1.2 allows, and a rule with a ReplacePrefixMatch rewrite or redirect holds one match): its matches are multiplied by the header matches of the carriers (${cs.carriers.filter((c) => c !== "source").join(", ")})`,
    hint: "split the base HTTPRoute in two, or choose fewer carriers in spec.carriers of kubefork.yaml",
  });
}
