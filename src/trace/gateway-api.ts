// Gateway API HTTPRoute evaluation (gateway.networking.k8s.io/v1), for a Gateway parent and for a
// Service parent (GAMMA, mesh traffic to that Service).
//
// From apis/v1/httproute_types.go:
//   - precedence is not list order: across ALL rules of all routes attached to the parent, a
//     match wins by: characters in the matching non-wildcard hostname; characters in the matching
//     hostname; "Exact" path; "PathPrefix" with the most characters; method match; most header
//     matches; most query param matches. RegularExpression paths are implementation-specific:
//     we follow Istio (Exact > PathPrefix > RegularExpression, then length; pilot
//     `sortHTTPRoutes` / `getURIRank`). Remaining ties: oldest route, then "{namespace}/{name}",
//     then rule and match order;
//   - matches in a rule are ORed, fields in a match ANDed; no matches = PathPrefix "/";
//   - PathPrefix is element-wise (`/abc` matches `/abc/def`, not `/abcd`); header names are
//     case-insensitive; header and query values Exact by default;
//   - when no rule matches on a parent that has routes attached, the answer is 404
//     (for GAMMA: once a route is attached to a Service, unmatched requests are rejected).
// GAMMA: a route in the Service's namespace is a producer route (all clients); a route in
// another namespace is a consumer route and applies only to clients in that namespace, ahead of
// producer routes.

import type { Problem } from "../problems.ts";
import { parentRefsOf, type ParentRef } from "../model/routes.ts";
import { gatewayHostnameMatches } from "../util/host-patterns.ts";
import { applyHeaderOps, fullMatch, pathPrefixMatches } from "./match.ts";
import type { HeaderOps } from "./match.ts";
import type { ClusterIndex, DestinationInput, Indexed } from "./services.ts";
import {
  arr,
  byCreationThenNsName,
  err,
  num,
  obj,
  percents,
  rejectedHop,
  resolveDestination,
  serviceFqdn,
  str,
  strMap,
  warn,
  labelsOf,
} from "./services.ts";
import type { HopBase, RequestView, TraceDestination, TraceHop } from "./types.ts";

function routeRef(r: Indexed): string {
  return `HTTPRoute ${r.namespace}/${r.name}`;
}

/** The route's parentRefs with the API's defaults, read as the plan reads them (model/routes.ts). */
function parentRefs(route: Indexed): ParentRef[] {
  return parentRefsOf(route.o, route.namespace);
}

// ---------------------------------------------------------------------------------------------

interface Candidate {
  route: Indexed;
  ruleIndex: number;
  rule: Record<string, unknown>;
  matchIndex: number;
  match: Record<string, unknown>;
  /** [non-wildcard hostname chars, hostname chars] */
  hostRank: [number, number];
}

function pathOf(m: Record<string, unknown>): { type: string; value: string } {
  const p = obj(m.path);
  return { type: str(p.type) ?? "PathPrefix", value: str(p.value) ?? "/" };
}

function pathRank(m: Record<string, unknown>): [number, number] {
  const p = pathOf(m);
  const rank = p.type === "Exact" ? 3 : p.type === "PathPrefix" ? 2 : p.type === "RegularExpression" ? 1 : 0;
  return [rank, p.value.length];
}

/** Negative when a comes first. */
function precedence(a: Candidate, b: Candidate): number {
  const [ah1, ah2] = a.hostRank;
  const [bh1, bh2] = b.hostRank;
  if (ah1 !== bh1) return bh1 - ah1;
  if (ah2 !== bh2) return bh2 - ah2;
  const [ar, al] = pathRank(a.match);
  const [br, bl] = pathRank(b.match);
  if (ar !== br) return br - ar;
  if (al !== bl) return bl - al;
  const am = a.match.method !== undefined ? 1 : 0;
  const bm = b.match.method !== undefined ? 1 : 0;
  if (am !== bm) return bm - am;
  const ahd = arr(a.match.headers).length;
  const bhd = arr(b.match.headers).length;
  if (ahd !== bhd) return bhd - ahd;
  const aq = arr(a.match.queryParams).length;
  const bq = arr(b.match.queryParams).length;
  if (aq !== bq) return bq - aq;
  return byCreationThenNsName(a.route, b.route) || a.ruleIndex - b.ruleIndex || a.matchIndex - b.matchIndex;
}

