// Istio VirtualService evaluation, following pilot's translation to Envoy
// (pilot/pkg/networking/core/route/route.go) and the VirtualService reference:
//   - `http` routes in order, first match wins; each match block becomes its own Envoy route, so
//     blocks are ORed and the first matching block is the one reported; a route without `match`
//     matches everything;
//   - inside a block every field is ANDed: uri, scheme, method, authority, headers,
//     withoutHeaders, queryParams, port, sourceLabels, sourceNamespace, gateways;
//   - `gateways` inside a block overrides the VirtualService's gateways, and when set the block's
//     sourceLabels/sourceNamespace are not consulted (pilot `sourceMatchHTTP`);
//   - a StringMatch with no exact/prefix/regex (`{}`), or `regex: "*"`, is a presence match;
//   - `withoutHeaders` inverts; a missing header counts as "" there (Envoy
//     treat_missing_header_as_empty), except for presence matches;
//   - regex is RE2 and matches the whole value (Envoy safe_regex); `ignoreUriCase` applies to
//     exact and prefix uri matches only;
//   - routing is decided once, by the proxy that sends: a gateway routes straight to the
//     destination's endpoints; mesh VirtualServices are not applied again after a gateway.

import { istioServerHost, type IstioServerHost as ServerHost } from "../model/hosts.ts";
import type { Problem } from "../problems.ts";
import { envoyDomainMatches, hostPatternSpecificity, istioHostSubsetOf } from "../util/host-patterns.ts";
import { applyHeaderOps, describeStringMatch, labelsMatch, matchStringMatch, stringMatchKind } from "./match.ts";
import type { HeaderOps, MatchOutcome, StringMatch } from "./match.ts";
import type { ClusterIndex, DestinationInput, Indexed } from "./services.ts";
import { arr, byCreation, err, isObj, num, obj, percents, rejectedHop, resolveConfigHost, resolveDestination, str, strMap, warn } from "./services.ts";
import type { HopBase, HopSource, RequestView, TraceDestination, TraceHop } from "./types.ts";

export function vsRef(vs: Indexed): string {
  return `VirtualService ${vs.namespace}/${vs.name}`;
}

/** Top-level gateways, resolved to `ns/name` (or `mesh`); none = `mesh`. */
export function vsGateways(vs: Indexed): string[] {
  const gws = arr(vs.spec.gateways).map(str).filter((g): g is string => !!g);
  if (gws.length === 0) return ["mesh"];
  return gws.map((g) => resolveGatewayName(g, vs.namespace));
}

function resolveGatewayName(g: string, namespace: string): string {
  if (g === "mesh") return g;
  if (g.includes("/")) return g;
  // `name.namespace` is an older accepted form.
  const dot = g.indexOf(".");
  if (dot > 0 && !g.slice(dot + 1).includes(".")) return `${g.slice(dot + 1)}/${g.slice(0, dot)}`;
  return `${namespace}/${g}`;
}

export function vsHosts(vs: Indexed, clusterDomain: string): string[] {
  return arr(vs.spec.hosts)
    .map(str)
    .filter((h): h is string => !!h)
    .map((h) => resolveConfigHost(h, vs.namespace, clusterDomain));
}

/** exportTo: absent or `*` = everywhere; `.` = own namespace; else listed namespaces. */
function visibleFrom(vs: Indexed, namespace: string): boolean {
  const ex = arr(vs.spec.exportTo).map(str).filter((x): x is string => !!x);
  if (ex.length === 0) return true;
  return ex.some((e) => e === "*" || e === namespace || (e === "." && vs.namespace === namespace));
}

// ---------------------------------------------------------------------------------------------

interface Entry {
  vs: Indexed;
  routeIndex: number;
  route: Record<string, unknown>;
  /** undefined: the route has no `match`. */
  matchIndex?: number;
  block?: Record<string, unknown>;
}

