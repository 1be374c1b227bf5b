// The carriers (src/model/carriers.ts) as routing: the match blocks a fork route adds per carrier,
// in both routing flavours, and the request headers a per-fork host (or `kubefork headers`) sets.
//
// Matching, checked at the source:
// - Istio hands a StringMatch `regex` to Envoy as a safe_regex (RE2) matched against the WHOLE
//   header value; istio validation caps a regex at 1,024 characters (istio/istio @86c9f01f,
//   pkg/config/validation/validation.go validateStringRegexp). Gateway API header match values
//   are at most 4,096 characters and, in the experimental channel, printable ASCII with single
//   spaces (kubernetes-sigs/gateway-api @4564255a, apis/v1/httproute_types.go HTTPHeaderMatch):
//   every regex here is printable ASCII without spaces (`\s` for optional whitespace).
// - Envoy matches a repeated header against its values joined by ",", which is how W3C list
//   headers (baggage, tracestate) combine: the entry regexes accept it anywhere in the list.
// - `sourceLabels` is decided by istiod when it builds a sidecar's routes: a block is kept for a
//   proxy whose labels include them, and a block that lists `gateways` ignores them
//   (pilot/pkg/networking/core/route/route.go sourceMatchHTTP). Waypoints (ambient mode) drop
//   every block with sourceLabels (pilot/pkg/networking/core/listener_waypoint.go, istio#51565),
//   and an HTTPRoute match has no condition on the client: the `source` carrier is sidecar-only.
import { DEFAULT_BAGGAGE_KEY, hasCarrier, mintTrace, TRACESTATE_KEY, traceIdPrefix, unusablePrefix, type Carrier, type CarrierSpec, type MintedTrace } from "../model/carriers.ts";
import { carriersOf } from "../model/carriers.ts";
import type { ForkManager } from "../model/manager.ts";
import { FORK_LABEL } from "../plan/labels.ts";
import type { ForkPlan } from "../plan/plan.ts";
import { error, warning, type Problem } from "../problems.ts";
import { refOf } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

/** The longest regex istiod accepts (validation.go validateStringRegexp). */
export const ISTIO_MAX_REGEX = 1024;

