// Per-fork hosts (invariant 5): the one ingress driver, and the table of ingress kinds.
//
// For each spec.ingress entry, its kind's adapter reads the base once (the routes serving the
// entry's domain, its Gateway); then, for each fork: the fork host `<id>.<domain>`, the base
// routes mirrored for that host (or one entry route to `spec.ingress[].service` when the base
// routes none), each name checked free, and each route checked against what its Gateway serves
// (read once, in the plan: src/plan/ingress.ts).
// What is particular to a kind (VirtualServices, HTTPRoutes, Mappings) is in its adapter file;
// the steps and their order are here, once.
//
// INGRESS_ADAPTERS is a Record over the kinds of the schema (src/model/ingress.ts): a kind added
// there without an adapter here does not compile (test/generate/ingress-kinds.test.ts).
import type { Manifest } from "../model/inputs.ts";
import type { KObject } from "../model/k8s.ts";
import type { IngressEntryOf, IngressKind } from "../model/ingress.ts";
import type { EntryServing, IngressPlan } from "../plan/ingress.ts";
import { copyName } from "../plan/names.ts";
import type { ForkPlan } from "../plan/plan.ts";
import { error, type ObjectRef, type Problem } from "../problems.ts";
import { takenRef } from "./meta.ts";
import { emissaryAdapter } from "./ingress-emissary.ts";
import { gatewayApiAdapter } from "./ingress-gateway-api.ts";
import { domainObjectName, entryAt, forkHost, parseRef } from "./ingress-common.ts";
import { istioAdapter } from "./ingress-istio.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";
import { carrierSpec, forkHeaderOps } from "./carriers.ts";

/** A request header the ingress sets on every request to a fork host. */
export interface IngressHeader {
  name: string;
  value: string;
  /** A list member (baggage, tracestate entry) appended to what the client sent; else the header is replaced. */
  append?: boolean;
}

/** One fork's side of an entry: its host and the headers its routes set. */
export interface ForkTarget {
  fp: ForkPlan;
  host: string;
  headers: readonly IngressHeader[];
}

/** Where a route goes: its namespace and name. */
export interface RouteAt {
  namespace: string;
  name: string;
}

/** A fork host a route's Gateway would not serve: answered 404 while the render looked fine. */
export interface Refusal {
  host: string;
  /** Namespace of the fork route. */
  namespace: string;
  /** Why, in words ("no listener's hostname accepts ..."). */
  why: string;
}

/** An entry as its adapter read it from the base, once: what the driver needs for every fork. */
export interface EntryRouting {
  /** Base routes serving the domain: each fork gets a mirror of each. Empty: one entry route. */
  bases: readonly Manifest[];
  /** The error when `bases` is empty and the entry names no service. */
  noRoute: { message: string; hint: string };
  /**
   * Where the entry route of a fork goes and what it needs, when `bases` is empty: the namespace
   * (the Gateway's or the Service's), or the problem that stops the entry.
   */
  entryTarget(svc: RouteAt): { namespace: string } | { problem: Problem };
  /** A base route, for one fork. */
  mirror(base: Manifest, at: RouteAt, fork: ForkTarget): KObject;
  /** The one route of a fork to the entry Service. */
  entryRoute(svc: RouteAt, at: RouteAt, fork: ForkTarget): KObject;
  /** The errors for the fork hosts the Gateway refuses (at least one; src/plan/ingress.ts decides). */
  refused(refusals: readonly Refusal[]): Problem[];
  /** Problems of the entry as a whole, once (warnings: what kubefork cannot check from the base). */
  problems?: readonly Problem[];
}

/** An ingress kind: the routes it writes, and how it reads one entry from the base. */
export interface IngressAdapter<K extends IngressKind> {
  /** Index key of the routes it writes, for the name check: `networking.istio.io/VirtualService`. */
  routeKind: string;
  /** Their kind as people read it. */
  routeLabel: string;
  /** Which Gateway API `trace` enters by for the entry's hosts (none: no Gateway object). */
  traceGateway: "istio" | "gateway-api" | undefined;
  /** Reads one entry from the base (a property, not a method: so an adapter of one kind is no adapter of another). */
  routing: (ctx: GenContext, entry: IngressEntryOf<K>, index: number, serving: EntryServing) => EntryRouting;
}