interface ProxyContext {
  /** `mesh` for sidecars, `ns/name` for a gateway. */
  gatewayNames: Set<string>;
  labels: Record<string, string>;
  labelsKnown: boolean;
  namespace: string;
  port?: number;
}

/** Expand routes into one entry per match block, as pilot does. */
function expand(vs: Indexed): Entry[] {
  const out: Entry[] = [];
  arr(vs.spec.http).forEach((r, routeIndex) => {
    const route = obj(r);
    const blocks = arr(route.match);
    if (blocks.length === 0) out.push({ vs, routeIndex, route });
    else blocks.forEach((b, matchIndex) => out.push({ vs, routeIndex, route, matchIndex, block: obj(b) }));
  });
  return out;
}

/** Envoy catch-all: prefix "/" (or no uri) and no header / query matches (pilot CombineVHostRoutes). */
function isCatchAll(e: Entry): boolean {
  const b = e.block;
  if (!b) return true;
  const uri = b.uri;
  const uriAll = uri === undefined || (isObj(uri) && (stringMatchKind(uri as StringMatch) === "present" || (uri as StringMatch).prefix === "/"));
  const noHeaders =
    Object.keys(obj(b.headers)).length === 0 &&
    Object.keys(obj(b.withoutHeaders)).length === 0 &&
    b.method === undefined &&
    b.authority === undefined &&
    b.scheme === undefined;
  return uriAll && noHeaders && Object.keys(obj(b.queryParams)).length === 0;
}

function headerValue(req: RequestView, name: string): string | undefined {
  switch (name) {
    case ":authority":
    case "host":
      return req.authority;
    case ":method":
      return req.method;
    case ":scheme":
      return req.scheme;
    case ":path":
      return req.rawPath;
    default:
      return req.headers[name];
  }
}

/** Where a match block is, for problems about it, and how a failed evaluation is reported. */
interface BlockSite {
  e: Entry;
  object: string;
  at: string;
  problems: Problem[];
  notes: string[];
  /** The outcome's `matched`, with a problem when it could not be evaluated. */
  report: (what: string, r: MatchOutcome) => boolean;
}

/** Does one match block accept the request? Problems for what cannot be evaluated. */
function blockMatches(e: Entry, req: RequestView, ctx: ProxyContext, problems: Problem[], notes: string[]): boolean {
  const b = e.block;
  if (!b) return true;
  const object = vsRef(e.vs);
  const at = `spec.http[${e.routeIndex}].match[${e.matchIndex ?? 0}]`;
  const report = (what: string, r: MatchOutcome): boolean => {
    if (r.error) problems.push(err("KF7001", `${what}: ${r.error}; the block is treated as not matching`, object, at));
    return r.matched;
  };
  const site: BlockSite = { e, object, at, problems, notes, report };
  return (
    portAccepts(b, ctx, site) &&
    sourceAccepts(b, ctx, site) &&
    headersAccept(b, req, site) &&
    withoutHeadersAccept(b, req, site) &&
    requestFieldsAccept(b, req, site)
  );
}

/** The block's port (pilot translateRoute: a block for another port is dropped). */
function portAccepts(b: Record<string, unknown>, ctx: ProxyContext, site: BlockSite): boolean {
  const port = num(b.port);
  if (port === undefined || port === 0) return true;
  if (ctx.port === undefined) {
    site.notes.push(`${site.object} http[${site.e.routeIndex}] match[${site.e.matchIndex}] needs port ${port}; the request port is unknown (pass --port): treated as not matching`);
    return false;
  }
  return port === ctx.port;
}