export function carrierSpec(manager: ForkManager): CarrierSpec {
  return carriersOf(manager.spec);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A whole-value RE2 regex matching a W3C baggage header that holds the entry `key=id`. */
export function baggageRegex(key: string, id: string): string {
  return `^(.*[,\\s])?${escapeRegex(key)}\\s*=\\s*${escapeRegex(id)}(\\s*[;,].*)?\\s*$`;
}

/** A whole-value RE2 regex matching a W3C tracestate header that holds the list member `kubefork=id`. */
export function tracestateRegex(id: string): string {
  return `^(.*,)?\\s*${TRACESTATE_KEY}=${escapeRegex(id)}\\s*(,.*)?$`;
}

/** traceparent whose trace id starts with `prefix`: any version but ff, later versions' extra fields allowed. */
export function traceparentRegex(prefix: string): string {
  return `^([0-9a-e][0-9a-f]|f[0-9a-e])-${prefix}[0-9a-f]{${32 - prefix.length}}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?$`;
}

/** x-b3-traceid (B3 multi-header) whose 128-bit trace id starts with `prefix`. */
export function b3TraceIdRegex(prefix: string): string {
  return `^${prefix}[0-9a-f]{${32 - prefix.length}}$`;
}

/** One header condition of a carrier, flavour-neutral. */
export interface HeaderCondition {
  carrier: Carrier;
  name: string;
  exact?: string;
  regex?: string;
}

/** The header conditions that identify fork `id`, one per ORed match block, in carrier order. */
export function headerConditions(cs: CarrierSpec, id: string): HeaderCondition[] {
  const out: HeaderCondition[] = [{ carrier: "header", name: cs.header, exact: id }];
  if (cs.baggageKey !== undefined) out.push({ carrier: "baggage", name: "baggage", regex: baggageRegex(cs.baggageKey, id) });
  if (hasCarrier(cs, "tracestate")) out.push({ carrier: "tracestate", name: "tracestate", regex: tracestateRegex(id) });
  if (hasCarrier(cs, "traceId")) {
    const prefix = traceIdPrefix(id);
    out.push({ carrier: "traceId", name: "traceparent", regex: traceparentRegex(prefix) });
    out.push({ carrier: "traceId", name: "x-b3-traceid", regex: b3TraceIdRegex(prefix) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Istio.

/** What one carrier ANDs into an Istio match block. */
export type IstioFragment = { headers?: Record<string, Record<string, string>>; sourceLabels?: Record<string, string> };

/**
 * The Istio match fragments of fork `id`, ORed: the header conditions, and for a VirtualService
 * that applies to sidecars (`mesh`), the fork's pods as the source.
 */
export function istioFragments(cs: CarrierSpec, id: string, opts: { mesh: boolean }): IstioFragment[] {
  const out: IstioFragment[] = headerConditions(cs, id).map((c): IstioFragment => {
    const m: Record<string, string> = c.exact !== undefined ? { exact: c.exact } : { regex: c.regex! };
    return { headers: { [c.name]: m } };
  });
  if (opts.mesh && hasCarrier(cs, "source")) out.push({ sourceLabels: { [FORK_LABEL]: id } });
  return out;
}

type IstioMatch = Record<string, unknown> & { headers?: Record<string, unknown>; sourceLabels?: Record<string, unknown>; gateways?: unknown };

/**
 * Every base match block ANDed with each fragment; no base match means "match the fragment". A
 * source fragment is left out of a block that lists `gateways` (istiod then ignores sourceLabels,
 * so the block would match every sidecar's calls).
 */
export function andIstioMatch(match: readonly IstioMatch[] | undefined, fragments: readonly IstioFragment[]): IstioMatch[] {
  if (!match || match.length === 0) return fragments.map((f) => structuredClone(f) as IstioMatch);
  return match.flatMap((m) =>
    fragments
      .filter((f) => !(f.sourceLabels && Array.isArray(m.gateways) && m.gateways.length > 0))
      .map((f) => {
        const out: IstioMatch = structuredClone(m);
        if (f.headers) out.headers = { ...(m.headers ?? {}), ...structuredClone(f.headers) };
        if (f.sourceLabels) out.sourceLabels = { ...(m.sourceLabels ?? {}), ...f.sourceLabels };
        return out;
      }),
  );
}

// ---------------------------------------------------------------------------------------------
// Gateway API.

export type GatewayHeaderMatch = { type?: string; name: string; value: string };

/** The Gateway API header matches of fork `id`, one per ORed match (no `source`: see the top). */
export function gatewayHeaderMatches(cs: CarrierSpec, id: string): GatewayHeaderMatch[] {
  return headerConditions(cs, id).map((c) => (c.exact !== undefined ? { type: "Exact", name: c.name, value: c.exact } : { type: "RegularExpression", name: c.name, value: c.regex! }));
}

// ---------------------------------------------------------------------------------------------
// Request headers: what a per-fork host sets, and what `kubefork headers` prints.

export interface HeaderOps {
  /** Replace the header. */
  set: [string, string][];
  /** Append a list member (baggage, tracestate: W3C list headers, combined with ","). */
  append: [string, string][];
}

/**
 * What a per-fork host sets on every request: the fork header (replacing a value the client
 * sent), and the baggage and tracestate entries when those carriers are chosen (appended, so the
 * client's other entries stay). A trace id cannot be set by a static route: a gateway mints its
 * own, at random (so `traceId` alone never reaches a fork from a per-fork host; the fork header
 * does, at the first hop).
 */
export function forkHeaderOps(cs: CarrierSpec, id: string): HeaderOps {
  const ops: HeaderOps = { set: [[cs.header, id]], append: [] };
  if (cs.baggageKey !== undefined) ops.append.push(["baggage", `${cs.baggageKey}=${id}`]);
  if (hasCarrier(cs, "tracestate")) ops.append.push(["tracestate", `${TRACESTATE_KEY}=${id}`]);
  return ops;
}

/** HeaderOps of a list of `{name, value, append?}` (the ingress driver's IngressHeader). */
export function headerOps(headers: readonly { name: string; value: string; append?: boolean }[]): HeaderOps {
  return { set: headers.filter((h) => !h.append).map((h) => [h.name, h.value]), append: headers.filter((h) => h.append).map((h) => [h.name, h.value]) };
}

/** The headers of one request into fork `id`: every header carrier, and a trace context under its prefix. */
export function requestHeaders(cs: CarrierSpec, id: string, trace: MintedTrace): [string, string][] {
  const ops = forkHeaderOps(cs, id);
  return [
    ...ops.set,
    ...ops.append,
    ["traceparent", trace.traceparent],
    ["x-b3-traceid", trace.traceId],
    ["x-b3-spanid", trace.spanId],
    ["x-b3-sampled", "1"],
  ];
}

/** A valid traceparent under no fork's prefix (the W3C spec's example), for tracestate alone. */
export const NEUTRAL_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

/**
 * What a client of fork `id` sends with these carriers (whether kubefork.yaml chose them or not):
 * headers, and for `source` the calling pod's labels. `tracestate` comes with a traceparent (a
 * receiver discards a tracestate without one): the fork's minted one when `traceId` is also
 * carried, else one under no fork's prefix, so each carrier can be traced alone.
 */
export function carrierRequest(cs: CarrierSpec, id: string, carriers: readonly Carrier[], random: Uint8Array): { headers: Record<string, string>; labels?: Record<string, string> } {
  const trace = mintTrace(id, random);
  const headers: Record<string, string> = {};
  let labels: Record<string, string> | undefined;
  const add: Record<Carrier, () => void> = {
    header: () => void (headers[cs.header] = id),
    baggage: () => void (headers.baggage = `${cs.baggageKey ?? DEFAULT_BAGGAGE_KEY}=${id}`),
    tracestate: () => {
      headers.tracestate = `${TRACESTATE_KEY}=${id}`;
      headers.traceparent ??= NEUTRAL_TRACEPARENT;
    },
    traceId: () => Object.assign(headers, { traceparent: trace.traceparent, "x-b3-traceid": trace.traceId, "x-b3-spanid": trace.spanId, "x-b3-sampled": "1" }),
    source: () => void (labels = { [FORK_LABEL]: id }),
  };
  for (const c of ["traceId", ...carriers.filter((c) => c !== "traceId")] as Carrier[]) if (carriers.includes(c)) add[c]();
  return labels ? { headers, labels } : { headers };
}

/** What names fork `id` on a request, per carrier, for `explain`. */
export function describeCarriers(cs: CarrierSpec, id: string): { carrier: Carrier; matches: string }[] {
  const text: Record<Carrier, () => string> = {
    header: () => `${cs.header}: ${id}`,
    baggage: () => `baggage entry ${cs.baggageKey ?? DEFAULT_BAGGAGE_KEY}=${id}`,
    tracestate: () => `tracestate entry ${TRACESTATE_KEY}=${id}`,
    traceId: () => `traceparent or x-b3-traceid with a trace id starting ${traceIdPrefix(id)} (kubefork headers ${id} mints one)`,
    source: () => `calls from the fork's pods (sourceLabels ${FORK_LABEL}=${id}; sidecars, VirtualServices only)`,
  };
  return cs.carriers.map((carrier) => ({ carrier, matches: text[carrier]() }));
}

// ---------------------------------------------------------------------------------------------
// Checks over all forks of a render.

/**
 * With the `traceId` carrier: two forks whose prefixes collide (or a prefix no fork may own) are
 * an error at the fork file, since a minted id of one would route to the other. And every regex
 * must fit istiod's limit.
 */
export function carrierProblems(cs: CarrierSpec, forks: readonly ForkPlan[], prefixOf: (id: string) => string = traceIdPrefix): Problem[] {
  const problems: Problem[] = [];
  const at = (fp: ForkPlan) => {
    const pos = fp.loaded.doc.locate(["metadata", "name"]);
    return { file: fp.file, line: pos.line, column: pos.column, path: "metadata.name" };
  };
  if (hasCarrier(cs, "traceId")) {
    const owner = new Map<string, string>();
    for (const fp of [...forks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      const prefix = prefixOf(fp.id);
      const bad = unusablePrefix(prefix);
      const other = owner.get(prefix);
      if (bad || other !== undefined)
        problems.push(
          error({
            ...at(fp),
            code: bad ? "KF5004" : "KF5005",
            message: bad
              ? `the trace-id prefix of fork '${fp.id}' (${prefix}) cannot route: ${bad}`
              : `the trace-id prefix of fork '${fp.id}' (${prefix}) is the same as fork '${other}''s: a trace id minted for one would route to the other (carrier traceId)`,
            hint: "rename the fork (the identifier is the file name and metadata.name)",
          }),
        );
      else owner.set(prefix, fp.id);
    }
  }
  for (const fp of forks)
    for (const c of headerConditions(cs, fp.id))
      if (c.regex !== undefined && c.regex.length > ISTIO_MAX_REGEX)
        problems.push(
          error({
            ...at(fp),
            code: "KF5006",
            message: `the ${c.carrier} match of fork '${fp.id}' is a regex of ${c.regex.length} characters; Istio accepts at most ${ISTIO_MAX_REGEX}`,
            hint: c.carrier === "baggage" ? "use a shorter spec.baggage key in kubefork.yaml" : "use a shorter fork identifier",
          }),
        );
  return problems;
}

/** The label that puts a namespace's pods in Istio's ambient mode (istio.io docs, ambient/migrate/enable-ambient-mode). */
export const AMBIENT_LABEL = "istio.io/dataplane-mode";

/**
 * With `source`: a warning per forked namespace that the base puts in ambient mode, where
 * waypoints drop sourceLabels blocks (listener_waypoint.go) and pods without a sidecar get no
 * fork-to-fork routing from it.
 */
export function ambientWarnings(ctx: GenContext, cs: CarrierSpec): Problem[] {
  if (!hasCarrier(cs, "source")) return [];
  const forked = new Set(ctx.plan.forks.flatMap((fp) => fp.workloads.map((w) => w.namespace)));
  return ctx.index
    .ofKind("Namespace")
    .filter((m) => forked.has(m.object.metadata.name) && m.object.metadata.labels?.[AMBIENT_LABEL] === "ambient")
    .map((m) =>
      warning({
        code: "KF5007",
        file: m.doc.file,
        line: m.doc.line,
        object: `Namespace ${m.object.metadata.name}`,
        ref: refOf(m),
        message: `carrier 'source' has no effect on pods of namespace ${m.object.metadata.name} that run without a sidecar (${AMBIENT_LABEL}: ambient): waypoint proxies drop sourceLabels matches (istio#51565)`,
        hint: "rely on a header carrier there (header, baggage, tracestate or traceId), or give the forked workloads sidecars",
      }),
    );
}

/**
 * With `source`: the forked hosts the plan routes with HTTPRoutes (src/plan/routing.ts), where an
 * HTTPRoute match has no condition on the calling workload, so `source` cannot apply. Read from the
 * plan, host by host, whatever `spec.routing` says:
 * - hosts that take Gateway API from `spec.routing` (the base routes them with neither flavour, and
 *   kubefork writes their HTTPRoutes): kubefork.yaml asks for two things that exclude each other,
 *   an error at the carrier;
 * - hosts the base routes with HTTPRoutes: `source` still serves the hosts routed by
 *   VirtualServices, a warning naming the others.
 */
export function sourceCarrierProblems(ctx: GenContext, cs: CarrierSpec): Problem[] {
  if (!hasCarrier(cs, "source")) return [];
  const chosen: string[] = [];
  const based: string[] = [];
  for (const [fqdn, h] of [...ctx.routing.hosts].sort(([a], [b]) => (a < b ? -1 : 1))) if (h.flavour === "gateway-api") (h.claims.length === 0 ? chosen : based).push(fqdn);
  const file = ctx.managerSource?.file ?? "kubefork.yaml";
  const i = (ctx.manager.spec.carriers ?? []).indexOf("source");
  const pos = i >= 0 ? ctx.managerSource?.doc?.locate(["spec", "carriers", i]) : undefined;
  const at = { file, ...(pos ? { line: pos.line, column: pos.column } : {}), path: i >= 0 ? `spec.carriers[${i}]` : "spec.carriers" };
  const problems: Problem[] = [];
  if (chosen.length > 0)
    problems.push(
      error({
        ...at,
        code: "KF5027",
        message: `carrier 'source' cannot be expressed for ${chosen.join(", ")}: spec.routing gives ${chosen.length > 1 ? "them" : "it"} Gateway API (the base routes ${chosen.length > 1 ? "them" : "it"} with neither flavour), and an HTTPRoute match has no condition on the calling workload (only path, headers, query parameters and method)`,
        hint: "remove 'source' from spec.carriers, or use routing: istio (VirtualService sourceLabels, sidecars only)",
      }),
    );
  if (based.length > 0)
    problems.push(
      warning({
        ...at,
        code: "KF5008",
        message: `carrier 'source' does not apply to ${based.join(", ")}, which the base routes with HTTPRoutes (an HTTPRoute match has no condition on the calling workload): calls from fork pods to ${based.length > 1 ? "them" : "it"} need a header carrier`,
      }),
    );
  return problems;
}

/** The render step: carrierProblems over the plan's forks, `source` on hosts routed with HTTPRoutes, and the ambient warnings. */
export function checkCarriers(ctx: GenContext): GenResult {
  const out = emptyResult();
  const cs = carrierSpec(ctx.manager);
  out.problems.push(...carrierProblems(cs, ctx.plan.forks), ...sourceCarrierProblems(ctx, cs), ...ambientWarnings(ctx, cs));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The per-fork host's header operations, in each ingress kind's form. A list entry is appended
// where the route already sets or adds that header, joined with ",", so one header carries both.

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * An Istio route's `headers` with the fork's operations: the fork header in `request.set` (and out
 * of `add` and `remove`), each list entry appended to the route's own `set` or `add` of that
 * header, else added. Envoy removes before it adds, so a base `remove` of the list header still
 * strips the client's value and the entry reaches the app.
 */
export function withIstioHeaderOps(headers: unknown, ops: HeaderOps): Record<string, unknown> {
  const h = structuredClone((headers ?? {}) as Record<string, unknown>);
  const request = (h.request ?? {}) as { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] };
  for (const [name, value] of ops.set) {
    request.set = { ...(request.set ?? {}), [name]: value };
    if (request.add && name in request.add) delete request.add[name];
    if (request.remove) request.remove = request.remove.filter((r) => !sameName(r, name));
  }
  for (const [name, value] of ops.append) {
    if (request.set && name in request.set) request.set[name] = `${request.set[name]},${value}`;
    else request.add = { ...(request.add ?? {}), [name]: request.add?.[name] ? `${request.add[name]},${value}` : value };
  }
  if (request.add && Object.keys(request.add).length === 0) delete request.add;
  if (request.remove && request.remove.length === 0) delete request.remove;
  h.request = request;
  return h;
}

type GatewayFilter = Record<string, unknown> & { type: string };
type HeaderList = { name: string; value: string }[];

/**
 * Gateway API filters with the fork's operations in the rule's one RequestHeaderModifier (a filter
 * type appears once per rule): the fork header in `set` (and out of `add` and `remove`), each list
 * entry appended to the modifier's `set` or `add` of that header, else added (`add` appends to
 * what the client sent; names are unique in each list, so values are joined).
 */
export function withGatewayHeaderOps(filters: readonly GatewayFilter[] | undefined, ops: HeaderOps): GatewayFilter[] {
  const out = (filters ?? []).map((f) => structuredClone(f));
  let f = out.find((x) => x.type === "RequestHeaderModifier");
  if (!f) {
    f = { type: "RequestHeaderModifier", requestHeaderModifier: {} };
    out.push(f);
  }
  const m = (f.requestHeaderModifier ?? {}) as { set?: HeaderList; add?: HeaderList; remove?: string[] };
  for (const [name, value] of ops.set) {
    m.set = [...(m.set ?? []).filter((s) => !sameName(s.name, name)), { name, value }];
    if (m.add) m.add = m.add.filter((s) => !sameName(s.name, name));
    if (m.remove) m.remove = m.remove.filter((s) => !sameName(s, name));
  }
  for (const [name, value] of ops.append) {
    const hit = m.set?.find((s) => sameName(s.name, name)) ?? m.add?.find((s) => sameName(s.name, name));
    if (hit) hit.value = `${hit.value},${value}`;
    else m.add = [...(m.add ?? []), { name, value }];
  }
  if (m.add?.length === 0) delete m.add;
  if (m.remove?.length === 0) delete m.remove;
  f.requestHeaderModifier = m;
  return out;
}

/**
 * Emissary `add_request_headers` (objects `{value, append}`) with the fork's operations: the fork
 * header replaced (`append: false`, so a value the client sent is not joined to it), each list
 * entry appended (`append: true`; joined with the Mapping's own value of that header).
 */
export function withEmissaryHeaderOps(added: Record<string, unknown>, ops: HeaderOps): Record<string, unknown> {
  const out = { ...added };
  const drop = (name: string) => {
    for (const k of Object.keys(out)) if (sameName(k, name)) delete out[k];
  };
  for (const [name, value] of ops.set) {
    drop(name);
    out[name] = { value, append: false };
  }
  for (const [name, value] of ops.append) {
    const key = Object.keys(out).find((k) => sameName(k, name));
    const prev = key === undefined ? undefined : (out[key] as { value?: unknown } | string);
    const prevValue = typeof prev === "string" ? prev : typeof prev?.value === "string" ? prev.value : undefined;
    if (key !== undefined) delete out[key];
    out[name] = { value: prevValue ? `${prevValue},${value}` : value, append: typeof prev === "object" && prev && "append" in prev ? (prev as { append: unknown }).append : true };
  }
  return out;
}
