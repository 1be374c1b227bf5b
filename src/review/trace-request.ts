// `kubefork trace`: from flags to the request the evaluator follows. Pure: the rendered objects
// and the ForkManager in, a TraceRequest (and the further hops) out.
import { adapterOf } from "../generate/ingress.ts";
import { istioServerHost } from "../model/hosts.ts";
import type { ForkManager } from "../model/manager.ts";
import { carriersOf, CARRIERS, type Carrier } from "../model/carriers.ts";
import { carrierRequest } from "../generate/carriers.ts";
import { envoyDomainMatches, gatewayHostnameMatches } from "../util/host-patterns.ts";
import type { NextRequest, TraceRequest } from "../trace/index.ts";

export interface TraceArgs {
  host: string;
  path?: string;
  method?: string;
  /** The fork identifier to send in the fork header (or the carriers). */
  fork?: string;
  /** The carriers the request names the fork by (default: the header). */
  carriers?: string[];
  /** Extra request headers, `name: value` or `name=value`. */
  headers?: string[];
  /** Mesh source namespace. */
  from?: string;
  /** `namespace/name` of the gateway the request enters by. */
  gateway?: string;
  /** Further hosts, each requested by the workload the previous hop reached: `HOST[/path]`. */
  then?: string[];
  defaultNamespace: string;
}

export interface PlannedTrace {
  request: TraceRequest;
  next: NextRequest[];
  /** How the entry was chosen, for the reader. */
  entry: string;
  errors: string[];
}

type Obj = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; spec?: Record<string, unknown> };

/** `name: value` or `name=value`. */
export function parseHeader(h: string): { name: string; value: string } | undefined {
  const m = /^\s*([^:=\s]+)\s*[:=]\s?(.*)$/.exec(h);
  return m ? { name: m[1]!.toLowerCase(), value: m[2]! } : undefined;
}

/** `reviews/api?x=1` → host `reviews`, path `/api?x=1`. */
export function splitHostPath(s: string): { host: string; path?: string } {
  const i = s.indexOf("/");
  return i < 0 ? { host: s } : { host: s.slice(0, i), path: s.slice(i) };
}

function nsName(ref: string, defaultNs: string): { namespace: string; name: string } {
  const i = ref.indexOf("/");
  return i < 0 ? { namespace: defaultNs, name: ref } : { namespace: ref.slice(0, i), name: ref.slice(i + 1) };
}

/**
 * The gateway a host enters by, when none is given: an ingress entry of kubefork.yaml whose
 * domain is the host or its parent (`<id>.<domain>`), else an Istio Gateway server or a Gateway
 * API listener naming the host (a wildcard counts; a bare `*` does not: it would catch every host).
 */
export function gatewayFor(host: string, manager: ForkManager, objects: readonly unknown[], defaultNs: string): { ref: { namespace: string; name: string; kind?: "istio" | "gateway-api" }; why: string } | undefined {
  const h = host.toLowerCase();
  for (const e of manager.spec.ingress ?? []) {
    const kind = adapterOf(e).traceGateway;
    if (!kind || !("gateway" in e)) continue;
    const isFork = h.endsWith(`.${e.domain}`) && !h.slice(0, -e.domain.length - 1).includes(".");
    if (h === e.domain || isFork) return { ref: { ...nsName(e.gateway, defaultNs), kind }, why: `ingress ${e.domain} of kubefork.yaml` };
  }
  for (const raw of objects) {
    const o = raw as Obj;
    if (o?.kind !== "Gateway" || typeof o.apiVersion !== "string" || typeof o.metadata?.name !== "string") continue;
    const ns = typeof o.metadata.namespace === "string" ? o.metadata.namespace : defaultNs;
    const ref = { namespace: ns, name: o.metadata.name };
    if (o.apiVersion.startsWith("networking.istio.io/")) {
      for (const server of (o.spec?.servers as { hosts?: unknown[] }[] | undefined) ?? []) {
        for (const entry of server?.hosts ?? []) {
          if (typeof entry !== "string") continue;
          const pattern = istioServerHost(entry, ns).host;
          if (pattern !== "*" && envoyDomainMatches(pattern, h)) return { ref: { ...ref, kind: "istio" }, why: `Istio Gateway ${ns}/${ref.name} serves ${pattern}` };
        }
      }
    } else if (o.apiVersion.startsWith("gateway.networking.k8s.io/")) {
      for (const l of (o.spec?.listeners as { hostname?: unknown }[] | undefined) ?? []) {
        if (typeof l?.hostname === "string" && l.hostname !== "*" && gatewayHostnameMatches(l.hostname, h)) return { ref: { ...ref, kind: "gateway-api" }, why: `Gateway ${ns}/${ref.name} listens for ${l.hostname}` };
      }
    }
  }
  return undefined;
}