/** gateways, or else sourceLabels and sourceNamespace (pilot sourceMatchHTTP). */
function sourceAccepts(b: Record<string, unknown>, ctx: ProxyContext, site: BlockSite): boolean {
  const { e } = site;
  const gws = arr(b.gateways).map(str).filter((g): g is string => !!g);
  if (gws.length > 0) return gws.map((g) => resolveGatewayName(g, e.vs.namespace)).some((g) => ctx.gatewayNames.has(g));
  const sl = strMap(b.sourceLabels);
  if (Object.keys(sl).length > 0) {
    if (!ctx.labelsKnown) site.notes.push(`${site.object} http[${e.routeIndex}] match[${e.matchIndex}] uses sourceLabels; the client's labels are not known`);
    if (!labelsMatch(sl, ctx.labels)) return false;
  }
  const sn = str(b.sourceNamespace);
  return !sn || sn === ctx.namespace;
}

/** Every `headers` match holds (a JWT claim cannot be evaluated: not matching). */
function headersAccept(b: Record<string, unknown>, req: RequestView, site: BlockSite): boolean {
  for (const [rawName, m] of Object.entries(obj(b.headers))) {
    const name = rawName.toLowerCase();
    if (name.startsWith("@request.auth.claims")) {
      site.problems.push(warn("KF7003", `header match on JWT claim ${rawName} cannot be evaluated: treated as not matching`, site.object, `${site.at}.headers`));
      return false;
    }
    if (!site.report(`headers.${rawName}`, matchStringMatch(m as StringMatch, headerValue(req, name)))) return false;
  }
  return true;
}

/** No `withoutHeaders` match holds; a missing header counts as "" unless the match is a presence match. */
function withoutHeadersAccept(b: Record<string, unknown>, req: RequestView, site: BlockSite): boolean {
  for (const [rawName, m] of Object.entries(obj(b.withoutHeaders))) {
    const name = rawName.toLowerCase();
    const present = stringMatchKind(m as StringMatch) === "present";
    const v = headerValue(req, name);
    const r = matchStringMatch(m as StringMatch, present ? v : (v ?? ""));
    if (r.error) {
      site.problems.push(err("KF7001", `withoutHeaders.${rawName}: ${r.error}; the block is treated as not matching`, site.object, site.at));
      return false;
    }
    if (r.matched) return false;
  }
  return true;
}

/** uri (ignoreUriCase except for regex), method, authority, scheme and queryParams all hold. */
function requestFieldsAccept(b: Record<string, unknown>, req: RequestView, site: BlockSite): boolean {
  const { report } = site;
  if (isObj(b.uri)) {
    const ignoreCase = b.ignoreUriCase === true && stringMatchKind(b.uri as StringMatch) !== "regex";
    if (!report("uri", matchStringMatch(b.uri as StringMatch, req.path, { ignoreCase }))) return false;
  }
  if (isObj(b.method) && !report("method", matchStringMatch(b.method as StringMatch, req.method))) return false;
  if (isObj(b.authority) && !report("authority", matchStringMatch(b.authority as StringMatch, req.authority))) return false;
  if (isObj(b.scheme) && !report("scheme", matchStringMatch(b.scheme as StringMatch, req.scheme))) return false;
  for (const [name, m] of Object.entries(obj(b.queryParams))) {
    if (!report(`queryParams.${name}`, matchStringMatch(m as StringMatch, req.query.get(name)))) return false;
  }
  return true;
}

function describeBlock(b: Record<string, unknown> | undefined): string {
  if (!b) return "no match: matches every request";
  const parts: string[] = [];
  if (isObj(b.uri)) parts.push(`uri ${describeStringMatch(b.uri as StringMatch)}`);
  for (const [k, m] of Object.entries(obj(b.headers))) parts.push(`header ${k} ${describeStringMatch(m as StringMatch)}`);
  for (const [k, m] of Object.entries(obj(b.withoutHeaders))) parts.push(`without header ${k} ${describeStringMatch(m as StringMatch)}`);
  if (isObj(b.method)) parts.push(`method ${describeStringMatch(b.method as StringMatch)}`);
  if (isObj(b.authority)) parts.push(`authority ${describeStringMatch(b.authority as StringMatch)}`);
  if (isObj(b.scheme)) parts.push(`scheme ${describeStringMatch(b.scheme as StringMatch)}`);
  for (const [k, m] of Object.entries(obj(b.queryParams))) parts.push(`query ${k} ${describeStringMatch(m as StringMatch)}`);
  if (num(b.port)) parts.push(`port ${num(b.port)}`);
  const sl = strMap(b.sourceLabels);
  if (Object.keys(sl).length) parts.push(`sourceLabels ${Object.entries(sl).map(([k, v]) => `${k}=${v}`).join(",")}`);
  if (str(b.sourceNamespace)) parts.push(`sourceNamespace ${str(b.sourceNamespace)}`);
  const gws = arr(b.gateways).map(str).filter(Boolean);
  if (gws.length) parts.push(`gateways ${gws.join(",")}`);
  return parts.length ? parts.join(" and ") : "empty match block: matches every request";
}

