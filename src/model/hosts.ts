// Which host names a base object serves or accepts, read from its spec: one reader per API field,
// and one table over the host-bearing kinds (HOST_KINDS), so that a kind added to the list without
// its reader does not compile. The names are as written, patterns included and no defaults: each
// caller applies its API's matching rule (src/util/host-patterns.ts) and its defaults (an HTTPRoute
// with no hostnames serves every host its listener takes; a Mapping with no host, `*`).
//
// Read by the policy (a fork host the base already serves, src/policy/hosts.ts), the plan (which
// Gateway serves a fork host, src/plan/ingress.ts; which mesh VirtualService claims a Service,
// src/plan/routing.ts), the generators (the base routes an ingress entry mirrors) and `trace`.
import { asArray, asRecord, kindKey, type KObject } from "./k8s.ts";
import {
  EMISSARY_HOST_KIND,
  GATEWAY_API_GATEWAY_KIND,
  GRPCROUTE_KIND,
  HTTPROUTE_KIND,
  ISTIO_GATEWAY_KIND,
  MAPPING_KIND,
  TLSROUTE_KIND,
  VS_KIND,
} from "./routes.ts";

type Spec = Readonly<Record<string, unknown>>;

/** The strings of a list (anything else is no list; entries that are not strings are skipped). */
function strings(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === "string");
}

/** VirtualService `spec.hosts`: the names and patterns it routes (a short name is of its namespace). */
export function virtualServiceHosts(spec: Spec | undefined): string[] {
  return strings(spec?.hosts);
}

/** An Istio Gateway server host as bound: the namespace a VirtualService must be in ("*": any), and the host pattern. */
export interface IstioServerHost {
  namespace: string;
  host: string;
}

/**
 * One Istio Gateway server host, written `[namespace/]host`: no namespace is any (`*`), `.` the
 * Gateway's own (networking.istio.io Server.hosts).
 */
export function istioServerHost(written: string, gatewayNs: string): IstioServerHost {
  const i = written.indexOf("/");
  if (i < 0) return { namespace: "*", host: written };
  const ns = written.slice(0, i);
  return { namespace: ns === "." ? gatewayNs : ns, host: written.slice(i + 1) };
}

/** The hosts of one server of an Istio Gateway (`spec.servers[].hosts`). */
export function istioServerHosts(server: Spec | undefined, gatewayNs: string): IstioServerHost[] {
  return strings(server?.hosts).map((h) => istioServerHost(h, gatewayNs));
}

/** Gateway API route `spec.hostnames` (HTTPRoute, GRPCRoute, TLSRoute). */
export function routeHostnames(spec: Spec | undefined): string[] {
  return strings(spec?.hostnames);
}

/** The `hostname` of each listener of a Gateway API Gateway that sets one. */
export function listenerHostnames(spec: Spec | undefined): string[] {
  return asArray(spec?.listeners).flatMap((l) => strings([asRecord(l)?.hostname]));
}

/** Both host fields of a Mapping as written: v2 `host`, v3alpha1 `hostname` (names, globs or, with host_regex, a regex). */
export function mappingHostFields(spec: Spec | undefined): string[] {
  return strings([spec?.host, spec?.hostname]);
}

/** The host a Mapping is routed for: v3 `hostname` (a glob), else `host` (exact, or a regex with host_regex), else `*`. */
export function mappingHost(spec: Spec | undefined): { pattern: string } | { regex: string } {
  if (typeof spec?.hostname === "string") return { pattern: spec.hostname };
  if (typeof spec?.host === "string") return spec.host_regex === true ? { regex: spec.host } : { pattern: spec.host };
  return { pattern: "*" };
}

/** An Emissary Host's `hostname`, when it sets one. */
export function emissaryHostnames(spec: Spec | undefined): string[] {
  return strings([spec?.hostname]);
}

/** The base kinds that carry host names, by index key (src/model/k8s.ts kindKey). */
export const HOST_KINDS = [VS_KIND, ISTIO_GATEWAY_KIND, HTTPROUTE_KIND, GRPCROUTE_KIND, TLSROUTE_KIND, GATEWAY_API_GATEWAY_KIND, MAPPING_KIND, EMISSARY_HOST_KIND] as const;
export type HostKind = (typeof HOST_KINDS)[number];

type HostReader = (spec: Spec, namespace: string) => string[];

/** Every host name an object of the kind serves or accepts, as written: one reader per kind. */
export const HOST_NAMES: { readonly [K in HostKind]: HostReader } = {
  [VS_KIND]: virtualServiceHosts,
  [ISTIO_GATEWAY_KIND]: (s, ns) => asArray(s.servers).flatMap((x) => istioServerHosts(asRecord(x), ns).map((h) => h.host)),
  [HTTPROUTE_KIND]: routeHostnames,
  [GRPCROUTE_KIND]: routeHostnames,
  [TLSROUTE_KIND]: routeHostnames,
  [GATEWAY_API_GATEWAY_KIND]: listenerHostnames,
  [MAPPING_KIND]: mappingHostFields,
  [EMISSARY_HOST_KIND]: emissaryHostnames,
};

function isHostKind(key: string): key is HostKind {
  return Object.hasOwn(HOST_NAMES, key);
}

/** The host names a base object (in namespace `ns`) serves or accepts, as written; none for a kind that carries no host. */
export function hostNamesOf(o: KObject, ns: string): string[] {
  const key = kindKey(o);
  return isHostKind(key) ? HOST_NAMES[key](asRecord(o.spec) ?? {}, ns) : [];
}
