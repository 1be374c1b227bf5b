// Per-fork hosts on an Istio ingress Gateway (invariant 5), for `spec.ingress[].kind: istio`.
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
import type { IngressEntry } from "../model/manager.ts";
import { copyName, serviceFqdn } from "../plan/names.ts";
import type { ForkPlan } from "../plan/plan.ts";
import { error } from "../problems.ts";
import { entriesOf, entryAt, forkHost, hostPatternCovers, hostSpecificity, parseRef, domainObjectName } from "./ingress-common.ts";
import { forkMetadata } from "./meta.ts";
import { collapse, istioApiVersion, swapDestination, VS_KIND, type Destination } from "./mesh-istio.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

export const ISTIO_GATEWAY_KIND = "networking.istio.io/Gateway";

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
  let best: [number, number] | undefined;
  const found: { m: Manifest; spec: [number, number] }[] = [];
  for (const m of index.ofKind(VS_KIND)) {
    const ns = index.nsOf(m.object);
    if (!boundGateways(m.object, ns).includes(gateway)) continue;
    let mine: [number, number] | undefined;
    for (const h of asArray(asRecord(m.object.spec)?.hosts)) {
      if (typeof h !== "string" || !hostPatternCovers(h, domain)) continue;
      const s = hostSpecificity(h);
      if (!mine || s[0] > mine[0] || (s[0] === mine[0] && s[1] > mine[1])) mine = s;
    }
    if (!mine) continue;
    found.push({ m, spec: mine });
    if (!best || mine[0] > best[0] || (mine[0] === best[0] && mine[1] > best[1])) best = mine;
  }
  return found.filter((f) => best && f.spec[0] === best[0] && f.spec[1] === best[1]).map((f) => f.m);
}

/** Hosts an Istio Gateway's HTTP servers accept, as [namespace ("*" = any), host pattern]. */
function serverHosts(gw: KObject, gwNs: string): [string, string][] {
  const out: [string, string][] = [];
  for (const s of asArray(asRecord(gw.spec)?.servers)) {
    const server = asRecord(s) ?? {};
    const mode = asRecord(server.tls)?.mode;
    if (mode === "PASSTHROUGH" || mode === "AUTO_PASSTHROUGH") continue;
    const proto = String(asRecord(server.port)?.protocol ?? "").toUpperCase();
    if (proto && !["HTTP", "HTTPS", "HTTP2", "GRPC"].includes(proto)) continue;
    for (const h of asArray(server.hosts)) {
      if (typeof h !== "string") continue;
      const i = h.indexOf("/");
      if (i < 0) out.push(["*", h]);
      else out.push([h.slice(0, i) === "." ? gwNs : h.slice(0, i), h.slice(i + 1)]);
    }
  }
  return out;
}

export function generateIstioIngress(ctx: GenContext): GenResult {
  const out = emptyResult();
  const { index, plan, manager } = ctx;
  if (plan.forks.length === 0) return out;
  const header = manager.spec.header;
  const apiVersion = istioApiVersion(index.manifests);

  for (const { entry, index: i } of entriesOf(ctx, "istio")) {
    const gw = parseRef(entry.gateway!, index.defaultNamespace);
    const gwKey = `${gw.namespace}/${gw.name}`;
    const bases = baseGatewayRoutes(ctx, gwKey, entry.domain);
    const svc = entry.service ? parseRef(entry.service, index.defaultNamespace) : undefined;
    if (bases.length === 0 && !svc) {
      out.problems.push(
        error({
          ...entryAt(ctx, i),
          message: `no base VirtualService bound to Gateway ${gwKey} routes ${entry.domain}, and the entry names no service`,
          hint: `add service: <namespace>/<name> (and port:) to spec.ingress[${i}], or a VirtualService for ${entry.domain} bound to ${gwKey} to the base`,
        }),
      );
      continue;
    }
    const gateway = index.ofKind(ISTIO_GATEWAY_KIND).find((m) => index.nsOf(m.object) === gw.namespace && m.object.metadata.name === gw.name);
    const refused = new Map<string, string[]>(); // VirtualService namespace → fork hosts the Gateway does not accept

    for (const fp of plan.forks) {
      const h = forkHost(ctx, fp, entry, i);
      if ("problem" in h) {
        out.problems.push(h.problem);
        continue;
      }
      const made: KObject[] = [];
      if (bases.length > 0) {
        for (const b of bases) {
          const ns = index.nsOf(b.object);
          const name = copyName(b.object.metadata.name, fp.id);
          if (index.has(VS_KIND, ns, name)) {
            out.problems.push(nameTaken(ctx, i, `VirtualService ${ns}/${name}`, fp));
            continue;
          }
          made.push(mirror(ctx, b, ns, name, fp, h.host, gwKey, header));
        }
      } else {
        const name = domainObjectName(entry.domain, fp.id);
        if (index.has(VS_KIND, gw.namespace, name)) {
          out.problems.push(nameTaken(ctx, i, `VirtualService ${gw.namespace}/${name}`, fp));
          continue;
        }
        made.push(entryRoute(ctx, entry, svc!, gw.namespace, name, fp, h.host, gwKey, header, apiVersion));
      }
      for (const o of made) {
        out.objects.push({ object: o, fork: fp.id });
        if (!gateway) continue;
        const ns = o.metadata.namespace!;
        const accepted = serverHosts(gateway.object, gw.namespace).some(([sns, pat]) => (sns === "*" || sns === ns) && hostPatternCovers(pat, h.host));
        if (!accepted) refused.set(ns, [...(refused.get(ns) ?? []), h.host]);
      }
    }
    // The Gateway must accept the fork hosts, or they answer 404 while the render looks fine.
    for (const [ns, hosts] of refused) {
      out.problems.push(
        error({
          ...entryAt(ctx, i, "domain"),
          object: describe(gateway!.object, gw.namespace),
          message: `Gateway ${gwKey} does not accept the fork host${hosts.length > 1 ? "s" : ""} ${hosts.join(", ")} for VirtualServices in namespace ${ns}: requests to ${hosts.length > 1 ? "them" : "it"} would get 404`,
          hint: `add "*.${entry.domain}" to the hosts of a server of Gateway ${gwKey} (${gateway!.doc.file}:${gateway!.doc.line})`,
        }),
      );
    }
  }
  return out;
}