/** The table: one adapter per ingress kind. */
export const INGRESS_ADAPTERS: { readonly [K in IngressKind]: IngressAdapter<K> } = {
  istio: istioAdapter,
  "gateway-api": gatewayApiAdapter,
  emissary: emissaryAdapter,
};

/** The adapter of an entry's kind. */
export function adapterOf<K extends IngressKind>(entry: IngressEntryOf<K>): IngressAdapter<K> {
  // The table's type pairs each kind with the adapter of that kind; TypeScript cannot follow the
  // pairing through an index by a union, hence the cast.
  return INGRESS_ADAPTERS[entry.kind as K] as IngressAdapter<K>;
}

/**
 * The headers the ingress sets on a fork's requests: every header carrier (src/generate/carriers.ts
 * forkHeaderOps): the fork header, and the baggage and tracestate entries when chosen. The one
 * place they are decided; every adapter writes them in its kind's form.
 */
export function forkHeaders(ctx: GenContext, fp: ForkPlan): IngressHeader[] {
  const ops = forkHeaderOps(carrierSpec(ctx.manager), fp.id);
  return [...ops.set.map(([name, value]) => ({ name, value })), ...ops.append.map(([name, value]) => ({ name, value, append: true }))];
}

export function generateIngress(ctx: GenContext): GenResult {
  const out = emptyResult();
  if (ctx.plan.forks.length === 0) return out;
  for (const p of ctx.plan.ingress) routeEntry(ctx, p, out);
  return out;
}

/** Every fork's routes for one entry. */
function routeEntry(ctx: GenContext, { entry, index: i, serving }: IngressPlan, out: GenResult): void {
  const adapter = adapterOf(entry);
  const r = adapter.routing(ctx, entry, i, serving);
  const svc = entry.service ? parseRef(entry.service, ctx.index.defaultNamespace) : undefined;
  let target: { namespace: string } | undefined;
  if (r.bases.length === 0) {
    if (!svc) {
      out.problems.push(error({ ...entryAt(ctx, i), code: "KF5023", ...r.noRoute }));
      return;
    }
    const t = r.entryTarget(svc);
    if ("problem" in t) {
      out.problems.push(t.problem);
      return;
    }
    target = t;
  }
  out.problems.push(...(r.problems ?? []));
  const refusals: Refusal[] = [];
  for (const fp of ctx.plan.forks) {
    const h = forkHost(ctx, fp, entry, i);
    if ("problem" in h) {
      out.problems.push(h.problem);
      continue;
    }
    const fork: ForkTarget = { fp, host: h.host, headers: forkHeaders(ctx, fp) };
    const made: KObject[] = [];
    const free = (at: RouteAt): boolean => {
      if (!ctx.index.has(adapter.routeKind, at.namespace, at.name)) return true;
      out.problems.push(nameTaken(ctx, i, `${adapter.routeLabel} ${at.namespace}/${at.name}`, fp, takenRef(ctx.index, adapter.routeKind, at.namespace, at.name)));
      return false;
    };
    if (target === undefined) {
      for (const b of r.bases) {
        const at = { namespace: ctx.index.nsOf(b.object), name: copyName(b.object.metadata.name, fp.id) };
        if (free(at)) made.push(r.mirror(b, at, fork));
      }
    } else {
      const at = { namespace: target.namespace, name: domainObjectName(entry.domain, fp.id) };
      if (free(at)) made.push(r.entryRoute(svc!, at, fork));
    }
    for (const o of made) {
      out.objects.push({ object: o, fork: fp.id });
      const why = serving.refusal(h.host, o);
      if (why !== undefined) refusals.push({ host: h.host, namespace: o.metadata.namespace!, why });
    }
  }
  if (refusals.length > 0) out.problems.push(...r.refused(refusals));
}

function nameTaken(ctx: GenContext, i: number, what: string, fp: ForkPlan, taken: ObjectRef | undefined): Problem {
  return error({
    ...entryAt(ctx, i),
    code: "KF5001",
    ...(taken ? { ref: taken } : {}),
    message: `the fork ingress route ${what} for fork '${fp.id}' is taken by a base object`,
    hint: "rename the base object or the fork (its identifier is the file name)",
  });
}
