// The ingress adapter of `spec.ingress[].kind: emissary` (the steps are src/generate/ingress.ts's):
// per-fork hosts on Emissary-ingress / Ambassador (invariant 5).
//
// For each fork and entry: a Mapping per base Mapping whose host covers `<domain>` (exact, a glob
// such as `*.example.com`, or none, which Emissary 2+ reads as `*`), in its namespace, with the
// same prefix, rewrites, timeouts..., the host `<id>.<domain>`, the fork header added (overwriting
// a client's value), and `service` swapped to the fork's Service copy when the fork copies it.
// With no such base Mapping, one Mapping for `/` to `spec.ingress[].service`.
//
// Shapes (emissary pkg/api/getambassador.io): v3alpha1 has `hostname` (a DNS glob) and
// `add_request_headers: {name: {value, append}}` (objects only: copied shorthand strings are
// converted); v2 (Ambassador 1.x, the original kubefork) has `host` and takes a string or the
// object; kubefork sets its header as `{value, append: false}` in both. `ambassador_id` is a list. `host_rewrite` is the base
// Mapping's, else `<domain>`, so the app sees the Host header it sees through `<domain>`.
import type { Manifest } from "../model/inputs.ts";
import { asRecord, clone, describe, type KObject } from "../model/k8s.ts";
import { mappingHost } from "../model/hosts.ts";
import type { IngressEntryOf } from "../model/ingress.ts";
import { MAPPING_KIND } from "../model/routes.ts";
import { serviceFqdn } from "../plan/names.ts";
import type { ForkPlan } from "../plan/plan.ts";
import { ambassadorIds, type EntryServing } from "../plan/ingress.ts";
import { error, warning, type Problem } from "../problems.ts";
import type { EntryRouting, ForkTarget, IngressAdapter } from "./ingress.ts";
import { emissaryHostglobMatches } from "../util/host-patterns.ts";
import { entryAt, parseRef, refusedHosts } from "./ingress-common.ts";
import { forkMetadata } from "./meta.ts";
import { headerOps, withEmissaryHeaderOps } from "./carriers.ts";
import type { GenContext } from "./types.ts";

export const DEFAULT_EMISSARY_API = "getambassador.io/v3alpha1";

/** Base Mappings that serve `domain`. */
export function baseMappings(ctx: GenContext, domain: string): Manifest[] {
  return ctx.index.ofKind(MAPPING_KIND).filter((m) => {
    const h = mappingHost(asRecord(m.object.spec));
    if ("regex" in h) {
      try {
        return new RegExp(`^(?:${h.regex})$`).test(domain);
      } catch {
        return false;
      }
    }
    return emissaryHostglobMatches(h.pattern, domain);
  });
}

/** `[scheme://]name[.ns[.svc.<domain>]][:port]` → its parts. */
export function parseMappingService(service: string): { scheme: string; name: string; rest: string; namespace?: string; port: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?([^:/]+)(:\d+)?$/i.exec(service.trim());
  if (!m) return { scheme: "", name: service, rest: "", port: "" };
  const host = m[2]!;
  const dot = host.indexOf(".");
  const name = dot < 0 ? host : host.slice(0, dot);
  const rest = dot < 0 ? "" : host.slice(dot);
  const parsed: { scheme: string; name: string; rest: string; namespace?: string; port: string } = { scheme: m[1] ?? "", name, rest, port: m[3] ?? "" };
  if (dot >= 0) parsed.namespace = host.slice(dot + 1).split(".")[0]!;
  return parsed;
}

/** A Mapping's `service` with the Service swapped to the fork's copy when the fork copies it. */
export function swapMappingService(service: string, mappingNs: string, fp: ForkPlan, clusterDomain: string): string {
  const p = parseMappingService(service);
  const fqdn = serviceFqdn(p.name, p.namespace ?? mappingNs, clusterDomain);
  const sp = fp.serviceByFqdn.get(fqdn);
  if (!sp) return service;
  return `${p.scheme}${sp.copyName}${p.rest}${p.port}`;
}

/** kind: emissary. */
export const emissaryAdapter: IngressAdapter<"emissary"> = {
  routeKind: MAPPING_KIND,
  routeLabel: "Mapping",
  traceGateway: undefined,
  routing(ctx, entry, i, serving): EntryRouting {
    const { index } = ctx;
    const apiVersion = entry.apiVersion ?? DEFAULT_EMISSARY_API;
    const bases = baseMappings(ctx, entry.domain);
    return {
      bases,
      problems: apiVersion === "getambassador.io/v2" ? [] : unseenHosts(ctx, entry, i, bases, serving),
      noRoute: {
        message: `no base Mapping serves ${entry.domain}, and the entry names no service`,
        hint: `add service: <namespace>/<name> (and port:) to spec.ingress[${i}], or a Mapping for ${entry.domain} to the base`,
      },
      entryTarget: (svc) => ({ namespace: svc.namespace }),
      mirror(b, at, fork) {
        const spec = clone(asRecord(b.object.spec) ?? {});
        if (typeof spec.service === "string") spec.service = swapMappingService(spec.service, at.namespace, fork.fp, index.clusterDomain);
        return mapping(apiVersion, forkMetadata({ ...b.object.metadata, namespace: at.namespace }, fork.fp, at.name, describe(b.object, at.namespace)), spec, entry, fork);
      },
      entryRoute(svc, at, fork) {
        const sp = fork.fp.serviceByFqdn.get(serviceFqdn(svc.name, svc.namespace, index.clusterDomain));
        const service = `${sp?.copyName ?? svc.name}.${svc.namespace}${entry.port !== undefined ? `:${entry.port}` : ""}`;
        return mapping(apiVersion, forkMetadata({ name: at.name, namespace: at.namespace }, fork.fp, at.name), { prefix: "/", service }, entry, fork);
      },
      refused(refusals) {
        const hosts = refusedHosts(refusals);
        return [
          error({
            ...entryAt(ctx, i, "domain"),
            code: "KF5024",
            message: `no Emissary Host takes the fork host${hosts.length > 1 ? "s" : ""} ${hosts.join(", ")}: Emissary 2+ serves a v3alpha1 Mapping only on a Host whose hostname matches the Mapping's (and whose mappingSelector, if any, matches its labels); ${refusals[0]!.why}`,
            hint: `add to the base: ${hostToAdd(entry, refusals[0]!.namespace, serving)}`,
          }),
        ];
      },
    };
  },
};

