// The ingress adapter of `spec.ingress[].kind: istio` (the steps are src/generate/ingress.ts's):
// per-fork hosts on an Istio ingress Gateway (invariant 5).
//
// For each fork and entry: a VirtualService bound only to the entry's Gateway for the host
// `<id>.<domain>`. It mirrors every http route of the base VirtualServices bound to that Gateway
// for `<domain>` (one fork VirtualService per base one, in its namespace, so Istio merges them at
// the gateway as it merges the base ones), with the same matches, rewrites, timeouts and retries,
// the fork header set on every route (`headers.request.set`), and destinations on Services the
// fork copies swapped to the copies (subsets dropped: a fork Service has none). With no such base
// route, one route to `spec.ingress[].service`. Every fork gets its host, even one that forks
// nothing the entry reaches: the gateway sets the header and the mesh routes the deeper hops.
//
// The gateway does not apply mesh VirtualServices to the destination (it sends to the endpoints),
// which is why the entry destinations themselves are swapped here.
import type { Manifest } from "../model/inputs.ts";
import { asArray, asRecord, clone, describe, type KObject } from "../model/k8s.ts";
import { virtualServiceHosts } from "../model/hosts.ts";
import type { IngressEntryOf } from "../model/ingress.ts";
import { serviceFqdn } from "../plan/names.ts";
import { error } from "../problems.ts";
import type { EntryRouting, ForkTarget, IngressAdapter, Refusal, RouteAt } from "./ingress.ts";
import { entryAt, mostSpecificCovering, parseRef, refusedHosts } from "./ingress-common.ts";
import { forkMetadata, refOf } from "./meta.ts";
import { headerOps, withIstioHeaderOps } from "./carriers.ts";
import { collapse, istioApiVersion, swapDestination, VS_KIND, type Destination } from "./mesh-istio.ts";
import type { GenContext } from "./types.ts";

type Route = Record<string, unknown> & { route?: Destination[]; headers?: Record<string, unknown> };

/** The gateways a VirtualService is bound to, as `ns/name` (`mesh` kept as is). */
export function boundGateways(vs: KObject, vsNs: string): string[] {
  return asArray(asRecord(vs.spec)?.gateways)
    .filter((g): g is string => typeof g === "string")
    .map((g) => (g === "mesh" || g.includes("/") ? g : `${vsNs}/${g}`));
}

/**
 * Base VirtualServices bound to `gateway` whose hosts cover `domain`: the most specific host tier
 * only (an exact `domain` beats `*.example.com`), as Envoy picks one virtual host per request.
 */
export function baseGatewayRoutes(ctx: GenContext, gateway: string, domain: string): Manifest[] {
  const { index } = ctx;
  const bound = index.ofKind(VS_KIND).filter((m) => boundGateways(m.object, index.nsOf(m.object)).includes(gateway));
  return mostSpecificCovering(
    bound.map((m) => ({ route: m, hosts: virtualServiceHosts(asRecord(m.object.spec)) })),
    domain,
  );
}

/** kind: istio. */
export const istioAdapter: IngressAdapter<"istio"> = {
  routeKind: VS_KIND,
  routeLabel: "VirtualService",
  traceGateway: "istio",
  routing(ctx, entry, i, serving): EntryRouting {
    const { index } = ctx;
    const gw = parseRef(entry.gateway, index.defaultNamespace);
    const gwKey = `${gw.namespace}/${gw.name}`;
    const gateway = serving.deciders[0];
    const apiVersion = istioApiVersion(index.manifests);
    return {
      bases: baseGatewayRoutes(ctx, gwKey, entry.domain),
      noRoute: {
        message: `no base VirtualService bound to Gateway ${gwKey} routes ${entry.domain}, and the entry names no service`,
        hint: `add service: <namespace>/<name> (and port:) to spec.ingress[${i}], or a VirtualService for ${entry.domain} bound to ${gwKey} to the base`,
      },
      entryTarget: () => ({ namespace: gw.namespace }),
      mirror: (b, at, fork) => mirror(ctx, b, at, fork, gwKey),
      entryRoute: (svc, at, fork) => entryRoute(ctx, entry, svc, at, fork, gwKey, apiVersion),
      // The Gateway must accept the fork hosts, or they answer 404 while the render looks fine.
      refused(refusals) {
        const byNs = new Map<string, Refusal[]>();
        for (const r of refusals) byNs.set(r.namespace, [...(byNs.get(r.namespace) ?? []), r]);
        return [...byNs].map(([ns, rs]) => {
          const hosts = refusedHosts(rs);
          return error({
            ...entryAt(ctx, i, "domain"),
            code: "KF5024",
            object: describe(gateway!.object, gw.namespace),
            ref: refOf(gateway!, gw.namespace),
            message: `Gateway ${gwKey} does not accept the fork host${hosts.length > 1 ? "s" : ""} ${hosts.join(", ")} for VirtualServices in namespace ${ns}: requests to ${hosts.length > 1 ? "them" : "it"} would get 404`,
            hint: `add "*.${entry.domain}" to the hosts of a server of Gateway ${gwKey} (${gateway!.doc.file}:${gateway!.doc.line})`,
          });
        });
      },
    };
  },
};

/** A base gateway VirtualService, for one fork: host `<id>.<domain>`, only the entry's Gateway. */
function mirror(ctx: GenContext, b: Manifest, at: RouteAt, fork: ForkTarget, gateway: string): KObject {
  const { namespace: ns, name } = at;
  const { fp } = fork;
  const spec = clone(asRecord(b.object.spec) ?? {});
  const http = (asArray(spec.http) as Route[]).map((r) => forkRoute(ctx, r, ns, fork));
  const out: Record<string, unknown> = { hosts: [fork.host], gateways: [gateway], http };
  if (spec.exportTo !== undefined) out.exportTo = spec.exportTo;
  return {
    apiVersion: b.object.apiVersion,
    kind: "VirtualService",
    metadata: forkMetadata({ ...b.object.metadata, namespace: ns }, fp, name, describe(b.object, ns)),
    spec: out,
  };
}

function entryRoute(ctx: GenContext, entry: IngressEntryOf<"istio">, svc: RouteAt, at: RouteAt, fork: ForkTarget, gateway: string, apiVersion: string): KObject {
  const { namespace: ns, name } = at;
  const { fp } = fork;
  const fqdn = serviceFqdn(svc.name, svc.namespace, ctx.index.clusterDomain);
  const destination: Record<string, unknown> = { host: fp.serviceByFqdn.get(fqdn)?.copyFqdn ?? fqdn };
  if (entry.port !== undefined) destination.port = { number: entry.port };
  return {
    apiVersion,
    kind: "VirtualService",
    metadata: forkMetadata({ name, namespace: ns }, fp, name),
    spec: {
      hosts: [fork.host],
      gateways: [gateway],
      http: [{ name: "kubefork", headers: withIstioHeaderOps(undefined, headerOps(fork.headers)), route: [{ destination }] }],
    },
  };
}

/** One base route for a fork: the fork's headers set or appended (src/generate/carriers.ts), destinations on forked Services swapped. */
function forkRoute(ctx: GenContext, r: Route, ns: string, fork: ForkTarget): Route {
  const { fp } = fork;
  const c = clone(r);
  c.headers = withIstioHeaderOps(c.headers, headerOps(fork.headers));
  const resolve = ctx.index.resolveHost;
  if (Array.isArray(c.route)) c.route = collapse(c.route.map((d) => swapDestination(d, fp, ns, ctx.index)), resolve, ns);
  return c;
}

