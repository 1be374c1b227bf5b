// Istio's protocol selection for a Service port, as pkg/config/kube/conversion.go ConvertProtocol
// and pkg/config/protocol/instance.go do it (istio/istio 86c9f01f): UDP by the port's protocol;
// else appProtocol (with the kubernetes.io/h2c|ws|wss names), else the port name, up to its first
// '-' ("grpc-web" whole); unknown names are sniffed (HTTP can be detected), except the well-known
// ports 25, 53, 3306, 27017, which are TCP. Only HTTP-carrying ports can be routed by header.
export type IstioProtocol = "HTTP" | "HTTP2" | "HTTP_PROXY" | "GRPC" | "GRPC-Web" | "HTTPS" | "TCP" | "TLS" | "UDP" | "Mongo" | "Redis" | "MySQL" | "Unsupported";

/** Can Istio apply HTTP routes (and so header matches) on a port of this protocol? (IsHTTPOrSniffed) */
export const CARRIES_HTTP: Record<IstioProtocol, boolean> = {
  HTTP: true,
  HTTP2: true,
  HTTP_PROXY: true,
  GRPC: true,
  "GRPC-Web": true,
  Unsupported: true,
  HTTPS: false,
  TCP: false,
  TLS: false,
  UDP: false,
  Mongo: false,
  Redis: false,
  MySQL: false,
};

const BY_NAME: Record<string, IstioProtocol> = {
  tcp: "TCP",
  udp: "UDP",
  grpc: "GRPC",
  "grpc-web": "GRPC-Web",
  http: "HTTP",
  http_proxy: "HTTP_PROXY",
  http2: "HTTP2",
  https: "HTTPS",
  tls: "TLS",
  mongo: "Mongo",
  redis: "Redis",
  mysql: "MySQL",
};

const APP_PROTOCOLS: Record<string, IstioProtocol> = { "kubernetes.io/h2c": "HTTP2", "kubernetes.io/ws": "HTTP", "kubernetes.io/wss": "HTTPS" };
const WELL_KNOWN_TCP = new Set([25, 53, 3306, 27017]);

/** The protocol Istio gives a Service port (`spec.ports[]` entry). SCTP is not proxied: treated as not HTTP. */
export function portProtocol(p: Record<string, unknown>): IstioProtocol {
  if (p.protocol === "UDP" || p.protocol === "SCTP") return "UDP";
  let name = typeof p.appProtocol === "string" ? p.appProtocol : typeof p.name === "string" ? p.name : "";
  const app = typeof p.appProtocol === "string" ? APP_PROTOCOLS[p.appProtocol] : undefined;
  if (app) return app;
  if (name.toLowerCase().startsWith("grpc-web")) return "GRPC-Web";
  const dash = name.indexOf("-");
  if (dash >= 0) name = name.slice(0, dash);
  const proto = BY_NAME[name.toLowerCase()];
  if (proto) return proto;
  return typeof p.port === "number" && WELL_KNOWN_TCP.has(p.port) ? "TCP" : "Unsupported";
}

export function carriesHttp(p: Record<string, unknown>): boolean {
  return CARRIES_HTTP[portProtocol(p)];
}
