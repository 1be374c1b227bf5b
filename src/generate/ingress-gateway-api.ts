// Per-fork hosts on a Gateway API Gateway (invariant 5), for `spec.ingress[].kind: gateway-api`.
//
// For each fork and entry: HTTPRoutes on the entry's Gateway for the hostname `<id>.<domain>`,
// one per base HTTPRoute attached to that Gateway for `<domain>` (same namespace, same rules,
// matches and filters), with a RequestHeaderModifier that sets the fork header on every rule and
// backendRefs on Services the fork copies swapped to the copies. With no such base route, one
// route to `spec.ingress[].service` in the Service's namespace (no ReferenceGrant needed).
// An exact hostname is more specific than `*.<domain>`, so a base wildcard route never shadows it.
import type { Manifest } from "../model/inputs.ts";
import { asArray, asRecord, clone, describe, type KObject } from "../model/k8s.ts";
import { serviceFqdn } from "../plan/names.ts";
import { copyName } from "../plan/names.ts";
import type { ForkPlan } from "../plan/plan.ts";
import { error } from "../problems.ts";
import {
  GATEWAY_GROUP,
  GATEWAY_KIND,
  gatewayApiVersion,
  HTTPROUTE_KIND,
  parentRefsOf,
  swapBackends,
  withHeaderSet,
  type Rule,
} from "./gateway-api-common.ts";
import { domainObjectName, entriesOf, entryAt, forkHost, hostPatternCovers, hostSpecificity, parseRef } from "./ingress-common.ts";
import { forkMetadata } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