function candidatesOf(route: Indexed, hostRank: [number, number]): Candidate[] {
  const out: Candidate[] = [];
  const rules = arr(route.spec.rules);
  const effective = rules.length > 0 ? rules : [{}];
  effective.forEach((r, ruleIndex) => {
    const rule = obj(r);
    const matches = arr(rule.matches);
    const ms = matches.length > 0 ? matches : [{ path: { type: "PathPrefix", value: "/" } }];
    ms.forEach((m, matchIndex) => out.push({ route, ruleIndex, rule, matchIndex, match: obj(m), hostRank }));
  });
  return out;
}

function matchAccepts(c: Candidate, req: RequestView, problems: Problem[]): boolean {
  const m = c.match;
  const object = routeRef(c.route);
  const at = `spec.rules[${c.ruleIndex}].matches[${c.matchIndex}]`;
  const p = pathOf(m);
  switch (p.type) {
    case "Exact":
      if (req.path !== p.value) return false;
      break;
    case "PathPrefix":
      if (!pathPrefixMatches(p.value, req.path)) return false;
      break;
    case "RegularExpression": {
      const r = fullMatch(p.value, req.path);
      if (typeof r !== "boolean") {
        problems.push(err("KF7001", `path regex: ${r.message}; treated as not matching`, object, `${at}.path`));
        return false;
      }
      if (!r) return false;
      break;
    }
    default:
      problems.push(err("KF7002", `unknown path match type ${p.type}: the route is not accepted`, object, `${at}.path`));
      return false;
  }
  const method = str(m.method);
  if (method && method !== req.method) return false;
  const headerValue = (name: string) => (name === "host" ? req.authority : req.headers[name]);
  if (!nameValuesMatch(arr(m.headers).map(obj), (n) => n.toLowerCase(), headerValue, "header", `${at}.headers`, object, problems)) return false;
  if (!nameValuesMatch(arr(m.queryParams).map(obj), (n) => n, (n) => req.query.get(n), "query param", `${at}.queryParams`, object, problems)) return false;
  return true;
}

/**
 * Header or query-parameter matches: all must hold; only the first entry for a name counts;
 * `Exact` (default) or `RegularExpression` (whole value); another type never matches.
 */
function nameValuesMatch(
  matches: Record<string, unknown>[],
  normalise: (name: string) => string,
  valueOf: (name: string) => string | undefined,
  what: string,
  at: string,
  object: Parameters<typeof err>[1],
  problems: Problem[],
): boolean {
  const seen = new Set<string>();
  for (const h of matches) {
    const name = normalise(str(h.name) ?? "");
    if (seen.has(name)) continue;
    seen.add(name);
    const value = valueOf(name);
    if (value === undefined) return false;
    const type = str(h.type) ?? "Exact";
    const want = str(h.value) ?? "";
    if (type === "Exact") {
      if (value !== want) return false;
    } else if (type === "RegularExpression") {
      const r = fullMatch(want, value);
      if (typeof r !== "boolean") {
        problems.push(err("KF7001", `${what} ${name} regex: ${r.message}; treated as not matching`, object, at));
        return false;
      }
      if (!r) return false;
    } else {
      problems.push(err("KF7002", `unknown ${what} match type ${type}`, object, at));
      return false;
    }
  }
  return true;
}

function describeMatch(m: Record<string, unknown>): string {
  const parts: string[] = [];
  const p = pathOf(m);
  parts.push(`path ${p.type} ${JSON.stringify(p.value)}`);
  if (str(m.method)) parts.push(`method ${str(m.method)}`);
  for (const h of arr(m.headers).map(obj)) parts.push(`header ${str(h.name) ?? "?"} ${str(h.type) ?? "Exact"} ${JSON.stringify(str(h.value) ?? "")}`);
  for (const q of arr(m.queryParams).map(obj)) parts.push(`query ${str(q.name) ?? "?"} ${str(q.type) ?? "Exact"} ${JSON.stringify(str(q.value) ?? "")}`);
  return parts.join(" and ");
}

