// Gateway API pieces shared by the ingress (Gateway parent) and mesh (GAMMA, Service parent)
// generators: parent references, backendRefs swapped to fork Services, the header filter.
import { asArray, asRecord, clone } from "../model/k8s.ts";
import { GATEWAY_GROUP, HTTPROUTE_KIND } from "../model/routes.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import { serviceFqdn } from "../plan/names.ts";
import type { ForkPlan } from "../plan/plan.ts";
import { forkTarget, type ForkTarget } from "../plan/versions.ts";
import { withGatewayHeaderOps } from "./carriers.ts";

export const GATEWAY_KIND = "gateway.networking.k8s.io/Gateway";
export { GATEWAY_GROUP, HTTPROUTE_KIND, parentRefsOf, type ParentRef } from "../model/routes.ts";
export const DEFAULT_GATEWAY_API = "gateway.networking.k8s.io/v1";

export type Rule = Record<string, unknown> & { matches?: Match[]; filters?: Filter[]; backendRefs?: BackendRef[] };
export type Match = Record<string, unknown> & { headers?: HeaderMatch[] };
export type HeaderMatch = { type?: string; name: string; value: string };
export type Filter = Record<string, unknown> & { type: string };
export type BackendRef = Record<string, unknown> & { group?: string; kind?: string; name?: string; namespace?: string; port?: number; weight?: number };

/** FQDN of the Service a backendRef names, or undefined for other kinds. */
export function backendFqdn(b: BackendRef, routeNs: string, index: BaseIndex): string | undefined {
  if ((b.group ?? "") !== "" || (b.kind ?? "Service") !== "Service" || typeof b.name !== "string") return undefined;
  return serviceFqdn(b.name, b.namespace ?? routeNs, index.clusterDomain);
}

/**
 * The fork's target for a backendRef (src/plan/versions.ts): the copy of the widest forked Service
 * the backend is a version of, and its port; undefined for backends the fork leaves as they are.
 */
export function backendTarget(b: BackendRef, routeNs: string, fp: ForkPlan, index: BaseIndex): ForkTarget | undefined {
  const fqdn = backendFqdn(b, routeNs, index);
  return fqdn ? forkTarget(index, fp, fqdn, typeof b.port === "number" ? b.port : undefined) : undefined;
}

/**
 * backendRefs of a rule for a fork: each backend the fork pins (a forked Service or a version of
 * one) becomes the fork's copy, on the copy's port; backends that then name the same Service, port
 * and filters collapse into one, their weights added (unset is 1, at most 1,000,000:
 * apis/v1/shared_types.go BackendRef.Weight, kubernetes-sigs/gateway-api 4564255a; a sum over
 * that scales the rule's weights down, in proportion); a lone backendRef needs no weight.
 */
export function swapBackends(refs: readonly BackendRef[] | undefined, routeNs: string, fp: ForkPlan, index: BaseIndex): BackendRef[] | undefined {
  if (!refs) return undefined;
  const out: BackendRef[] = [];
  const byKey = new Map<string, BackendRef>();
  for (const b of refs) {
    const t = backendTarget(b, routeNs, fp, index);
    const c: BackendRef = t ? { ...clone(b), name: t.service.copyName, ...(t.port !== undefined ? { port: t.port } : {}) } : clone(b);
    const key = JSON.stringify([c.group ?? "", c.kind ?? "Service", c.namespace ?? routeNs, c.name, c.port, c.filters ?? []]);
    const prev = t ? byKey.get(key) : undefined;
    if (prev) {
      prev.weight = (prev.weight ?? 1) + (b.weight ?? 1);
      continue;
    }
    if (t) byKey.set(key, c);
    out.push(c);
  }
  if (out.length === 1 && out.length < refs.length) delete out[0]!.weight;
  else fitWeights(out);
  return out;
}

export const MAX_WEIGHT = 1_000_000;

/** Weights over the CRD's maximum, scaled down in proportion (a non-zero weight stays non-zero). */
function fitWeights(refs: BackendRef[]): void {
  const max = Math.max(0, ...refs.map((b) => b.weight ?? 1));
  if (max <= MAX_WEIGHT) return;
  const k = max / MAX_WEIGHT;
  for (const b of refs) {
    const w = b.weight ?? 1;
    b.weight = w === 0 ? 0 : Math.min(MAX_WEIGHT, Math.max(1, Math.round(w / k)));
  }
}

/**
 * Filters with the header set to `value`: merged into the rule's RequestHeaderModifier when it has
 * one (a filter type may appear once per rule), else a new one appended.
 */
export function withHeaderSet(filters: readonly Filter[] | undefined, header: string, value: string): Filter[] {
  return withGatewayHeaderOps(filters, { set: [[header, value]], append: [] });
}

/** Gateway API apiVersion for new routes: the one the base HTTPRoutes use, else v1. */
export function gatewayApiVersion(index: BaseIndex): string {
  return index.ofKind(HTTPROUTE_KIND)[0]?.object.apiVersion ?? DEFAULT_GATEWAY_API;
}

