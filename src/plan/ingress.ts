// What serves the per-fork hosts, read from the base once per render: for each spec.ingress entry,
// the Gateway (or the Emissary Hosts) that takes `<id>.<domain>`, whether it accepts a fork route
// for that host, and with which scheme. The ingress driver checks acceptance with it; `list`,
// `explain`, the status ConfigMaps and `kubefork comment` print each URL with its scheme
// (forkUrls in src/generate/ingress-common.ts). One reader per ingress kind, keyed by the kinds of
// the schema (src/model/ingress.ts): a kind without one does not compile.
//
// When the base does not hold the object that decides (the Gateway is installed elsewhere), kubefork
// cannot check acceptance, and the scheme is https.
import { asArray, asRecord, describe, type KObject } from "../model/k8s.ts";
import type { IngressEntry, IngressEntryOf, IngressKind } from "../model/ingress.ts";
import type { Manifest } from "../model/inputs.ts";
import { istioServerHosts, type IstioServerHost } from "../model/hosts.ts";
import { EMISSARY_HOST_KIND, GATEWAY_API_GATEWAY_KIND, ISTIO_GATEWAY_KIND } from "../model/routes.ts";
import type { BaseIndex } from "./base-index.ts";
import { emissaryHostglobMatches, gatewayHostnameMatches, istioHostSubsetOf } from "../util/host-patterns.ts";

export type Scheme = "http" | "https";

/** What serves one entry's fork hosts. */
export interface EntryServing {
  /** The objects that decide, as `Kind ns/name (file:line)`; empty when the base holds none. */
  deciders: readonly Manifest[];
  /** undefined: the fork route's host is served (or kubefork cannot tell); else why not. */
  refusal(host: string, route: KObject): string | undefined;
  /** The scheme `host` is served with: https when a TLS listener (server, Host) takes it. */
  scheme(host: string): Scheme;
}

export interface IngressPlan {
  entry: IngressEntry;
  /** Index of the entry in spec.ingress. */
  index: number;
  serving: EntryServing;
}

type ServingReader<K extends IngressKind> = (index: BaseIndex, entry: IngressEntryOf<K>) => EntryServing;

/** Each spec.ingress entry with what serves its fork hosts. */
export function planIngress(index: BaseIndex, entries: readonly IngressEntry[] | undefined): IngressPlan[] {
  return (entries ?? []).map((entry, i) => ({ entry, index: i, serving: servingOf(index, entry) }));
}

function servingOf<K extends IngressKind>(index: BaseIndex, entry: IngressEntryOf<K>): EntryServing {
  // The table pairs each kind with its reader; TypeScript cannot follow that through an index by a union.
  return (INGRESS_SERVING[entry.kind as K] as ServingReader<K>)(index, entry);
}

/** `ns/name` or `name` (in `defaultNs`). */
function ref(s: string, defaultNs: string): { namespace: string; name: string } {
  const i = s.indexOf("/");
  return i < 0 ? { namespace: defaultNs, name: s } : { namespace: s.slice(0, i), name: s.slice(i + 1) };
}

function findObject(index: BaseIndex, kind: string, at: { namespace: string; name: string }): Manifest | undefined {
  return index.ofKind(kind).find((m) => index.nsOf(m.object) === at.namespace && m.object.metadata.name === at.name);
}

// ---------------------------------------------------------------------------------------------
// Istio: the servers of the entry's Gateway (networking.istio.io Gateway spec.servers).

interface IstioServer {
  /** Namespace a VirtualService must be in to bind ("*": any), and the host pattern. */
  hosts: IstioServerHost[];
  /** TLS terminated here (protocol HTTPS), or an HTTP server that redirects to HTTPS. */
  tls: boolean;
}

