// Where does this request go? A pure evaluator of rendered routing objects (Istio
// VirtualService / DestinationRule / Gateway, Gateway API HTTPRoute / Gateway, Kubernetes
// Services and workloads), hop by hop, as the data plane would route it.
//
// No fs, no process, no clock: objects in, a result value out. Odd input never throws: what
// cannot be evaluated is reported in `problems` (and per hop in `notes`).

import type { Problem } from "../problems.ts";
import { traceGamma, traceGatewayApiGateway, gammaRoutes } from "./gateway-api.ts";
import { meshClaims, traceIstioGateway, traceIstioMesh } from "./istio.ts";
import { splitPath } from "./match.ts";
import { carriesHttp, portProtocol } from "../model/protocol.ts";
import type { ClusterIndex, Indexed, ObjectRef } from "./services.ts";
import { bareHost, err, indexObjects, noteP, refString, resolveClientHost, servicePorts, warn, workloadsFor } from "./services.ts";
import type {
  ChainOptions,
  HopBase,
  HopSource,
  NextRequest,
  RequestView,
  TraceDestination,
  TraceHop,
  TraceRequest,
  TraceResult,
} from "./types.ts";

export type * from "./types.ts";
export { compileRe2, fullMatch, matchStringMatch } from "./match.ts";


function lowerKeys(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (typeof v === "string") out[k.toLowerCase()] = v;
  return out;
}

function view(request: TraceRequest): RequestView {
  const headers = lowerKeys(request.headers);
  const { host, port: hostPort } = bareHost(String(request.host ?? ""));
  const rawPath = request.path && request.path.length > 0 ? (request.path.startsWith("/") ? request.path : `/${request.path}`) : "/";
  const { path, query } = splitPath(rawPath);
  const authority = headers[":authority"] ?? headers.host ?? String(request.host ?? "");
  delete headers[":authority"];
  delete headers.host;
  const v: RequestView = {
    host,
    authority,
    rawPath,
    path,
    query,
    method: (request.method ?? "GET").toUpperCase(),
    scheme: request.scheme ?? "http",
    headers,
  };
  const port = request.port ?? hostPort;
  if (port !== undefined) v.port = port;
  return v;
}

/** Follow one request through the routing objects: one hop. */
export function trace(objects: readonly unknown[], request: TraceRequest): TraceResult {
  const problems: Problem[] = [];
  const idx = indexObjects(Array.isArray(objects) ? objects : [], request?.defaultNamespace ?? "default", request?.clusterDomain);
  const hop = traceOne(idx, request, 1, problems, undefined);
  return { hops: hop ? [hop] : [], problems };
}

function traceOne(idx: ClusterIndex, request: TraceRequest, n: number, problems: Problem[], workload: ObjectRef | undefined): TraceHop | undefined {
  if (!request || typeof request !== "object" || typeof request.host !== "string" || !request.from) {
    problems.push(err("KF6032", "the request needs a host and a source (from.mesh or from.gateway)"));
    return undefined;
  }
  const req = view(request);
  const from = request.from;
  if ("gateway" in from && from.gateway) {
    return gatewayHop(idx, req, from.gateway, n, problems);
  }
  if ("mesh" in from && from.mesh) {
    const source: Extract<HopSource, { kind: "mesh" }> = {
      kind: "mesh",
      namespace: from.mesh.namespace || idx.defaultNamespace,
      labels: { ...(from.mesh.labels ?? {}) },
    };
    if (workload) source.workload = workload;
    return meshHop(idx, req, source, from.mesh.labels !== undefined, n, problems);
  }
  problems.push(err("KF6032", "the request source must be from.mesh or from.gateway"));
  return undefined;
}

function baseOf(n: number, source: HopSource, req: RequestView, resolvedHost: string): HopBase {
  const base: HopBase = {
    hop: n,
    source,
    host: req.authority,
    resolvedHost,
    method: req.method,
    path: req.rawPath,
    requestHeaders: { ...req.headers },
  };
  if (req.port !== undefined) base.port = req.port;
  return base;
}