function headerFilterOps(f: Record<string, unknown>): HeaderOps {
  const pairs = (v: unknown): Array<[string, string]> =>
    arr(v)
      .map(obj)
      .map((x): [string, string] => [str(x.name) ?? "", str(x.value) ?? ""])
      .filter(([n]) => n !== "");
  return { set: pairs(f.set), add: pairs(f.add), remove: arr(f.remove).map(str).filter((x): x is string => !!x) };
}

function referenceGranted(idx: ClusterIndex, route: Indexed, toNamespace: string, toName: string): boolean {
  if (toNamespace === route.namespace) return true;
  return idx.referenceGrants.some((g) => {
    if (g.namespace !== toNamespace) return false;
    const fromOk = arr(g.spec.from)
      .map(obj)
      .some((f) => str(f.group) === "gateway.networking.k8s.io" && str(f.kind) === "HTTPRoute" && str(f.namespace) === route.namespace);
    const toOk = arr(g.spec.to)
      .map(obj)
      .some((t) => (str(t.group) ?? "") === "" && str(t.kind) === "Service" && (str(t.name) === undefined || str(t.name) === toName));
    return fromOk && toOk;
  });
}

/**
 * Evaluate the rules of the attached routes as the data plane does: the match of highest
 * precedence that accepts the request wins; its rule's filters apply, then its backendRefs.
 */
function evaluate(
  idx: ClusterIndex,
  candidates: Candidate[],
  req: RequestView,
  proxyNamespace: string,
  base: HopBase,
  notes: string[],
  problems: Problem[],
  noMatchReason: string,
): TraceHop {
  const winner = [...candidates].sort(precedence).find((c) => matchAccepts(c, req, problems));
  if (!winner) return rejectedHop(base, req, notes, noMatchReason);
  const { route, rule, ruleIndex } = winner;
  const object = routeRef(route);
  const at = `spec.rules[${ruleIndex}]`;
  const hop = routedHop(winner, base, req, notes);
  const ended = applyRuleFilters(hop, rule, object, at, problems);
  if (ended) return ended;
  const refs = arr(rule.backendRefs).map(obj);
  if (refs.length === 0) {
    problems.push(warn("KF7004", "rule has no backendRefs: matching requests get 500", object, at));
    return { ...hop, outcome: "rejected", status: 500, reason: `${hop.reason}; no backendRefs (500)` };
  }
  hop.destinations = backendDestinations(idx, { route, object, at, headers: hop.headers, proxyNamespace, req }, refs, problems);
  return hop;
}

/** The hop for the winning match, before its filters and backends. */
function routedHop(winner: Candidate, base: HopBase, req: RequestView, notes: string[]): TraceHop {
  const { route, rule, ruleIndex, matchIndex } = winner;
  const routeInfo: { index: number; name?: string; match?: number } = { index: ruleIndex, match: matchIndex };
  const rn = str(rule.name);
  if (rn) routeInfo.name = rn;
  return {
    ...base,
    router: { kind: "HTTPRoute", namespace: route.namespace, name: route.name },
    route: routeInfo,
    reason: `match ${matchIndex}: ${describeMatch(winner.match)}`,
    outcome: "routed",
    headerChanges: [],
    headers: { ...req.headers },
    destinations: [],
    notes,
  };
}

/**
 * Apply a rule's filters to `hop` in order (header changes, rewrite, mirror note). A redirect or a
 * filter we cannot evaluate ends the hop: that hop is returned; undefined = go on to the backends.
 */
