// The ingress adapter of `spec.ingress[].kind: gateway-api` (the steps are src/generate/ingress.ts's):
// per-fork hosts on a Gateway API Gateway (invariant 5).
//
// For each fork and entry: HTTPRoutes on the entry's Gateway for the hostname `<id>.<domain>`,
// one per base HTTPRoute attached to that Gateway for `<domain>` (same namespace, same rules,
// matches and filters), with a RequestHeaderModifier that sets the fork header on every rule and
// backendRefs on Services the fork copies swapped to the copies. With no such base route, one
// route to `spec.ingress[].service` in the Service's namespace (no ReferenceGrant needed).
// An exact hostname is more specific than `*.<domain>`, so a base wildcard route never shadows it.
import type { Manifest } from "../model/inputs.ts";
import { routeHostnames } from "../model/hosts.ts";
import { asArray, asRecord, clone, describe, type KObject } from "../model/k8s.ts";
import { serviceFqdn } from "../plan/names.ts";
import { listenerRefusal } from "../plan/ingress.ts";
import { error, type Problem } from "../problems.ts";
import {
  GATEWAY_GROUP,
  gatewayApiVersion,
  HTTPROUTE_KIND,
  parentRefsOf,
  swapBackends,
  type Filter,
  type Rule,
} from "./gateway-api-common.ts";
import type { EntryRouting, ForkTarget, IngressAdapter, IngressHeader, RouteAt } from "./ingress.ts";
import { entryAt, mostSpecificCovering, parseRef, refusedHosts } from "./ingress-common.ts";
import { forkMetadata, refOf } from "./meta.ts";
import { headerOps, withGatewayHeaderOps } from "./carriers.ts";
import type { GenContext } from "./types.ts";

/** Base HTTPRoutes attached to the Gateway (and listener) whose hostnames cover `domain`, most specific tier. */
export function baseGatewayHttpRoutes(ctx: GenContext, gw: { namespace: string; name: string }, sectionName: string | undefined, domain: string): Manifest[] {
  const { index } = ctx;
  const attachedRoutes = index.ofKind(HTTPROUTE_KIND).filter((m) =>
    parentRefsOf(m.object, index.nsOf(m.object)).some(
      (p) => p.group === GATEWAY_GROUP && p.kind === "Gateway" && p.namespace === gw.namespace && p.name === gw.name && (!sectionName || !p.sectionName || p.sectionName === sectionName),
    ),
  );
  // A route with no hostnames serves every host its listener takes: the least specific, `*`.
  return mostSpecificCovering(
    attachedRoutes.map((m) => {
      const hostnames = routeHostnames(asRecord(m.object.spec));
      return { route: m, hosts: hostnames.length > 0 ? hostnames : ["*"] };
    }),
    domain,
  );
}

/** kind: gateway-api. */
export const gatewayApiAdapter: IngressAdapter<"gateway-api"> = {
  routeKind: HTTPROUTE_KIND,
  routeLabel: "HTTPRoute",
  traceGateway: "gateway-api",
  routing(ctx, entry, i, serving): EntryRouting {
    const { index } = ctx;
    const gw = parseRef(entry.gateway, index.defaultNamespace);
    const gwKey = `${gw.namespace}/${gw.name}`;
    const gateway = serving.deciders[0];
    let port = entry.port; // of the entry Service, once entryTarget has found it
    return {
      bases: baseGatewayHttpRoutes(ctx, gw, entry.sectionName, entry.domain),
      noRoute: {
        message: `no base HTTPRoute attached to Gateway ${gwKey} serves ${entry.domain}, and the entry names no service`,
        hint: `add service: <namespace>/<name> (and port:) to spec.ingress[${i}], or an HTTPRoute for ${entry.domain} on ${gwKey} to the base`,
      },
      // In the Service's namespace: no ReferenceGrant needed. A backendRef needs a port.
      entryTarget(svc) {
        const p = port !== undefined ? { port } : servicePort(ctx, svc, i);
        if ("problem" in p) return p;
        port = p.port;
        return { namespace: svc.namespace };
      },
      mirror: (b, at, fork) => mirror(ctx, b, at, fork, gw, entry.sectionName, gateway?.object),
      entryRoute: (svc, at, fork) => entryRoute(ctx, gw, entry.sectionName, svc, port!, at, fork),
      refused(refusals) {
        const hosts = refusedHosts(refusals);
        return [
          error({
            ...entryAt(ctx, i, "domain"),
            code: "KF5024",
            object: describe(gateway!.object, gw.namespace),
            ref: refOf(gateway!, gw.namespace),
            message: `Gateway ${gwKey} does not accept the fork host${hosts.length > 1 ? "s" : ""} ${hosts.join(", ")}: ${refusals[0]!.why}`,
            hint: `give Gateway ${gwKey} (${gateway!.doc.file}:${gateway!.doc.line}) an HTTP listener with hostname "*.${entry.domain}" (or none) that admits routes from the fork routes' namespace`,
          }),
        ];
      },
    };
  },
};