function gatewayHop(
  idx: ClusterIndex,
  req: RequestView,
  g: { namespace: string; name: string; kind?: "istio" | "gateway-api" },
  n: number,
  problems: Problem[],
): TraceHop {
  const find = (list: Indexed[]): Indexed | undefined => list.find((x) => x.namespace === g.namespace && x.name === g.name);
  const istio = g.kind === "gateway-api" ? undefined : find(idx.istioGateways);
  const gapi = g.kind === "istio" ? undefined : find(idx.gateways);
  if (istio && gapi) {
    problems.push(warn("KF7010", `both an Istio Gateway and a Gateway API Gateway are named ${g.namespace}/${g.name}; tracing the Istio one (set from.gateway.kind to choose)`));
  }
  if (istio) {
    const source: HopSource = { kind: "gateway", gateway: { kind: "Gateway", namespace: istio.namespace, name: istio.name } };
    return traceIstioGateway(idx, istio, req, baseOf(n, source, req, req.host), problems);
  }
  if (gapi) {
    const source: HopSource = { kind: "gateway", gateway: { kind: "Gateway", namespace: gapi.namespace, name: gapi.name } };
    return traceGatewayApiGateway(idx, gapi, req, baseOf(n, source, req, req.host), problems);
  }
  problems.push(err("KF7011", `no Gateway ${g.namespace}/${g.name} among the objects`));
  const source: HopSource = { kind: "gateway", gateway: { kind: "Gateway", namespace: g.namespace, name: g.name } };
  return {
    ...baseOf(n, source, req, req.host),
    reason: `Gateway ${g.namespace}/${g.name} not found`,
    outcome: "unknown-host",
    headerChanges: [],
    headers: { ...req.headers },
    destinations: [],
    notes: [],
  };
}

function meshHop(
  idx: ClusterIndex,
  req: RequestView,
  source: Extract<HopSource, { kind: "mesh" }>,
  labelsKnown: boolean,
  n: number,
  problems: Problem[],
): TraceHop {
  const { fqdn, service } = resolveClientHost(idx, req.host, source.namespace);
  // The port the client calls: given, or the Service's only port.
  if (req.port === undefined && service) {
    const ports = servicePorts(service);
    if (ports.length === 1) req = { ...req, port: ports[0] as number };
  }
  const base = baseOf(n, source, req, fqdn);
  // A port Istio does not route as HTTP gets no HTTP routes: no header can reach a fork there.
  const tcp = service ? nonHttpPort(service, req.port) : undefined;
  if (service && tcp) return serviceDefault(idx, service, fqdn, req, base, problems, tcp, [nonHttpNote(service, tcp)]);
  const claims = meshClaims(idx, fqdn, source.namespace);
  const routes = service ? gammaRoutes(idx, service, source.namespace, req.port) : [];
  if (claims.length > 0 && routes.length > 0) {
    problems.push(
      warn(
        "KF7014",
        `host ${fqdn} has both a mesh VirtualService (${claims.map((c) => `${c.vs.namespace}/${c.vs.name}`).join(", ")}) and HTTPRoutes on its Service (${routes
          .map((r) => `${r.namespace}/${r.name}`)
          .join(", ")}); which one Istio applies is not defined here: tracing the HTTPRoutes`,
      ),
    );
  }
  if (routes.length > 0 && service) return traceGamma(idx, service, routes, req, source.namespace, base, problems);
  if (claims.length > 0) return traceIstioMesh(idx, claims, req, source, labelsKnown, base, problems);
  // No routing object: Kubernetes Service default.
  if (service) return serviceDefault(idx, service, fqdn, req, base, problems, undefined, []);
  problems.push(warn("KF7013", `host ${req.host} (from namespace ${source.namespace}) is neither a Service nor claimed by a route in the objects given`));
  return {
    ...base,
    reason: `unknown host ${fqdn}: no Service and no route (outside the objects given; the sidecar passes it through or fails)`,
    outcome: "unknown-host",
    headerChanges: [],
    headers: { ...req.headers },
    destinations: [],
    notes: [],
  };
}

/** The Service's own endpoints, as kube-proxy (or a TCP proxy) sends: no route decided. */
function serviceDefault(
  idx: ClusterIndex,
  service: Indexed,
  fqdn: string,
  req: RequestView,
  base: HopBase,
  problems: Problem[],
  tcp: { port: string; protocol: string } | undefined,
  notes: string[],
): TraceHop {
  const local: Problem[] = [];
  const dest: TraceDestination = {
    host: req.host,
    fqdn,
    weight: 100,
    percent: 100,
    service: { kind: "Service", namespace: service.namespace, name: service.name },
    workloads: workloadsFor(idx, service, undefined, local),
    headerChanges: [],
    headers: { ...req.headers },
  };
  problems.push(...local);
  if (req.port !== undefined) dest.port = req.port;
  return {
    ...base,
    reason: tcp
      ? `not HTTP: port ${tcp.port} is ${tcp.protocol} by Istio's protocol selection, so no HTTP route applies (VirtualService http, HTTPRoute); every endpoint of the Service`
      : "no route: Kubernetes Service default (no VirtualService or HTTPRoute claims the host)",
    outcome: "service-default",
    headerChanges: [],
    headers: { ...req.headers },
    destinations: [dest],
    notes,
  };
}

