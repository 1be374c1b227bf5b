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
// stays within the API's limits (16 rules per route, 64 matches per rule, 128 per route; one match
// in a rule with a ReplacePrefixMatch rewrite, split per carrier) at any number of forks.
import type { Manifest } from "../model/inputs.ts";
import { asArray, asRecord, clone, describe } from "../model/k8s.ts";
import { copyName, fitName } from "../plan/names.ts";
import type { ForkPlan, ServicePlan } from "../plan/plan.ts";
import { routedBy } from "../plan/routing.ts";
import { error, warning, type Problem } from "../problems.ts";
import {
  backendTarget,
  GATEWAY_GROUP,
  gatewayApiVersion,
  HTTPROUTE_KIND,
  MAX_MATCHES,
  MAX_ROUTE_MATCHES,
  MAX_RULES,
  parentRefsOf,
  routeMatchCount,
  splitRule,
  swapBackends,
  ungrantedCopies,
  type HeaderMatch,
  type Match,
  type Rule,
} from "./gateway-api-common.ts";
import { carrierSpec, gatewayHeaderMatches } from "./carriers.ts";
import { carriersOf, type CarrierSpec } from "../model/carriers.ts";
import { carriesHttp } from "../model/protocol.ts";
import { forkMetadata, sharedMetadata } from "./meta.ts";
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