/** The fork Mappings' ambassador_id sets: the entry's, else each base Mapping's (Emissary's default ["default"]). */
function mappingIdSets(entry: IngressEntryOf<"emissary">, bases: readonly Manifest[]): string[][] {
  if (entry.ambassadorId !== undefined) return [Array.isArray(entry.ambassadorId) ? entry.ambassadorId : [entry.ambassadorId]];
  if (bases.length === 0) return [["default"]];
  return bases.map((b) => ambassadorIds(asRecord(b.object.spec)));
}

/**
 * A warning when the base holds no Host of the installation that serves the fork Mappings: the
 * Hosts are elsewhere (kubefork cannot check them) or there are none (Emissary then makes `*`).
 */
function unseenHosts(ctx: GenContext, entry: IngressEntryOf<"emissary">, i: number, bases: readonly Manifest[], serving: EntryServing): Problem[] {
  const hostIds = serving.deciders.map((h) => ambassadorIds(asRecord(h.object.spec)));
  const unseen = [...new Set(mappingIdSets(entry, bases).filter((ids) => !hostIds.some((h) => h.some((id) => ids.includes(id)))).map((ids) => ids.join(", ")))];
  return unseen.map((ids) =>
    warning({
      ...entryAt(ctx, i, "domain"),
      code: "KF5026",
      message: `the base has no Emissary Host of ambassador_id ${ids}, so kubefork cannot check that the fork hosts *.${entry.domain} are served: Emissary 2+ serves a v3alpha1 Mapping only on a Host whose hostname matches it (it makes a Host "*" only when the installation has none)`,
      hint: `make sure the cluster has a Host for "*.${entry.domain}", or add one to the base: ${hostToAdd(entry, bases[0] ? ctx.index.nsOf(bases[0].object) : parseRef(entry.service ?? "", ctx.index.defaultNamespace).namespace, serving)}`,
    }),
  );
}

/** The Host to add for the fork hosts, in one line of YAML: like the base's Hosts for `<domain>` (TLS, ambassador_id). */
function hostToAdd(entry: IngressEntryOf<"emissary">, namespace: string, serving: EntryServing): string {
  const like = serving.deciders.find((h) => emissaryHostglobMatches(String(asRecord(h.object.spec)?.hostname ?? "*"), entry.domain));
  const spec: string[] = [`hostname: "*.${entry.domain}"`];
  if (entry.ambassadorId !== undefined) spec.push(`ambassador_id: [${(Array.isArray(entry.ambassadorId) ? entry.ambassadorId : [entry.ambassadorId]).join(", ")}]`);
  if (asRecord(asRecord(like?.object.spec)?.tlsSecret)) spec.push(`tlsSecret: {name: <a Secret with a certificate for *.${entry.domain}>}`);
  return `{apiVersion: getambassador.io/v3alpha1, kind: Host, metadata: {name: ${entry.domain.replace(/\./g, "-")}-forks, namespace: ${namespace}}, spec: {${spec.join(", ")}}}`;
}

function mapping(apiVersion: string, metadata: KObject["metadata"], base: Record<string, unknown>, entry: IngressEntryOf<"emissary">, fork: ForkTarget): KObject {
  const { host: _h, hostname: _hn, host_regex: _hr, add_request_headers: addBase, host_rewrite: rewrite, ambassador_id: ambBase, ...rest } = base;
  void _h;
  void _hn;
  void _hr;
  const v2 = apiVersion === "getambassador.io/v2";
  const spec: Record<string, unknown> = {};
  const amb = entry.ambassadorId ?? ambBase;
  // A list in both CRDs (v3alpha1 takes only a list; v2 reads a string as a list of one).
  if (amb !== undefined) spec.ambassador_id = Array.isArray(amb) ? amb : [amb];
  spec[v2 ? "host" : "hostname"] = fork.host;
  Object.assign(spec, rest);
  if (!v2 && asRecord(rest.add_response_headers)) spec.add_response_headers = headerObjects(asRecord(rest.add_response_headers)!);
  const added = v2 ? { ...(asRecord(addBase) ?? {}) } : headerObjects(asRecord(addBase) ?? {});
  // The fork header with append: false in both versions, so a value the client sent is replaced,
  // not joined (`bob,alice` matches no fork); the v2 shorthand string would append. List entries
  // (baggage, tracestate) append.
  spec.add_request_headers = withEmissaryHeaderOps(added, headerOps(fork.headers));
  spec.host_rewrite = typeof rewrite === "string" ? rewrite : entry.domain;
  return { apiVersion, kind: "Mapping", metadata, spec };
}

/**
 * Added headers in the v3alpha1 object form: a v2 shorthand string `name: value` becomes
 * `{value, append: true}` (Emissary appends by default), as the v3alpha1 CRD takes objects only
 * (charts/emissary-crds/templates/mappings.yaml, v3alpha1 add_request_headers.additionalProperties).
 */
function headerObjects(h: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) out[k] = typeof v === "string" ? { value: v, append: true } : clone(v);
  return out;
}