function headerOpsOf(h: unknown): HeaderOps | undefined {
  const req = obj(obj(h).request);
  if (Object.keys(req).length === 0) return undefined;
  return {
    set: Object.entries(strMap(req.set)),
    add: Object.entries(strMap(req.add)),
    remove: arr(req.remove).map(str).filter((x): x is string => !!x),
  };
}

/** Evaluate entries in order; build the hop from the first match. */
function evaluate(idx: ClusterIndex, entries: Entry[], req: RequestView, ctx: ProxyContext, base: HopBase, notes: string[], problems: Problem[]): TraceHop {
  for (const e of entries) {
    if (!blockMatches(e, req, ctx, problems, notes)) continue;
    return buildHop(idx, e, req, ctx, base, notes, problems);
  }
  const routers = [...new Set(entries.map((e) => `${e.vs.namespace}/${e.vs.name}`))].join(", ");
  return rejectedHop(base, req, notes, `no http route of VirtualService ${routers} matches: Envoy answers 404 (route not found)`);
}

/** The hop for the http route of entry `e`: its header changes and rewrite, then what it does. */
function buildHop(idx: ClusterIndex, e: Entry, req: RequestView, ctx: ProxyContext, base: HopBase, notes: string[], problems: Problem[]): TraceHop {
  const r = e.route;
  const object = vsRef(e.vs);
  const at = `spec.http[${e.routeIndex}]`;
  const name = str(r.name);
  const routeInfo: { index: number; name?: string; match?: number } = { index: e.routeIndex };
  if (name) routeInfo.name = name;
  if (e.matchIndex !== undefined) routeInfo.match = e.matchIndex;
  const reason =
    e.matchIndex === undefined ? `route ${e.routeIndex} has no match: matches every request` : `match ${e.matchIndex}: ${describeBlock(e.block)}`;
  const ops = headerOpsOf(r.headers);
  const applied = ops ? applyHeaderOps(req.headers, ops) : { headers: { ...req.headers }, changes: [] };
  const hop: TraceHop = {
    ...base,
    router: { kind: "VirtualService", namespace: e.vs.namespace, name: e.vs.name },
    route: routeInfo,
    reason,
    outcome: "routed",
    headerChanges: applied.changes,
    headers: applied.headers,
    destinations: [],
    notes,
  };
  if (isObj(r.rewrite)) hop.rewrite = vsRewriteOf(r.rewrite);
  const answered = answeredByRoute(hop, e, notes);
  if (answered) return answered;
  const dests = arr(r.route).map(obj);
  if (dests.length === 0) {
    problems.push(err("KF7016", "route has no destination, redirect, directResponse or delegate", object, at));
    return { ...hop, outcome: "rejected", status: 500, reason: `${reason}; the route has no destination` };
  }
  hop.destinations = routeDestinations(idx, e, dests, { ctx, headers: applied.headers, object, at }, problems);
  return hop;
}

