// Types of the routing evaluator (re-exported by ./index.ts).

import type { Problem } from "../problems.ts";
import type { HeaderChange } from "./match.ts";
import type { ObjectRef, WorkloadRef } from "./services.ts";

export type { HeaderChange } from "./match.ts";
export type { ObjectRef, WorkloadRef } from "./services.ts";

export type TraceSource =
  /** A sidecar in that namespace; labels are the client pod's labels (for `sourceLabels`). */
  | { mesh: { namespace: string; labels?: Record<string, string> } }
  /** An Istio Gateway or a Gateway API Gateway, by namespace/name. `kind` picks one when both exist. */
  | { gateway: { namespace: string; name: string; kind?: "istio" | "gateway-api" } };

export interface TraceRequest {
  /** As the client writes it: "reviews", "reviews.bookshop", an FQDN, or "bookshop.example.com" (a `:port` is allowed). */
  host: string;
  /** Path with an optional query string; default "/". */
  path?: string;
  /** Default GET. */
  method?: string;
  /** Header names are matched case-insensitively (kept lower-case). */
  headers?: Record<string, string>;
  from: TraceSource;
  /** Destination port (Service port, or the gateway listener port). */
  port?: number;
  /** `:scheme`; default "http". */
  scheme?: string;
  /** Namespace of objects without metadata.namespace; default "default". */
  defaultNamespace?: string;
  /** The cluster's DNS domain (the manager's `clusterDomain`); default "cluster.local". */
  clusterDomain?: string;
}

export interface TraceDestination {
  /** The host as written in the route (destination.host / backendRef name). */
  host: string;
  /** The host as Istio resolves it (short names in the route's namespace). */
  fqdn: string;
  port?: number;
  subset?: string;
  /** The weight as configured (Istio: 100 for a single destination; Gateway API: default 1). */
  weight: number;
  /** Share of the requests, 0-100. */
  percent: number;
  service?: ObjectRef;
  destinationRule?: ObjectRef;
  /** Labels added by the DestinationRule subset to the Service selector. */
  subsetLabels?: Record<string, string>;
  workloads: WorkloadRef[];
  /** Destination-level header changes (Istio `route[].headers`, backendRef filters). */
  headerChanges: HeaderChange[];
  /** The request headers this destination receives (route + destination changes applied). */
  headers: Record<string, string>;
}

export type HopOutcome =
  /** A route matched and forwarded to destinations. */
  | "routed"
  /** No routing object claims the host: Kubernetes Service default (all endpoints). */
  | "service-default"
  | "redirect"
  | "direct-response"
  /** Istio `delegate`: reported, not followed. */
  | "delegate"
  /** The proxy answers itself (404 no route, 500 no backend, ...). See `status`. */
  | "rejected"
  /** The host is not known (no Service, no route): passthrough / unknown. */
  | "unknown-host";

export type HopSource =
  | { kind: "mesh"; namespace: string; labels: Record<string, string>; workload?: ObjectRef }
  | { kind: "gateway"; gateway: ObjectRef };

export interface TraceHop {
  /** 1-based. */
  hop: number;
  source: HopSource;
  /** Host as requested, and as resolved for routing. */
  host: string;
  resolvedHost: string;
  port?: number;
  method: string;
  path: string;
  /** Headers the hop received. */
  requestHeaders: Record<string, string>;
  /** The routing object whose route decided (VirtualService or HTTPRoute). */
  router?: ObjectRef;
  /** Index and name of the route (Istio http[i]) or rule (HTTPRoute rules[i]), and the match block that matched. */
  route?: { index: number; name?: string; match?: number };
  /** Why this route: human-readable. */
  reason: string;
  outcome: HopOutcome;
  /** HTTP status when the proxy answers itself (redirect, direct response, rejection). */
  status?: number;
  /** Route-level header changes. */
  headerChanges: HeaderChange[];
  /** Headers after route-level changes. */
  headers: Record<string, string>;
  rewrite?: { uri?: string; authority?: string; path?: string };
  redirect?: { uri?: string; authority?: string; scheme?: string; port?: number; code?: number };
  directResponse?: { status: number; body?: string };
  delegate?: ObjectRef;
  destinations: TraceDestination[];
  notes: string[];
}

/** A hop before its router decided: where it is, what arrived (index.ts baseOf). */
export type HopBase = Omit<TraceHop, "reason" | "outcome" | "headerChanges" | "headers" | "destinations" | "notes">;

export interface TraceResult {
  hops: TraceHop[];
  problems: Problem[];
}

/** A further request made by the workload reached at the previous hop. */
export interface NextRequest {
  host: string;
  path?: string;
  method?: string;
  port?: number;
  /** Extra headers the app adds on this call. */
  headers?: Record<string, string>;
}

export interface ChainOptions {
  /**
   * Which incoming headers the app forwards on its outgoing calls (lower-case names).
   * Default: all of them (an app that propagates the fork header and baggage).
   */
  propagate?: string[];
}

/** The normalized request one evaluator sees. */
export interface RequestView {
  /** Host without port, lower-case. */
  host: string;
  /** `:authority` as sent (host[:port]). */
  authority: string;
  port?: number;
  /** Path with query string. */
  rawPath: string;
  /** Path without query string. */
  path: string;
  query: Map<string, string>;
  method: string;
  scheme: string;
  headers: Record<string, string>;
}