/** The HTTP servers of an Istio Gateway (TLS passthrough and TCP servers route no HTTP). */
function istioServers(gw: KObject, gwNs: string): IstioServer[] {
  const out: IstioServer[] = [];
  for (const s of asArray(asRecord(gw.spec)?.servers)) {
    const server = asRecord(s) ?? {};
    const tls = asRecord(server.tls) ?? {};
    if (tls.mode === "PASSTHROUGH" || tls.mode === "AUTO_PASSTHROUGH") continue;
    const proto = String(asRecord(server.port)?.protocol ?? "").toUpperCase();
    if (proto && !["HTTP", "HTTPS", "HTTP2", "GRPC"].includes(proto)) continue;
    out.push({ hosts: istioServerHosts(server, gwNs), tls: proto === "HTTPS" || tls.httpsRedirect === true });
  }
  return out;
}

const istioServing: ServingReader<"istio"> = (index, entry) => {
  const at = ref(entry.gateway, index.defaultNamespace);
  const gateway = findObject(index, ISTIO_GATEWAY_KIND, at);
  const servers = gateway ? istioServers(gateway.object, at.namespace) : [];
  const taking = (host: string, ns?: string) => servers.filter((s) => s.hosts.some((h) => (ns === undefined || h.namespace === "*" || h.namespace === ns) && istioHostSubsetOf(host, h.host)));
  return {
    deciders: gateway ? [gateway] : [],
    refusal(host, route) {
      const ns = route.metadata.namespace!;
      return !gateway || taking(host, ns).length > 0 ? undefined : `no server accepts it for VirtualServices in namespace ${ns}`;
    },
    scheme: (host) => (!gateway || taking(host).some((s) => s.tls) ? "https" : "http"),
  };
};

// ---------------------------------------------------------------------------------------------
// Gateway API: the listeners of the entry's Gateway (gateway.networking.k8s.io Gateway spec.listeners).

/** The HTTP and HTTPS listeners of a Gateway (all, or the one named `sectionName`). */
function httpListeners(gw: KObject, sectionName: string | undefined): Record<string, unknown>[] {
  return asArray(asRecord(gw.spec)?.listeners)
    .map((l) => asRecord(l) ?? {})
    .filter((l) => !sectionName || l.name === sectionName)
    .filter((l) => l.protocol === "HTTP" || l.protocol === "HTTPS");
}

/** Would this Gateway serve `host` for a route in `routeNs`? undefined = yes; else why not. */
export function listenerRefusal(gw: KObject, gwNs: string, sectionName: string | undefined, host: string, routeNs: string): string | undefined {
  const listeners = httpListeners(gw, sectionName);
  if (listeners.length === 0) return sectionName ? `it has no HTTP or HTTPS listener named ${sectionName}` : "it has no HTTP or HTTPS listener";
  const byHost = listeners.filter((l) => typeof l.hostname !== "string" || gatewayHostnameMatches(l.hostname, host));
  if (byHost.length === 0) return `no listener's hostname accepts ${host}`;
  const byNs = byHost.filter((l) => {
    const from = asRecord(asRecord(asRecord(l.allowedRoutes)?.namespaces))?.from ?? "Same";
    return from === "All" || from === "Selector" || routeNs === gwNs;
  });
  if (byNs.length === 0) return `its listeners for ${host} admit routes only from namespace ${gwNs} (allowedRoutes.namespaces.from: Same), and the fork route lives in ${routeNs}`;
  return undefined;
}

const gatewayApiServing: ServingReader<"gateway-api"> = (index, entry) => {
  const at = ref(entry.gateway, index.defaultNamespace);
  const gateway = findObject(index, GATEWAY_API_GATEWAY_KIND, at);
  return {
    deciders: gateway ? [gateway] : [],
    refusal: (host, route) => (gateway ? listenerRefusal(gateway.object, at.namespace, entry.sectionName, host, route.metadata.namespace!) : undefined),
    scheme(host) {
      if (!gateway) return "https";
      const taking = httpListeners(gateway.object, entry.sectionName).filter((l) => typeof l.hostname !== "string" || gatewayHostnameMatches(l.hostname, host));
      return taking.length === 0 || taking.some((l) => l.protocol === "HTTPS") ? "https" : "http";
    },
  };
};