/** An HTTPRewrite as the hop's rewrite. */
function vsRewriteOf(rewrite: Record<string, unknown>): NonNullable<TraceHop["rewrite"]> {
  const rw: { uri?: string; authority?: string } = {};
  const u = str(rewrite.uri);
  const a = str(rewrite.authority);
  if (u !== undefined) rw.uri = u;
  if (a !== undefined) rw.authority = a;
  if (isObj(rewrite.uriRegexRewrite)) rw.uri = `regex ${str(rewrite.uriRegexRewrite.match) ?? ""} → ${str(rewrite.uriRegexRewrite.rewrite) ?? ""}`;
  return rw;
}

/** When the route answers itself (redirect, directResponse) or delegates: that hop; else undefined. */
function answeredByRoute(hop: TraceHop, e: Entry, notes: string[]): TraceHop | undefined {
  const r = e.route;
  if (isObj(r.redirect)) {
    const rd = r.redirect;
    const redirect: NonNullable<TraceHop["redirect"]> = {};
    if (str(rd.uri) !== undefined) redirect.uri = str(rd.uri) as string;
    if (str(rd.authority) !== undefined) redirect.authority = str(rd.authority) as string;
    if (str(rd.scheme) !== undefined) redirect.scheme = str(rd.scheme) as string;
    if (num(rd.port) !== undefined) redirect.port = num(rd.port) as number;
    const code = num(rd.redirectCode) ?? 301;
    redirect.code = code;
    return { ...hop, outcome: "redirect", status: code, redirect };
  }
  if (isObj(r.directResponse)) {
    const status = num(r.directResponse.status) ?? 0;
    const body = obj(r.directResponse.body);
    const dr: { status: number; body?: string } = { status };
    const s = str(body.string);
    if (s !== undefined) dr.body = s;
    return { ...hop, outcome: "direct-response", status, directResponse: dr };
  }
  if (isObj(r.delegate)) {
    const ns = str(r.delegate.namespace) ?? e.vs.namespace;
    const dn = str(r.delegate.name) ?? "";
    notes.push(`delegates to VirtualService ${ns}/${dn}; delegation is reported, not followed`);
    return { ...hop, outcome: "delegate", delegate: { kind: "VirtualService", namespace: ns, name: dn } };
  }
  return undefined;
}

/** The route's destinations resolved, with their weights as percentages. */
function routeDestinations(
  idx: ClusterIndex,
  e: Entry,
  dests: Record<string, unknown>[],
  site: { ctx: ProxyContext; headers: Record<string, string>; object: string; at: string },
  problems: Problem[],
): TraceDestination[] {
  const { ctx, object, at } = site;
  // One destination: 100% whatever its weight. Several: weight 0 entries get nothing (pilot skips them).
  const weights = dests.length === 1 ? [100] : dests.map((d) => num(d.weight) ?? 0);
  if (dests.length > 1 && weights.every((w) => w === 0)) {
    problems.push(err("KF7017", "several destinations and every weight is 0 (or unset): no traffic can be sent", object, `${at}.route`));
  }
  const pct = percents(weights);
  return dests.map((d, i) => {
    const dest = obj(d.destination);
    const host = str(dest.host) ?? "";
    const input: DestinationInput = {
      host,
      fqdn: resolveConfigHost(host, e.vs.namespace, idx.clusterDomain),
      weight: weights[i] ?? 0,
      percent: pct[i] ?? 0,
      proxyNamespace: ctx.namespace,
      headers: site.headers,
      object,
      path: `${at}.route[${i}].destination`,
    };
    const port = num(obj(dest.port).number);
    if (port !== undefined) input.port = port;
    if (ctx.port !== undefined) input.requestPort = ctx.port;
    const subset = str(dest.subset);
    if (subset) input.subset = subset;
    const dOps = headerOpsOf(d.headers);
    if (dOps) input.headerOps = dOps;
    return resolveDestination(idx, input, problems);
  });
}

// ---------------------------------------------------------------------------------------------
// Mesh

export interface MeshClaim {
  vs: Indexed;
  host: string;
}