/**
 * The port called, when Istio does not route it as HTTP (src/model/protocol.ts): the port given,
 * or, with none given, every port of the Service. undefined when HTTP routes may apply.
 */
function nonHttpPort(service: Indexed, port: number | undefined): { port: string; protocol: string } | undefined {
  const ports = arrOf(service.spec.ports);
  const called = port === undefined ? ports : ports.filter((p) => p.port === port);
  if (called.length === 0 || called.some(carriesHttp)) return undefined;
  return { port: called.map((p) => `${String(p.port)}${typeof p.name === "string" ? ` (${p.name})` : ""}`).join(", "), protocol: [...new Set(called.map(portProtocol))].join("/") };
}

function nonHttpNote(service: Indexed, tcp: { port: string }): string {
  return `header routing cannot reach a fork here: Service ${service.namespace}/${service.name} port ${tcp.port} is not HTTP, so its clients reach the baseline whatever header they send (call the fork's Service copy by name instead)`;
}

function arrOf(v: unknown): Record<string, unknown>[] {
  return (Array.isArray(v) ? v : []).map((x) => (x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {}));
}

/**
 * Follow a request, then further requests made by the workload it reached: each next host is
 * requested FROM that workload (its namespace and pod labels), carrying the headers it received
 * (as an app that propagates the fork header would). With a weighted split, the heaviest
 * destination (first on ties) is followed, and its first workload.
 */
export function traceChain(
  objects: readonly unknown[],
  request: TraceRequest,
  nextHosts: ReadonlyArray<string | NextRequest>,
  options: ChainOptions = {},
): TraceResult {
  const problems: Problem[] = [];
  const idx = indexObjects(Array.isArray(objects) ? objects : [], request?.defaultNamespace ?? "default", request?.clusterDomain);
  const hops: TraceHop[] = [];
  const first = traceOne(idx, request, 1, problems, undefined);
  if (!first) return { hops, problems };
  hops.push(first);
  let prev = first;
  for (const next of nextHosts) {
    const nx: NextRequest = typeof next === "string" ? { host: next } : next;
    const dests = prev.destinations.filter((d) => d.workloads.length > 0);
    if (prev.outcome !== "routed" && prev.outcome !== "service-default") {
      problems.push(noteP("KF7022", `hop ${prev.hop} ends with ${prev.outcome}${prev.status ? ` (${prev.status})` : ""}: ${nx.host} is not followed`));
      break;
    }
    if (dests.length === 0) {
      problems.push(warn("KF7022", `hop ${prev.hop} reaches no workload: ${nx.host} is not followed`));
      break;
    }
    const dest = dests.reduce((a, b) => (b.percent > a.percent ? b : a));
    const w = dest.workloads[0];
    if (!w) break;
    if (dests.length > 1 || dest.workloads.length > 1) {
      prev.notes.push(`following ${refString(w)} (${dest.percent}% via ${dest.fqdn}) for the next hop`);
    }
    let headers = { ...dest.headers };
    if (options.propagate) {
      const keep = new Set(options.propagate.map((h) => h.toLowerCase()));
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => keep.has(k)));
    }
    Object.assign(headers, lowerKeys(nx.headers));
    const req: TraceRequest = {
      host: nx.host,
      from: { mesh: { namespace: w.namespace, labels: w.labels } },
      headers,
      defaultNamespace: request.defaultNamespace ?? "default",
    };
    if (nx.path !== undefined) req.path = nx.path;
    if (nx.method !== undefined) req.method = nx.method;
    if (nx.port !== undefined) req.port = nx.port;
    const hop = traceOne(idx, req, hops.length + 1, problems, { kind: w.kind, namespace: w.namespace, name: w.name });
    if (!hop) break;
    hops.push(hop);
    prev = hop;
  }
  return { hops, problems };
}

// ---------------------------------------------------------------------------------------------
// Plain-text rendering (no colours; the CLI adds those).

const INDENT = "       ";