/** Base HTTPRoutes attached to the Gateway (and listener) whose hostnames cover `domain`, most specific tier. */
export function baseGatewayHttpRoutes(ctx: GenContext, gw: { namespace: string; name: string }, sectionName: string | undefined, domain: string): Manifest[] {
  const { index } = ctx;
  const found: { m: Manifest; spec: [number, number] }[] = [];
  let best: [number, number] | undefined;
  for (const m of index.ofKind(HTTPROUTE_KIND)) {
    const ns = index.nsOf(m.object);
    const attached = parentRefsOf(m.object, ns).some(
      (p) => p.group === GATEWAY_GROUP && p.kind === "Gateway" && p.namespace === gw.namespace && p.name === gw.name && (!sectionName || !p.sectionName || p.sectionName === sectionName),
    );
    if (!attached) continue;
    let mine: [number, number] | undefined;
    for (const h of asArray(asRecord(m.object.spec)?.hostnames)) {
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

/** Would this Gateway serve `host` for a route in `routeNs`? undefined = yes; else why not. */
function listenerRefusal(gw: KObject, gwNs: string, sectionName: string | undefined, host: string, routeNs: string): string | undefined {
  const listeners = asArray(asRecord(gw.spec)?.listeners)
    .map((l) => asRecord(l) ?? {})
    .filter((l) => !sectionName || l.name === sectionName)
    .filter((l) => l.protocol === "HTTP" || l.protocol === "HTTPS");
  if (listeners.length === 0) return sectionName ? `it has no HTTP or HTTPS listener named ${sectionName}` : "it has no HTTP or HTTPS listener";
  const byHost = listeners.filter((l) => typeof l.hostname !== "string" || hostPatternCovers(l.hostname, host));
  if (byHost.length === 0) return `no listener's hostname accepts ${host}`;
  const byNs = byHost.filter((l) => {
    const from = asRecord(asRecord(asRecord(l.allowedRoutes)?.namespaces))?.from ?? "Same";
    return from === "All" || from === "Selector" || routeNs === gwNs;
  });
  if (byNs.length === 0) return `its listeners for ${host} admit routes only from namespace ${gwNs} (allowedRoutes.namespaces.from: Same), and the fork route lives in ${routeNs}`;
  return undefined;
}

export function generateGatewayApiIngress(ctx: GenContext): GenResult {
  const out = emptyResult();
  const { index, plan, manager } = ctx;
  if (plan.forks.length === 0) return out;
  const header = manager.spec.header;
  const apiVersion = gatewayApiVersion(index);

  for (const { entry, index: i } of entriesOf(ctx, "gateway-api")) {
    const gw = parseRef(entry.gateway!, index.defaultNamespace);
    const gwKey = `${gw.namespace}/${gw.name}`;
    const bases = baseGatewayHttpRoutes(ctx, gw, entry.sectionName, entry.domain);
    const svc = entry.service ? parseRef(entry.service, index.defaultNamespace) : undefined;
    if (bases.length === 0 && !svc) {
      out.problems.push(
        error({
          ...entryAt(ctx, i),
          message: `no base HTTPRoute attached to Gateway ${gwKey} serves ${entry.domain}, and the entry names no service`,
          hint: `add service: <namespace>/<name> (and port:) to spec.ingress[${i}], or an HTTPRoute for ${entry.domain} on ${gwKey} to the base`,
        }),
      );
      continue;
    }
    let port = entry.port;
    if (bases.length === 0 && port === undefined) {
      const s = index.serviceByFqdn(serviceFqdn(svc!.name, svc!.namespace, index.clusterDomain));
      const ports = asArray(asRecord(s?.object.spec)?.ports).map((p) => asRecord(p)?.port).filter((p): p is number => typeof p === "number");
      if (ports.length !== 1) {
        out.problems.push(
          error({
            ...entryAt(ctx, i, "service"),
            message: s ? `Service ${svc!.namespace}/${svc!.name} has ${ports.length} ports; a Gateway API backendRef needs one` : `Service ${svc!.namespace}/${svc!.name} is not in the base, so its port is unknown`,
            hint: `add port: <service port> to spec.ingress[${i}]`,
          }),
        );
        continue;
      }
      port = ports[0];
    }
    const gateway = index.ofKind(GATEWAY_KIND).find((m) => index.nsOf(m.object) === gw.namespace && m.object.metadata.name === gw.name);
    const refused: string[] = [];
    let refusal: string | undefined;

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
          if (index.has(HTTPROUTE_KIND, ns, name)) {
            out.problems.push(nameTaken(ctx, i, `HTTPRoute ${ns}/${name}`, fp));
            continue;
          }
          made.push(mirror(ctx, b, ns, name, fp, h.host, gw, entry.sectionName, header));
        }
      } else {
        const name = domainObjectName(entry.domain, fp.id);
        if (index.has(HTTPROUTE_KIND, svc!.namespace, name)) {
          out.problems.push(nameTaken(ctx, i, `HTTPRoute ${svc!.namespace}/${name}`, fp));
          continue;
        }
        const fqdn = serviceFqdn(svc!.name, svc!.namespace, index.clusterDomain);
        const parentRef: Record<string, unknown> = { group: GATEWAY_GROUP, kind: "Gateway", namespace: gw.namespace, name: gw.name };
        if (entry.sectionName) parentRef.sectionName = entry.sectionName;
        made.push({
          apiVersion,
          kind: "HTTPRoute",
          metadata: forkMetadata({ name, namespace: svc!.namespace }, fp, name),
          spec: {
            parentRefs: [parentRef],
            hostnames: [h.host],
            rules: [
              {
                filters: withHeaderSet(undefined, header, fp.id),
                backendRefs: [{ name: fp.serviceByFqdn.get(fqdn)?.copyName ?? svc!.name, port }],
              },
            ],
          },
        });
      }
      for (const o of made) {
        out.objects.push({ object: o, fork: fp.id });
        if (!gateway) continue;
        const why = listenerRefusal(gateway.object, gw.namespace, entry.sectionName, h.host, o.metadata.namespace!);
        if (why) {
          refused.push(h.host);
          refusal ??= why;
        }
      }
    }
    if (refused.length > 0) {
      const hosts = [...new Set(refused)];
      out.problems.push(
        error({
          ...entryAt(ctx, i, "domain"),
          object: describe(gateway!.object, gw.namespace),
          message: `Gateway ${gwKey} does not accept the fork host${hosts.length > 1 ? "s" : ""} ${hosts.join(", ")}: ${refusal}`,
          hint: `give Gateway ${gwKey} (${gateway!.doc.file}:${gateway!.doc.line}) an HTTP listener with hostname "*.${entry.domain}" (or none) that admits routes from the fork routes' namespace`,
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

function mirror(
  ctx: GenContext,
  b: Manifest,
  ns: string,
  name: string,
  fp: ForkPlan,
  host: string,
  gw: { namespace: string; name: string },
  sectionName: string | undefined,
  header: string,
): KObject {
  const spec = asRecord(b.object.spec) ?? {};
  const parentRefs = parentRefsOf(b.object, ns)
    .filter((p) => p.group === GATEWAY_GROUP && p.kind === "Gateway" && p.namespace === gw.namespace && p.name === gw.name && (!sectionName || !p.sectionName || p.sectionName === sectionName))
    .map((p) => {
      const raw = clone(p.raw);
      if (sectionName) raw.sectionName = sectionName;
      return raw;
    });
  const rules = (asArray(spec.rules) as Rule[]).map((r) => {
    const c = clone(r);
    c.filters = withHeaderSet(r.filters, header, fp.id);
    const swapped = swapBackends(r.backendRefs, ns, fp, ctx.index);
    if (swapped) c.backendRefs = swapped;
    return c;
  });
  return {
    apiVersion: b.object.apiVersion,
    kind: "HTTPRoute",
    metadata: forkMetadata({ ...b.object.metadata, namespace: ns }, fp, name, describe(b.object, ns)),
    spec: { parentRefs, hostnames: [host], rules: rules.length > 0 ? rules : [{ filters: withHeaderSet(undefined, header, fp.id) }] },
  };
}