/**
 * VirtualServices that apply to sidecars (no `gateways`, or `mesh` listed), visible from the
 * client's namespace, whose hosts cover `fqdn`. Exact hosts beat wildcards, longer wildcards beat
 * shorter ones. Several at the same level: undefined in Istio (IST0109); the oldest (then by
 * name, namespace) is picked, which is what pilot's creation-time ordering does in practice.
 */
export function meshClaims(idx: ClusterIndex, fqdn: string, clientNamespace: string): MeshClaim[] {
  const claims: Array<MeshClaim & { spec: [number, number] }> = [];
  for (const vs of idx.virtualServices) {
    if (!vsGateways(vs).includes("mesh")) continue;
    if (!visibleFrom(vs, clientNamespace)) continue;
    let best: string | undefined;
    for (const h of vsHosts(vs, idx.clusterDomain)) {
      if (!istioHostSubsetOf(fqdn, h)) continue;
      if (!best || compareSpec(hostPatternSpecificity(h), hostPatternSpecificity(best)) > 0) best = h;
    }
    if (best) claims.push({ vs, host: best, spec: hostPatternSpecificity(best) });
  }
  if (claims.length === 0) return [];
  claims.sort((a, b) => compareSpec(b.spec, a.spec) || byCreation(a.vs, b.vs));
  const top = claims[0]?.spec as [number, number];
  return claims.filter((c) => compareSpec(c.spec, top) === 0).map(({ vs, host }) => ({ vs, host }));
}