/** The namespace a mesh client is in when `--from` is not given: the namespace of the Service the host names, when only one has that name. */
function clientNamespace(host: string, objects: readonly unknown[], defaultNs: string): string {
  const [first, second] = host.toLowerCase().split(".");
  const nss = new Set<string>();
  for (const raw of objects) {
    const o = raw as Obj;
    if (o?.kind === "Service" && o.apiVersion === "v1" && o.metadata?.name === first) nss.add(typeof o.metadata?.namespace === "string" ? o.metadata.namespace : defaultNs);
  }
  if (second !== undefined && nss.has(second)) return second;
  return nss.size === 1 ? [...nss][0]! : defaultNs;
}

/**
 * The fork's carriers on the request: their headers (after -H, so they win), and the calling
 * pod's labels for `source` (returned). A deterministic trace context: `trace` output is stable.
 */
function forkCarriers(manager: ForkManager, args: TraceArgs, headers: Record<string, string>, errors: string[]): Record<string, string> | undefined {
  if (args.fork === undefined) {
    if (args.carriers?.length) errors.push("--carrier needs --header ID: the fork the carriers name");
    return undefined;
  }
  const chosen = args.carriers?.length ? args.carriers : ["header"];
  const unknown = chosen.filter((c) => !(CARRIERS as readonly string[]).includes(c));
  if (unknown.length) {
    errors.push(`--carrier ${unknown.join(", ")}: expected one of ${CARRIERS.join(", ")}`);
    return undefined;
  }
  if (chosen.includes("source") && args.gateway !== undefined) errors.push("--carrier source: the request comes from a pod of the fork in the mesh, not through a gateway (use --from NAMESPACE)");
  const r = carrierRequest(carriersOf(manager.spec), args.fork, chosen as Carrier[], new Uint8Array(16));
  Object.assign(headers, r.headers);
  return r.labels;
}

export function planTrace(objects: readonly unknown[], manager: ForkManager, args: TraceArgs): PlannedTrace {
  const errors: string[] = [];
  const headers: Record<string, string> = {};
  for (const h of args.headers ?? []) {
    const p = parseHeader(h);
    if (p) headers[p.name] = p.value;
    else errors.push(`-H ${h}: expected "name: value"`);
  }
  const fromFork = forkCarriers(manager, args, headers, errors);
  if (args.from !== undefined && args.gateway !== undefined) errors.push("--from and --gateway exclude each other: a request comes from a workload in the mesh or through a gateway");
  const { host, path: hostPath } = splitHostPath(args.host);
  const path = args.path ?? hostPath;
  let from: TraceRequest["from"];
  let entry: string;
  if (args.gateway !== undefined) {
    from = { gateway: nsName(args.gateway, args.defaultNamespace) };
    entry = `through gateway ${from.gateway.namespace}/${from.gateway.name}`;
  } else if (args.from !== undefined) {
    from = { mesh: { namespace: args.from, ...(fromFork ? { labels: fromFork } : {}) } };
    entry = `from a ${fromFork ? "pod of the fork" : "workload"} in namespace ${args.from}`;
  } else {
    const gw = gatewayFor(host.replace(/:\d+$/, ""), manager, objects, args.defaultNamespace);
    if (gw && !fromFork) {
      from = { gateway: gw.ref };
      entry = `through gateway ${gw.ref.namespace}/${gw.ref.name} (${gw.why})`;
    } else {
      const ns = clientNamespace(host, objects, args.defaultNamespace);
      from = { mesh: { namespace: ns, ...(fromFork ? { labels: fromFork } : {}) } };
      entry = `from a ${fromFork ? "pod of the fork" : "workload"} in namespace ${ns} (pass --from or --gateway to choose)`;
    }
  }
  const request: TraceRequest = { host, from, headers, defaultNamespace: args.defaultNamespace, clusterDomain: manager.spec.clusterDomain };
  if (path !== undefined) request.path = path;
  if (args.method !== undefined) request.method = args.method;
  const next: NextRequest[] = (args.then ?? []).map((t) => {
    const s = splitHostPath(t);
    return s.path !== undefined ? { host: s.host, path: s.path } : { host: s.host };
  });
  return { request, next, entry, errors };
}
