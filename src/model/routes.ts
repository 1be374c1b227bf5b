// Facts about base routing objects that the plan (which flavour routes a host) and the generators
// (how to extend it) both read: their kinds (as index keys, src/model/k8s.ts kindKey), which
// VirtualServices apply to sidecars, and the parentRefs of a Gateway API route with the API's
// defaults. The host names each kind serves or accepts: src/model/hosts.ts.
import { asArray, asRecord, type KObject } from "./k8s.ts";

export const VS_KIND = "networking.istio.io/VirtualService";
export const ISTIO_GATEWAY_KIND = "networking.istio.io/Gateway";
export const GATEWAY_GROUP = "gateway.networking.k8s.io";
export const HTTPROUTE_KIND = "gateway.networking.k8s.io/HTTPRoute";
export const GRPCROUTE_KIND = "gateway.networking.k8s.io/GRPCRoute";
export const TLSROUTE_KIND = "gateway.networking.k8s.io/TLSRoute";
export const GATEWAY_API_GATEWAY_KIND = "gateway.networking.k8s.io/Gateway";
export const MAPPING_KIND = "getambassador.io/Mapping";
export const EMISSARY_HOST_KIND = "getambassador.io/Host";

/** Does a VirtualService apply to sidecars (the mesh)? No gateways, or `mesh` among them. */
export function isMeshVirtualService(o: KObject): boolean {
  const gw = asArray(asRecord(o.spec)?.gateways);
  return gw.length === 0 || gw.includes("mesh");
}

export interface ParentRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  sectionName?: string;
  port?: number;
  /** The reference as written. */
  raw: Record<string, unknown>;
}

/**
 * The parentRefs of a route with the API defaults filled in: group gateway.networking.k8s.io and
 * kind Gateway when unset, the route's namespace (apis/v1/shared_types.go ParentReference,
 * kubernetes-sigs/gateway-api 4564255a: "To set the core API group (such as for a "Service" kind
 * referent), Group must be explicitly set to """). A Service parent is `group: ""`, `kind: Service`.
 */
export function parentRefsOf(route: Readonly<Record<string, unknown>>, routeNs: string): ParentRef[] {
  return asArray(asRecord(route.spec)?.parentRefs).map((p) => {
    const o = asRecord(p) ?? {};
    const kind = typeof o.kind === "string" ? o.kind : "Gateway";
    const group = typeof o.group === "string" ? o.group : GATEWAY_GROUP;
    const ref: ParentRef = { group, kind, namespace: typeof o.namespace === "string" ? o.namespace : routeNs, name: String(o.name ?? ""), raw: o };
    if (typeof o.sectionName === "string") ref.sectionName = o.sectionName;
    if (typeof o.port === "number") ref.port = o.port;
    return ref;
  });
}

export function isServiceParent(p: ParentRef): boolean {
  return p.group === "" && p.kind === "Service";
}

export function isGatewayParent(p: ParentRef): boolean {
  return p.group === GATEWAY_GROUP && p.kind === "Gateway";
}