function compareSpec(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

export function traceIstioMesh(
  idx: ClusterIndex,
  claims: MeshClaim[],
  req: RequestView,
  source: Extract<HopSource, { kind: "mesh" }>,
  labelsKnown: boolean,
  base: HopBase,
  problems: Problem[],
): TraceHop {
  const notes: string[] = [];
  const chosen = claims[0] as MeshClaim;
  if (claims.length > 1) {
    problems.push(
      warn(
        "KF7015",
        `${claims.length} mesh VirtualServices claim host ${chosen.host}: ${claims.map((c) => `${c.vs.namespace}/${c.vs.name}`).join(", ")}. ` +
          `Istio leaves this undefined for sidecars (IST0109); the trace uses ${chosen.vs.namespace}/${chosen.vs.name} (oldest, then by name)`,
        vsRef(chosen.vs),
        "spec.hosts",
      ),
    );
    notes.push(`several mesh VirtualServices claim ${chosen.host}; picked ${chosen.vs.namespace}/${chosen.vs.name}`);
  }
  const ctx: ProxyContext = {
    gatewayNames: new Set(["mesh"]),
    labels: source.labels,
    labelsKnown,
    namespace: source.namespace,
  };
  if (req.port !== undefined) ctx.port = req.port;
  return evaluate(idx, expand(chosen.vs), req, ctx, base, notes, problems);
}

// ---------------------------------------------------------------------------------------------
// Gateway

function serverHosts(gw: Indexed, port: number | undefined, notes: string[]): ServerHost[] {
  const out: ServerHost[] = [];
  for (const s of arr(gw.spec.servers).map(obj)) {
    const p = obj(s.port);
    if (port !== undefined && num(p.number) !== port) continue;
    const tls = obj(s.tls);
    if (str(tls.mode) === "PASSTHROUGH" || str(tls.mode) === "AUTO_PASSTHROUGH") {
      notes.push(`server on port ${num(p.number) ?? "?"} passes TLS through: http routes do not apply there`);
      continue;
    }
    for (const h of arr(s.hosts).map(str)) if (h) out.push(istioServerHost(h, gw.namespace));
  }
  return out;
}

export function traceIstioGateway(idx: ClusterIndex, gw: Indexed, req: RequestView, base: HopBase, problems: Problem[]): TraceHop {
  const notes: string[] = [];
  const gwName = `${gw.namespace}/${gw.name}`;
  const servers = serverHosts(gw, req.port, notes);
  if (servers.length === 0) {
    problems.push(err("KF7012", `Gateway ${gwName} has no server${req.port !== undefined ? ` on port ${req.port}` : ""} for HTTP`, `Gateway ${gwName}`, "spec.servers"));
    return rejectedHop(base, req, notes, `Gateway ${gwName} has no HTTP server${req.port !== undefined ? ` on port ${req.port}` : ""}`);
  }
  if (!servers.some((s) => envoyDomainMatches(s.host, req.host))) {
    return rejectedHop(base, req, notes, `no server of Gateway ${gwName} accepts host ${req.host}: 404`);
  }
  const bound = boundVirtualServices(idx, gw, servers, req);
  if (bound.length === 0) {
    return rejectedHop(base, req, notes, `no VirtualService bound to gateway ${gwName} claims host ${req.host}: 404`);
  }
  const entries = gatewayEntries(bound, notes);
  const ctx: ProxyContext = {
    gatewayNames: new Set([gwName]),
    labels: {},
    labelsKnown: false,
    namespace: gw.namespace,
  };
  if (req.port !== undefined) ctx.port = req.port;
  const hop = evaluate(idx, entries, req, ctx, base, notes, problems);
  if (hop.destinations.length > 0) {
    notes.push(
      "routed once, here: the gateway sends to the endpoints, mesh VirtualServices of the destination are not applied again",
    );
  }
  return hop;
}

/**
 * VirtualServices bound to the gateway, visible from its namespace, that a server admits and whose
 * hosts cover the request host, each with its most specific such host.
 */
function boundVirtualServices(idx: ClusterIndex, gw: Indexed, servers: ServerHost[], req: RequestView): Array<{ vs: Indexed; host: string }> {
  const gwName = `${gw.namespace}/${gw.name}`;
  // The request host must match a server host and a VirtualService host, each as an Envoy domain.
  // (pilot binds a VirtualService by the Istio intersection of the two, gateway.go
  // serverHosts.Intersection; for `*`, `*.<domain>` and exact hosts this is the same answer.)
  const hostAccepted = (vsNs: string): boolean =>
    servers.some((s) => (s.namespace === "*" || s.namespace === vsNs) && envoyDomainMatches(s.host, req.host));
  const bound: Array<{ vs: Indexed; host: string }> = [];
  for (const vs of idx.virtualServices) {
    if (!vsGateways(vs).includes(gwName)) continue;
    if (!visibleFrom(vs, gw.namespace)) continue;
    if (!hostAccepted(vs.namespace)) continue;
    let best: string | undefined;
    for (const h of vsHosts(vs, idx.clusterDomain)) {
      if (!envoyDomainMatches(h, req.host)) continue;
      if (!best || compareSpec(hostPatternSpecificity(h), hostPatternSpecificity(best)) > 0) best = h;
    }
    if (best) bound.push({ vs, host: best });
  }
  return bound;
}

/**
 * The route entries Envoy meets: those of the VirtualServices for the most specific host (exact
 * domain, then the longest wildcard); several for one host are merged at gateways, ordered by
 * creation time, with catch-all routes moved to the end (pilot CombineVHostRoutes).
 */
function gatewayEntries(bound: Array<{ vs: Indexed; host: string }>, notes: string[]): Entry[] {
  const sorted = [...bound].sort((a, b) => compareSpec(hostPatternSpecificity(b.host), hostPatternSpecificity(a.host)) || byCreation(a.vs, b.vs));
  const topHost = sorted[0]?.host as string;
  const merged = sorted.filter((b) => b.host === topHost).map((b) => b.vs);
  if (merged.length === 1) return expand(merged[0] as Indexed);
  notes.push(`${merged.length} VirtualServices for ${topHost} are merged at the gateway: ${merged.map((v) => `${v.namespace}/${v.name}`).join(", ")} (catch-all routes last)`);
  const all = merged.flatMap(expand);
  return [...all.filter((e) => !isCatchAll(e)), ...all.filter(isCatchAll)];
}