/** The port of the entry Service when it has one (a backendRef needs one), or the problem. */
function servicePort(ctx: GenContext, svc: RouteAt, i: number): { port: number } | { problem: Problem } {
  const { index } = ctx;
  const s = index.serviceByFqdn(serviceFqdn(svc.name, svc.namespace, index.clusterDomain));
  const ports = asArray(asRecord(s?.object.spec)?.ports).map((p) => asRecord(p)?.port).filter((p): p is number => typeof p === "number");
  if (ports.length === 1) return { port: ports[0]! };
  return {
    problem: error({
      ...entryAt(ctx, i, "service"),
      code: "KF5025",
      ...(s ? { ref: refOf(s, svc.namespace) } : {}),
      message: s ? `Service ${svc.namespace}/${svc.name} has ${ports.length} ports; a Gateway API backendRef needs one` : `Service ${svc.namespace}/${svc.name} is not in the base, so its port is unknown`,
      hint: `add port: <service port> to spec.ingress[${i}]`,
    }),
  };
}

/** A fork's one route to the entry Service on the entry's Gateway (and listener). */
function entryRoute(ctx: GenContext, gw: RouteAt, sectionName: string | undefined, svc: RouteAt, port: number, at: RouteAt, fork: ForkTarget): KObject {
  const fqdn = serviceFqdn(svc.name, svc.namespace, ctx.index.clusterDomain);
  const parentRef: Record<string, unknown> = { group: GATEWAY_GROUP, kind: "Gateway", namespace: gw.namespace, name: gw.name };
  if (sectionName) parentRef.sectionName = sectionName;
  return {
    apiVersion: gatewayApiVersion(ctx.index),
    kind: "HTTPRoute",
    metadata: forkMetadata({ name: at.name, namespace: at.namespace }, fork.fp, at.name),
    spec: {
      parentRefs: [parentRef],
      hostnames: [fork.host],
      rules: [{ filters: withHeaders(undefined, fork.headers), backendRefs: [{ name: fork.fp.serviceByFqdn.get(fqdn)?.copyName ?? svc.name, port }] }],
    },
  };
}

/** Filters with every fork header set or appended (one RequestHeaderModifier per rule). */
function withHeaders(filters: readonly Filter[] | undefined, headers: readonly IngressHeader[]): Filter[] {
  return withGatewayHeaderOps(filters, headerOps(headers));
}

/**
 * A base route for one fork: the base's parentRefs on the entry's Gateway, with the entry's
 * listener when it names one. A base listener whose hostname does not take the fork host (the
 * apex `shop.example.com`) is dropped from the reference, so the route attaches to the listeners
 * that do (`*.shop.example.com`): a route attaches only where its hostnames intersect the
 * listener's (Gateway API HTTPRoute spec.hostnames).
 */
function mirror(ctx: GenContext, b: Manifest, at: RouteAt, fork: ForkTarget, gw: RouteAt, sectionName: string | undefined, gateway: KObject | undefined): KObject {
  const { namespace: ns, name } = at;
  const { fp, host } = fork;
  const spec = asRecord(b.object.spec) ?? {};
  const seen = new Set<string>();
  const parentRefs = parentRefsOf(b.object, ns)
    .filter((p) => p.group === GATEWAY_GROUP && p.kind === "Gateway" && p.namespace === gw.namespace && p.name === gw.name && (!sectionName || !p.sectionName || p.sectionName === sectionName))
    .map((p) => {
      const raw = clone(p.raw);
      if (sectionName) raw.sectionName = sectionName;
      else if (p.sectionName && gateway && listenerRefusal(gateway, gw.namespace, p.sectionName, host, ns) && !listenerRefusal(gateway, gw.namespace, undefined, host, ns)) delete raw.sectionName;
      return raw;
    })
    .filter((raw) => {
      const key = JSON.stringify(raw);
      return !seen.has(key) && !!seen.add(key);
    });
  const rules = (asArray(spec.rules) as Rule[]).map((r) => {
    const c = clone(r);
    c.filters = withHeaders(r.filters, fork.headers);
    const swapped = swapBackends(r.backendRefs, ns, fp, ctx.index);
    if (swapped) c.backendRefs = swapped;
    return c;
  });
  return {
    apiVersion: b.object.apiVersion,
    kind: "HTTPRoute",
    metadata: forkMetadata({ ...b.object.metadata, namespace: ns }, fp, name, describe(b.object, ns)),
    spec: { parentRefs, hostnames: [host], rules: rules.length > 0 ? rules : [{ filters: withHeaders(undefined, fork.headers) }] },
  };
}