function nameTaken(ctx: GenContext, i: number, what: string, fp: ForkPlan) {
  return error({
    ...entryAt(ctx, i),
    message: `the fork ingress route ${what} for fork '${fp.id}' is taken by a base object`,
    hint: "rename the base object or the fork (its identifier is the file name)",
  });
}

/** A base gateway VirtualService, for one fork: host `<id>.<domain>`, only the entry's Gateway. */
function mirror(ctx: GenContext, b: Manifest, ns: string, name: string, fp: ForkPlan, host: string, gateway: string, header: string): KObject {
  const spec = clone(asRecord(b.object.spec) ?? {});
  const http = (asArray(spec.http) as Route[]).map((r) => forkRoute(ctx, r, ns, fp, header));
  const out: Record<string, unknown> = { hosts: [host], gateways: [gateway], http };
  if (spec.exportTo !== undefined) out.exportTo = spec.exportTo;
  return {
    apiVersion: b.object.apiVersion,
    kind: "VirtualService",
    metadata: forkMetadata({ ...b.object.metadata, namespace: ns }, fp, name, describe(b.object, ns)),
    spec: out,
  };
}

function entryRoute(
  ctx: GenContext,
  entry: IngressEntry,
  svc: { namespace: string; name: string },
  ns: string,
  name: string,
  fp: ForkPlan,
  host: string,
  gateway: string,
  header: string,
  apiVersion: string,
): KObject {
  const fqdn = serviceFqdn(svc.name, svc.namespace, ctx.index.clusterDomain);
  const destination: Record<string, unknown> = { host: fp.serviceByFqdn.get(fqdn)?.copyFqdn ?? fqdn };
  if (entry.port !== undefined) destination.port = { number: entry.port };
  return {
    apiVersion,
    kind: "VirtualService",
    metadata: forkMetadata({ name, namespace: ns }, fp, name),
    spec: {
      hosts: [host],
      gateways: [gateway],
      http: [{ name: "kubefork", headers: { request: { set: { [header]: fp.id } } }, route: [{ destination }] }],
    },
  };
}

/** One base route for a fork: the header set, destinations on forked Services swapped. */
function forkRoute(ctx: GenContext, r: Route, ns: string, fp: ForkPlan, header: string): Route {
  const c = clone(r);
  const headers = asRecord(c.headers) ?? {};
  const request = asRecord(headers.request) ?? {};
  request.set = { ...(asRecord(request.set) ?? {}), [header]: fp.id };
  const add = asRecord(request.add);
  if (add && header in add) {
    delete add[header];
    if (Object.keys(add).length === 0) delete request.add;
  }
  if (Array.isArray(request.remove)) {
    request.remove = request.remove.filter((h) => h !== header);
    if ((request.remove as unknown[]).length === 0) delete request.remove;
  }
  c.headers = { ...headers, request };
  const resolve = ctx.index.resolveHost;
  if (Array.isArray(c.route)) c.route = collapse(c.route.map((d) => swapDestination(d, fp, ns, resolve)), resolve, ns);
  return c;
}