// ---------------------------------------------------------------------------------------------
// Emissary: the Hosts (getambassador.io Host) of the installation. Read at emissary-ingress/emissary
// @3ebe0f4687ff6245c5a8e7c9db114a0bb1546d3b, python/ambassador/src/ambassador/:
// - a Mapping's route is added only to the virtual hosts of the Hosts it matches
//   (envoy/v3/v3listener.py matching_hosts -> ir/irhost.py IRHost.matches_httpgroup);
// - it matches a Host when hostglob_matches(Host.hostname, Mapping host) (ir/irutils.py), v3alpha1
//   `hostname` and v2 `host` alike (ir/irhttpmapping.py normalises both to `host`), and, when the Host
//   has a mappingSelector (or the older `selector`), when every matchLabels label is on the Mapping
//   (strict since 2.5/3.2; DISABLE_STRICT_LABEL_SELECTORS restores any-label);
// - a Host with no hostname is `*`; with no Host at all the installation makes one, `*`
//   (ir/irhost.py HostFactory.finalize), which is why a base with no Host is not refused here;
// - resources belong to the installations named by ambassador_id, default ["default"]
//   (config/config.py good_ambassador_id);
// - a Host terminates TLS when it has tlsSecret (or tlsContext); its requestPolicy.insecure.action
//   (default Redirect) sends cleartext requests to https.
// Ambassador 1.x (getambassador.io/v2 entries) has no such association (v1.14.3 ir/irhost.py has no
// matches_httpgroup): a v2 entry is not refused.

/** The ambassador_id of a spec as a list (a string is a list of one; none is ["default"]). */
export function ambassadorIds(spec: Record<string, unknown> | undefined): string[] {
  const v = spec?.ambassador_id ?? spec?.ambassadorId;
  if (typeof v === "string") return [v];
  const list = asArray(v).filter((x): x is string => typeof x === "string");
  return list.length > 0 ? list : ["default"];
}

/** Does a Host take a Mapping for `host` with these labels (hostname, then mappingSelector)? */
export function emissaryHostTakes(hostSpec: Record<string, unknown>, host: string, labels: Record<string, string>): boolean {
  const hostname = typeof hostSpec.hostname === "string" && hostSpec.hostname !== "" ? hostSpec.hostname : "*";
  if (!emissaryHostglobMatches(hostname, host)) return false;
  const selector = asRecord(hostSpec.mappingSelector) ?? asRecord(hostSpec.selector);
  const match = asRecord(selector?.matchLabels) ?? {};
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

function emissaryTls(hostSpec: Record<string, unknown>): boolean {
  return asRecord(hostSpec.tlsSecret) !== undefined || asRecord(hostSpec.tlsContext) !== undefined;
}

const emissaryServing: ServingReader<"emissary"> = (index, entry) => {
  const hosts = index.ofKind(EMISSARY_HOST_KIND);
  const v2 = entry.apiVersion === "getambassador.io/v2";
  const spec = (m: Manifest) => asRecord(m.object.spec) ?? {};
  return {
    deciders: hosts,
    refusal(host, route) {
      if (v2) return undefined;
      const ids = ambassadorIds(asRecord(route.spec));
      const mine = hosts.filter((h) => ambassadorIds(spec(h)).some((id) => ids.includes(id)));
      if (mine.length === 0) return undefined; // the installation's Hosts are not in the base
      if (mine.some((h) => emissaryHostTakes(spec(h), host, route.metadata.labels ?? {}))) return undefined;
      const named = mine.map((h) => `${describe(h.object, index.nsOf(h.object))} (hostname ${typeof spec(h).hostname === "string" ? spec(h).hostname : "*"})`);
      return `no Host of ambassador_id ${ids.join(", ")} takes it: ${named.join(", ")}`;
    },
    scheme(host) {
      const taking = hosts.filter((h) => emissaryHostglobMatches(typeof spec(h).hostname === "string" ? String(spec(h).hostname) : "*", host));
      return taking.length === 0 || taking.some((h) => emissaryTls(spec(h))) ? "https" : "http";
    },
  };
};

/** One reader per ingress kind. */
export const INGRESS_SERVING: { readonly [K in IngressKind]: ServingReader<K> } = {
  istio: istioServing,
  "gateway-api": gatewayApiServing,
  emissary: emissaryServing,
};