export function generateGatewayApiMesh(ctx: GenContext): GenResult {
  const out = emptyResult();
  const { index, plan, manager } = ctx;
  const forks = plan.forks;
  if (forks.length === 0) return out;
  // One header match per carrier of spec.carriers (src/generate/carriers.ts); `source` has none.
  const cs = carrierSpec(manager);
  const carriers = (id: string) => gatewayHeaderMatches(cs, id);
  const apiVersion = gatewayApiVersion(index);
  const made = new Set<string>();
  const claim = (ns: string, name: string, m: Manifest | ServicePlan, fp?: ForkPlan): boolean => {
    const key = `${ns}/${name}`;
    if (index.has(HTTPROUTE_KIND, ns, name) || made.has(key)) {
      const doc = "doc" in m ? m.doc : m.base.doc;
      out.problems.push(
        error({
          file: doc.file,
          line: doc.line,
          message: `kubefork needs the name HTTPRoute ${key} for the mesh routing${fp ? ` of fork '${fp.id}'` : ""}, and it is taken`,
          hint: "rename the base HTTPRoute (or the fork: its identifier is the file name)",
        }),
      );
      return false;
    }
    made.add(key);
    return true;
  };

  // Which Services have a producer route (a route in their namespace attached to them).
  const routes = index.ofKind(HTTPROUTE_KIND);
  const produced = new Set<string>();
  for (const r of routes) {
    const ns = index.nsOf(r.object);
    for (const p of parentRefsOf(r.object, ns)) if (p.group === "" && p.kind === "Service" && p.namespace === ns) produced.add(serviceFqdn(p.name, p.namespace, index.clusterDomain));
  }

  // 1. Per fork, a copy of every base route that is attached to, or routes to, a Service it forks
  //    (mesh routes), and of every base route on a Gateway that routes to one.
  for (const r of routes) {
    const ns = index.nsOf(r.object);
    const refs = parentRefsOf(r.object, ns);
    const serviceParents = refs.filter((p) => p.group === "" && p.kind === "Service");
    const gatewayParents = refs.filter((p) => p.group === GATEWAY_GROUP && p.kind === "Gateway");
    if (serviceParents.length === 0 && gatewayParents.length === 0) continue;
    const parents = serviceParents.map((p) => serviceFqdn(p.name, p.namespace, index.clusterDomain));
    const spec = asRecord(r.object.spec) ?? {};
    const rules = asArray(spec.rules) as Rule[];
    const backends = rules.flatMap((rule) => rule.backendRefs ?? []);
    const hostnames = Array.isArray(spec.hostnames) ? clone(spec.hostnames) : undefined;
    for (const fp of forks) {
      // The fork's concern: attached to a Service it forks, or sending to one (or to a version of one).
      if (!parents.some((f) => fp.serviceByFqdn.has(f)) && !backends.some((b) => backendTarget(b, ns, fp, index))) continue;
      const name = copyName(gatewayParents.length > 0 ? `${r.object.metadata.name}-header` : r.object.metadata.name, fp.id);
      if (!claim(ns, name, r, fp)) continue;
      const ungranted = rules.flatMap((rule, i) => ungrantedCopies(rule.backendRefs, ns, fp, index).map((u) => ({ ...u, rule: i })));
      if (ungranted.length > 0) {
        const first = ungranted[0]!;
        const pos = r.doc.locate(["spec", "rules", first.rule, "backendRefs", first.at, "name"]);
        out.problems.push(
          error({
            file: r.doc.file,
            line: pos.line,
            column: pos.column,
            path: `spec.rules[${first.rule}].backendRefs[${first.at}].name`,
            object: describe(r.object, ns),
            message: `the copy of this route for fork '${fp.id}' would send to ${[...new Set(ungranted.map((u) => u.what))].join(", ")}, and no ReferenceGrant lets HTTPRoutes in namespace ${ns} reference it (the grant names the original Service only)`,
            hint: "add the fork Service's name to the ReferenceGrant's `to`, or leave out `name` there to allow every Service of that namespace",
          }),
        );
        continue;
      }
      const baseRules = rules.length > 0 ? rules : [{}];
      const forkRules: Rule[] = baseRules.flatMap((rule) => {
        const { matches, ...rest } = clone(rule);
        const c: Rule = { matches: andMatches(matches, carriers(fp.id)), ...rest };
        const swapped = swapBackends(rule.backendRefs, ns, fp, index);
        if (swapped) c.backendRefs = swapped;
        return splitRule(c);
      });
      if (forkRules.length > MAX_RULES || routeMatchCount(forkRules) > MAX_ROUTE_MATCHES) {
        out.problems.push(tooManyRules(r, ns, forkRules.length, routeMatchCount(forkRules), cs));
        continue;
      }
      out.objects.push({
        object: {
          apiVersion: r.object.apiVersion,
          kind: "HTTPRoute",
          metadata: forkMetadata({ ...r.object.metadata, namespace: ns }, fp, name, describe(r.object, ns)),
          spec: {
            parentRefs: [...serviceParents, ...gatewayParents].map((p) => clone(p.raw)),
            ...(hostnames ? { hostnames } : {}),
            rules: forkRules,
          },
        },
        fork: fp.id,
      });
    }
  }

  // 2. Forked Services the plan gives Gateway API (src/plan/routing.ts) that no route in their
  //    namespace is attached to: a shared catch-all route per HTTP port, and per fork a route with
  //    the header match to the copy.
  const byFqdn = new Map<string, { sp: ServicePlan; forks: ForkPlan[] }>();
  for (const fp of forks)
    for (const sp of fp.services) {
      const e = byFqdn.get(sp.fqdn);
      if (e) e.forks.push(fp);
      else byFqdn.set(sp.fqdn, { sp, forks: [fp] });
    }
  for (const [fqdn, { sp, forks: fps }] of [...byFqdn].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (produced.has(fqdn) || !routedBy(ctx.routing, fqdn, "gateway-api")) continue;
    const ports = asArray(asRecord(sp.base.object.spec)?.ports)
      .map((p) => asRecord(p) ?? {})
      .filter((p) => typeof p.port === "number" && carriesHttp(p));
    for (const p of ports) {
      const port = p.port as number;
      const stem = ports.length > 1 ? `${sp.name}-${typeof p.name === "string" && p.name ? p.name : port}-kubefork` : `${sp.name}-kubefork`;
      const parentRefs = [{ group: "", kind: "Service", name: sp.name, port }];
      const shared = fitName(stem);
      if (claim(sp.namespace, shared, sp)) {
        out.objects.push({
          object: {
            apiVersion,
            kind: "HTTPRoute",
            metadata: sharedMetadata(shared, sp.base.object.metadata.namespace, fps.map((f) => f.id)),
            spec: { parentRefs, rules: [{ backendRefs: [{ name: sp.name, port }] }] },
          },
          fork: null,
        });
      }
      for (const fp of fps) {
        const name = copyName(stem, fp.id);
        if (!claim(sp.namespace, name, sp, fp)) continue;
        const copy = fp.serviceByFqdn.get(fqdn)!;
        out.objects.push({
          object: {
            apiVersion,
            kind: "HTTPRoute",
            metadata: forkMetadata({ name, namespace: sp.base.object.metadata.namespace }, fp, name),
            spec: { parentRefs: clone(parentRefs), rules: [{ matches: andMatches(undefined, carriers(fp.id)), backendRefs: [{ name: copy.copyName, port }] }] },
          },
          fork: fp.id,
        });
      }
    }
  }
  // `source` is refused with routing: gateway-api; a host routed by HTTPRoutes under another
  // flavour still cannot express it: say so once, when fork routes were made here.
  if (cs.carriers.includes("source") && out.objects.some((o) => o.fork !== null))
    out.problems.push(
      warning({
        file: ctx.managerSource?.file ?? "kubefork.yaml",
        path: "spec.carriers",
        message: "carrier 'source' does not apply to Services routed with HTTPRoutes (an HTTPRoute match has no condition on the calling workload): calls from fork pods to them need a header carrier",
      }),
    );
  return out;
}

function tooManyRules(r: Manifest, ns: string, rules: number, matches: number, cs: CarrierSpec): Problem {
  return error({
    file: r.doc.file,
    line: r.doc.line,
    object: describe(r.object, ns),
    message: `the fork copy of this HTTPRoute would need ${rules} rules and ${matches} matches (at most ${MAX_RULES} rules, ${MAX_MATCHES} matches per rule, ${MAX_ROUTE_MATCHES} per route; a rule with a ReplacePrefixMatch rewrite or redirect holds one match): its matches are multiplied by the header matches of the carriers (${cs.carriers.filter((c) => c !== "source").join(", ")})`,
    hint: "split the base HTTPRoute in two, or choose fewer carriers in spec.carriers of kubefork.yaml",
  });
}