function applyRuleFilters(hop: TraceHop, rule: Record<string, unknown>, object: string, at: string, problems: Problem[]): TraceHop | undefined {
  for (const [i, f] of arr(rule.filters).map(obj).entries()) {
    const type = str(f.type) ?? "";
    switch (type) {
      case "RequestHeaderModifier": {
        const a = applyHeaderOps(hop.headers, headerFilterOps(obj(f.requestHeaderModifier)));
        hop.headers = a.headers;
        hop.headerChanges.push(...a.changes);
        break;
      }
      case "URLRewrite":
        hop.rewrite = urlRewriteOf(obj(f.urlRewrite));
        break;
      case "RequestRedirect": {
        const redirect = requestRedirectOf(obj(f.requestRedirect));
        return { ...hop, outcome: "redirect", status: redirect.code, redirect };
      }
      case "RequestMirror":
        hop.notes.push(`mirrors requests to ${str(obj(obj(f.requestMirror).backendRef).name) ?? "?"} (responses ignored)`);
        break;
      case "ResponseHeaderModifier":
      case "CORS":
        break;
      default:
        problems.push(err("KF7005", `filter ${type || "(no type)"} cannot be evaluated: requests through it get an error response`, object, `${at}.filters[${i}]`));
        return { ...hop, outcome: "rejected", status: 500, reason: `${hop.reason}; unsupported filter ${type}` };
    }
  }
  return undefined;
}

/** A URLRewrite filter as the hop's rewrite. */
function urlRewriteOf(u: Record<string, unknown>): NonNullable<TraceHop["rewrite"]> {
  const rw: NonNullable<TraceHop["rewrite"]> = {};
  const hn = str(u.hostname);
  if (hn) rw.authority = hn;
  const p = obj(u.path);
  if (str(p.type) === "ReplaceFullPath") rw.uri = str(p.replaceFullPath) ?? "";
  else if (str(p.type) === "ReplacePrefixMatch") rw.path = `prefix → ${str(p.replacePrefixMatch) ?? ""}`;
  return rw;
}

/** A RequestRedirect filter as the hop's redirect (status 302 unless set). */
function requestRedirectOf(r: Record<string, unknown>): NonNullable<TraceHop["redirect"]> {
  const redirect: NonNullable<TraceHop["redirect"]> = {};
  const hn = str(r.hostname);
  if (hn) redirect.authority = hn;
  const sc = str(r.scheme);
  if (sc) redirect.scheme = sc;
  const port = num(r.port);
  if (port !== undefined) redirect.port = port;
  const p = obj(r.path);
  if (str(p.type) === "ReplaceFullPath") redirect.uri = str(p.replaceFullPath) ?? "";
  else if (str(p.type) === "ReplacePrefixMatch") redirect.uri = `prefix → ${str(p.replacePrefixMatch) ?? ""}`;
  redirect.code = num(r.statusCode) ?? 302;
  return redirect;
}

/** Where the winning rule's backends are read from and what the request looks like by then. */
interface BackendContext {
  route: Indexed;
  object: string;
  at: string;
  headers: Record<string, string>;
  proxyNamespace: string;
  req: RequestView;
}

/** The rule's backendRefs resolved to destinations, with their weights as percentages. */
function backendDestinations(idx: ClusterIndex, ctx: BackendContext, refs: Record<string, unknown>[], problems: Problem[]): TraceDestination[] {
  const weights = refs.map((b) => num(b.weight) ?? 1);
  const pct = percents(weights);
  const dests: TraceDestination[] = [];
  refs.forEach((b, i) => {
    const input = backendInput(idx, ctx, b, i, { weight: weights[i] ?? 1, percent: pct[i] ?? 0 }, problems);
    if (input) dests.push(resolveDestination(idx, input, problems));
  });
  return dests;
}

/** One backendRef as a destination to resolve; undefined (with a problem) when it cannot be traced. */
function backendInput(
  idx: ClusterIndex,
  ctx: BackendContext,
  b: Record<string, unknown>,
  i: number,
  share: { weight: number; percent: number },
  problems: Problem[],
): DestinationInput | undefined {
  const { route, object } = ctx;
  const kind = str(b.kind) ?? "Service";
  const group = str(b.group) ?? "";
  const name = str(b.name) ?? "";
  const ns = str(b.namespace) ?? route.namespace;
  const path = `${ctx.at}.backendRefs[${i}]`;
  if (kind !== "Service" || group !== "") {
    problems.push(err("KF7006", `backendRef of kind ${group ? `${group}/` : ""}${kind} cannot be traced: its share gets 500`, object, path));
    return undefined;
  }
  if (!referenceGranted(idx, route, ns, name)) {
    problems.push(err("KF7007", `backendRef to ${ns}/${name} crosses namespaces without a ReferenceGrant: its share gets 500`, object, path));
    return undefined;
  }
  const input: DestinationInput = {
    host: name,
    fqdn: serviceFqdn(name, ns, idx.clusterDomain),
    weight: share.weight,
    percent: share.percent,
    proxyNamespace: ctx.proxyNamespace,
    headers: ctx.headers,
    object,
    path,
  };
  const port = num(b.port);
  if (port !== undefined) input.port = port;
  else problems.push(warn("KF7008", "backendRef to a Service without port: the route is not accepted by conformant implementations", object, path));
  if (ctx.req.port !== undefined) input.requestPort = ctx.req.port;
  const ops = backendHeaderOps(b);
  if (ops) input.headerOps = ops;
  return input;
}