function fmtLabels(labels: Record<string, string>): string {
  const e = Object.entries(labels);
  return e.length ? ` (${e.map(([k, v]) => `${k}=${v}`).join(",")})` : "";
}

function fmtDest(d: TraceDestination): string {
  let s = `→ ${d.fqdn}${d.port !== undefined ? `:${d.port}` : ""}`;
  if (d.subset) s += ` subset ${d.subset}`;
  s += ` (${d.percent}%)`;
  if (d.service) {
    s += `  Service ${d.service.namespace}/${d.service.name}`;
    if (d.subsetLabels && Object.keys(d.subsetLabels).length) s += ` [${Object.entries(d.subsetLabels).map(([k, v]) => `${k}=${v}`).join(",")}]`;
    s += d.workloads.length ? ` → ${d.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(", ")}` : " → no workload";
  } else s += "  no such Service";
  return s;
}

function fmtHop(h: TraceHop): string[] {
  const lines: string[] = [];
  const label = `hop ${h.hop}`.padEnd(INDENT.length - 1);
  const src =
    h.source.kind === "gateway"
      ? `gateway ${h.source.gateway.namespace}/${h.source.gateway.name}`
      : `mesh ${h.source.workload ? `${h.source.workload.kind} ${h.source.workload.namespace}/${h.source.workload.name}` : `${h.source.namespace}${fmtLabels(h.source.labels)}`}`;
  const hostPart = h.resolvedHost && h.resolvedHost !== h.host ? `${h.host} (${h.resolvedHost})` : h.host;
  lines.push(`${label} ${src}  host ${hostPart}  ${h.method} ${h.path}`);
  if (h.router) {
    const r = h.route;
    const routeTxt = r ? `  ${h.router.kind === "HTTPRoute" ? "rule" : "route"} ${r.index}${r.name ? ` "${r.name}"` : ""}${r.match !== undefined ? ` (match ${r.match})` : ""}` : "";
    lines.push(`${INDENT}${h.router.kind} ${h.router.namespace}/${h.router.name}${routeTxt}`);
  }
  lines.push(`${INDENT}${h.reason}`);
  for (const c of h.headerChanges) lines.push(`${INDENT}${c.op} header ${c.name}${c.value !== undefined ? `: ${c.value}` : ""}`);
  if (h.rewrite) {
    const parts = [h.rewrite.uri !== undefined ? `uri ${h.rewrite.uri}` : "", h.rewrite.path ?? "", h.rewrite.authority !== undefined ? `authority ${h.rewrite.authority}` : ""].filter(Boolean);
    lines.push(`${INDENT}rewrite ${parts.join(", ")}`);
  }
  switch (h.outcome) {
    case "redirect": {
      const r = h.redirect ?? {};
      const to = [r.scheme ? `${r.scheme}://` : "", r.authority ?? "", r.port !== undefined ? `:${r.port}` : "", r.uri ?? ""].join("");
      lines.push(`${INDENT}redirect ${h.status ?? ""} → ${to || "(same location)"}`);
      break;
    }
    case "direct-response":
      lines.push(`${INDENT}direct response ${h.status ?? ""}${h.directResponse?.body !== undefined ? ` ${JSON.stringify(h.directResponse.body)}` : ""}`);
      break;
    case "delegate":
      lines.push(`${INDENT}delegate → VirtualService ${h.delegate?.namespace ?? "?"}/${h.delegate?.name ?? "?"} (not followed)`);
      break;
    case "rejected":
      lines.push(`${INDENT}rejected${h.status ? ` ${h.status}` : ""}`);
      break;
    default:
      break;
  }
  for (const d of h.destinations) {
    lines.push(`${INDENT}${fmtDest(d)}`);
    for (const c of d.headerChanges) lines.push(`${INDENT}  ${c.op} header ${c.name}${c.value !== undefined ? `: ${c.value}` : ""}`);
  }
  for (const n of h.notes) lines.push(`${INDENT}note: ${n}`);
  return lines;
}

/** Hop by hop, aligned plain text; problems at the end. */
export function formatTrace(result: TraceResult): string {
  const lines: string[] = [];
  for (const h of result.hops) lines.push(...fmtHop(h));
  for (const p of result.problems) {
    const subject = [p.object, p.path].filter(Boolean).join(" ");
    lines.push(`${p.severity}: ${subject ? `${subject}: ` : ""}${p.message}`);
  }
  return `${lines.join("\n")}\n`;
}