export const REFERENCE_GRANT_KIND = "gateway.networking.k8s.io/ReferenceGrant";

/** Does a ReferenceGrant let HTTPRoutes in `routeNs` reference Service `name` in `toNs`? (same namespace: always) */
export function serviceRefGranted(index: BaseIndex, routeNs: string, toNs: string, name: string): boolean {
  if (routeNs === toNs) return true;
  return index.ofKind(REFERENCE_GRANT_KIND).some((g) => {
    if (index.nsOf(g.object) !== toNs) return false;
    const spec = asRecord(g.object.spec) ?? {};
    const from = asArray(spec.from).some((f) => {
      const o = asRecord(f) ?? {};
      return o.group === GATEWAY_GROUP && o.kind === "HTTPRoute" && o.namespace === routeNs;
    });
    const to = asArray(spec.to).some((t) => {
      const o = asRecord(t) ?? {};
      return (o.group ?? "") === "" && o.kind === "Service" && (o.name === undefined || o.name === "" || o.name === name);
    });
    return from && to;
  });
}

/**
 * Cross-namespace backendRefs a fork copy swapped to a fork Service (the target of swapBackends) that a ReferenceGrant allows for
 * the original but not for the copy (a grant that names the Service): `ns/copy (for ns/base)` and
 * the index of the backendRef.
 */
export function ungrantedCopies(base: readonly BackendRef[] | undefined, routeNs: string, fp: ForkPlan, index: BaseIndex): { what: string; at: number }[] {
  const out: { what: string; at: number }[] = [];
  (base ?? []).forEach((b, at) => {
    const sp = backendTarget(b, routeNs, fp, index)?.service;
    if (!sp || typeof b.name !== "string") return;
    const toNs = b.namespace ?? routeNs;
    if (serviceRefGranted(index, routeNs, toNs, b.name) && !serviceRefGranted(index, routeNs, toNs, sp.copyName)) out.push({ what: `${toNs}/${sp.copyName} (for ${toNs}/${b.name})`, at });
  });
  return out;
}

// Limits of HTTPRoute `spec.rules`, from the standard-channel CRD
// (kubernetes-sigs/gateway-api config/crd/standard/gateway.networking.k8s.io_httproutes.yaml):
// `rules` maxItems 16 and `headers` maxItems 16 per match in every release; `matches` maxItems 8
// per rule up to v1.1 (v1.0.0 a0684982, v1.1.0 690f7546, v1.1.1 9a0614f9), 64 from v1.2
// (v1.2.0 f7350459, v1.2.1 a8fe5c87), which adds a CEL rule on `rules` that the matches of all
// rules add up to at most 128 (a rule without matches is defaulted to one).
// kubefork cannot know which CRD the cluster has, so a fork rule is split at 8 matches, which
// every release accepts (rules are ORed and keep their order, so the split routes the same):
// with five carriers (five header matches per fork: header, baggage, tracestate, and traceId's
// traceparent and x-b3-traceid) a base rule of two matches already makes 10.
export const MAX_RULES = 16;
export const MAX_MATCHES = 8;
export const MAX_ROUTE_MATCHES = 128;
export const MAX_HEADER_MATCHES = 16;

/** A URLRewrite or RequestRedirect filter whose path modifier is ReplacePrefixMatch. */
function replacesPrefix(f: Filter): boolean {
  const p = asRecord(asRecord(f.type === "URLRewrite" ? f.urlRewrite : f.type === "RequestRedirect" ? f.requestRedirect : undefined)?.path);
  return p?.type === "ReplacePrefixMatch";
}

/**
 * Whether the CRD allows this rule exactly one (PathPrefix) match: four CEL rules on an HTTPRoute
 * rule, for ReplacePrefixMatch in the rule's filters or in a backendRef's filters.
 */
export function needsSingleMatch(rule: Rule): boolean {
  if ((rule.filters ?? []).some(replacesPrefix)) return true;
  return (rule.backendRefs ?? []).some((b) => asArray(b.filters).some((f) => replacesPrefix((asRecord(f) ?? { type: "" }) as Filter)));
}

/** A rule with more matches than it may hold becomes several rules (matches are ORed either way). */
export function splitRule(rule: Rule): Rule[] {
  const ms = rule.matches ?? [];
  const per = needsSingleMatch(rule) ? 1 : MAX_MATCHES;
  if (ms.length <= per) return [rule];
  const out: Rule[] = [];
  for (let i = 0; i < ms.length; i += per) out.push({ ...clone(rule), matches: ms.slice(i, i + per) });
  return out;
}

/** The most header matches in one match of these rules (at most MAX_HEADER_MATCHES). */
export function maxHeaderMatches(rules: readonly Rule[]): number {
  return Math.max(0, ...rules.flatMap((r) => (r.matches ?? []).map((m) => m.headers?.length ?? 0)));
}

/** The matches of a route's rules as the API server counts them (no matches = one, defaulted). */
export function routeMatchCount(rules: readonly Rule[]): number {
  return rules.reduce((n, r) => n + Math.max(1, r.matches?.length ?? 0), 0);
}