/** The RequestHeaderModifier filters of one backendRef, merged; undefined when there are none. */
function backendHeaderOps(b: Record<string, unknown>): HeaderOps | undefined {
  const ops: HeaderOps = { set: [], add: [], remove: [] };
  for (const f of arr(b.filters).map(obj)) {
    if (str(f.type) === "RequestHeaderModifier") {
      const o = headerFilterOps(obj(f.requestHeaderModifier));
      ops.set?.push(...(o.set ?? []));
      ops.add?.push(...(o.add ?? []));
      ops.remove?.push(...(o.remove ?? []));
    }
  }
  return (ops.set?.length ?? 0) + (ops.add?.length ?? 0) + (ops.remove?.length ?? 0) > 0 ? ops : undefined;
}

// ---------------------------------------------------------------------------------------------
// Gateway parent

function listenerAllows(idx: ClusterIndex, gw: Indexed, listener: Record<string, unknown>, route: Indexed, problems: Problem[]): boolean {
  const ns = obj(obj(listener.allowedRoutes).namespaces);
  const from = str(ns.from) ?? "Same";
  if (from === "All") return true;
  if (from === "Same") return route.namespace === gw.namespace;
  if (from === "Selector") {
    const nsObj = idx.namespaces.find((n) => n.name === route.namespace);
    if (!nsObj) {
      problems.push(
        warn(
          "KF7009",
          `listener ${str(listener.name) ?? "?"} selects route namespaces by labels and Namespace ${route.namespace} is not among the objects: assumed allowed`,
          `Gateway ${gw.namespace}/${gw.name}`,
        ),
      );
      return true;
    }
    const sel = strMap(obj(ns.selector).matchLabels);
    const labels = labelsOf(nsObj);
    return Object.entries(sel).every(([k, v]) => labels[k] === v);
  }
  return false;
}

export function traceGatewayApiGateway(idx: ClusterIndex, gw: Indexed, req: RequestView, base: HopBase, problems: Problem[]): TraceHop {
  const notes: string[] = [];
  const gwName = `${gw.namespace}/${gw.name}`;
  const listeners = listenersTaking(gw, req);
  if (listeners.length === 0) {
    return rejectedHop(base, req, notes, `no HTTP listener of Gateway ${gwName} accepts host ${req.host}${req.port !== undefined ? ` on port ${req.port}` : ""}: 404`);
  }
  const candidates = attachedCandidates(idx, gw, listeners, req, problems);
  if (candidates.length === 0) return rejectedHop(base, req, notes, `no HTTPRoute attached to Gateway ${gwName} serves host ${req.host}: 404`);
  const hop = evaluate(idx, candidates, req, gw.namespace, base, notes, problems, `no rule of the HTTPRoutes on Gateway ${gwName} for ${req.host} matches: 404`);
  if (hop.destinations.length > 0) {
    notes.push("the gateway sends straight to the backend's endpoints: mesh routes for the backend are not applied again");
  }
  return hop;
}

/** The Gateway's HTTP and HTTPS listeners on the request's port whose hostname (if any) matches its host. */
function listenersTaking(gw: Indexed, req: RequestView): Record<string, unknown>[] {
  return arr(gw.spec.listeners)
    .map(obj)
    .filter((l) => {
      const proto = str(l.protocol) ?? "";
      if (proto !== "HTTP" && proto !== "HTTPS") return false;
      if (req.port !== undefined && num(l.port) !== req.port) return false;
      const hn = str(l.hostname);
      return !hn || gatewayHostnameMatches(hn, req.host);
    });
}

/** The matches of every HTTPRoute attached to one of `listeners` that serves the request host, with its host rank. */
function attachedCandidates(idx: ClusterIndex, gw: Indexed, listeners: Record<string, unknown>[], req: RequestView, problems: Problem[]): Candidate[] {
  const candidates: Candidate[] = [];
  for (const route of idx.httpRoutes) {
    for (const ref of parentRefs(route)) {
      if (ref.group !== "gateway.networking.k8s.io" || ref.kind !== "Gateway") continue;
      if (ref.namespace !== gw.namespace || ref.name !== gw.name) continue;
      const ls = listeners.filter(
        (l) =>
          (!ref.sectionName || str(l.name) === ref.sectionName) &&
          (ref.port === undefined || num(l.port) === ref.port) &&
          listenerAllows(idx, gw, l, route, problems),
      );
      if (ls.length === 0) continue;
      const rank = hostRank(route, ls, req);
      if (!rank) continue;
      candidates.push(...candidatesOf(route, rank));
      break; // one attachment per route is enough for evaluation
    }
  }
  return candidates;
}

/**
 * The route's hostname precedence for the request host ([non-wildcard characters, characters]):
 * of its hostnames that match the host (and a listener's), the best; with none, the listeners'.
 * undefined = the route does not serve the host.
 */
function hostRank(route: Indexed, ls: Record<string, unknown>[], req: RequestView): [number, number] | undefined {
  const hostnames = arr(route.spec.hostnames).map(str).filter((h): h is string => !!h);
  let rank: [number, number] | undefined;
  const consider = (r: [number, number]): void => {
    if (!rank || r[0] > rank[0] || (r[0] === rank[0] && r[1] > rank[1])) rank = r;
  };
  if (hostnames.length === 0) {
    for (const l of ls) {
      const hn = str(l.hostname) ?? "";
      consider([hn && !hn.startsWith("*") ? hn.length : 0, hn.length]);
    }
    return rank;
  }
  for (const h of hostnames) {
    if (!gatewayHostnameMatches(h, req.host)) continue;
    // must also intersect a listener hostname
    if (!ls.some((l) => !str(l.hostname) || gatewayHostnameMatches(str(l.hostname) as string, req.host))) continue;
    consider([h.startsWith("*") ? 0 : h.length, h.length]);
  }
  return rank;
}

// ---------------------------------------------------------------------------------------------
// Service parent (GAMMA)

/** HTTPRoutes attached to Service `svc` that apply to a client in `clientNamespace` (consumer routes first). */
export function gammaRoutes(idx: ClusterIndex, svc: Indexed, clientNamespace: string, port: number | undefined): Indexed[] {
  const attached = idx.httpRoutes.filter((r) =>
    parentRefs(r).some(
      (p) =>
        p.group === "" &&
        p.kind === "Service" &&
        p.name === svc.name &&
        p.namespace === svc.namespace &&
        (p.port === undefined || port === undefined || p.port === port),
    ),
  );
  const consumer = attached.filter((r) => r.namespace !== svc.namespace && r.namespace === clientNamespace);
  if (consumer.length > 0) return consumer;
  return attached.filter((r) => r.namespace === svc.namespace);
}

export function traceGamma(
  idx: ClusterIndex,
  svc: Indexed,
  routes: Indexed[],
  req: RequestView,
  clientNamespace: string,
  base: HopBase,
  problems: Problem[],
): TraceHop {
  const notes: string[] = [];
  const candidates = routes.flatMap((r) => {
    if (arr(r.spec.hostnames).length > 0) notes.push(`${routeRef(r)} sets hostnames; for a Service parent they are not used for matching`);
    return candidatesOf(r, [0, 0]);
  });
  const consumer = routes.some((r) => r.namespace !== svc.namespace);
  if (consumer) notes.push(`consumer route(s) in ${clientNamespace} apply to this client instead of the Service's own routes`);
  return evaluate(
    idx,
    candidates,
    req,
    clientNamespace,
    base,
    notes,
    problems,
    `HTTPRoutes are attached to Service ${svc.namespace}/${svc.name} and none of their rules matches: the request is rejected (404)`,
  );
}
