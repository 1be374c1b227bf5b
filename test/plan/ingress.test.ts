// What serves the fork hosts (src/plan/ingress.ts): the scheme of each fork URL, read from the
// entry's Gateway (Istio servers, Gateway API listeners) or the Emissary Hosts, as `list`,
// `explain`, `comment` and the status ConfigMaps print it (forkUrls).
import { describe, expect, it } from "vitest";
import { forkUrls } from "../../src/generate/ingress-common.ts";
import { loadBase } from "../../src/load/app.ts";
import type { IngressEntry } from "../../src/model/ingress.ts";
import { buildIndex } from "../../src/plan/base-index.ts";
import { planIngress } from "../../src/plan/ingress.ts";

function urls(base: string, entry: IngressEntry, id = "alice"): string[] {
  const loaded = loadBase([{ path: "base/all.yaml", text: base }]);
  if (loaded.problems.length) throw new Error(JSON.stringify(loaded.problems));
  const index = buildIndex(loaded.manifests, { defaultNamespace: "shop", clusterDomain: "cluster.local" });
  return forkUrls(planIngress(index, [entry]), id);
}

const istioGateway = (servers: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
${servers}`;
const istioServer = (protocol: string, hosts: string[], tls = "") =>
  `    - port: {number: ${protocol === "HTTPS" ? 443 : 80}, name: p-${protocol.toLowerCase()}, protocol: ${protocol}}\n      hosts: ${JSON.stringify(hosts)}\n${tls}`;

const gatewayApi = (listeners: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  gatewayClassName: istio
  listeners:
${listeners}`;
const listener = (name: string, protocol: string, hostname?: string) =>
  `    - {name: ${name}, protocol: ${protocol}, port: ${protocol === "HTTPS" ? 443 : 80}${hostname ? `, hostname: "${hostname}"` : ""}${protocol === "HTTPS" ? ", tls: {certificateRefs: [{name: shop-tls}]}" : ""}}\n`;

const host = (name: string, hostname: string, extra = "") => `apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: ${name}, namespace: shop}
spec:
  hostname: "${hostname}"
${extra}---
`;

const istio: IngressEntry = { kind: "istio", domain: "shop.example.com", gateway: "shop/gw" };
const gapi = (sectionName?: string): IngressEntry => ({ kind: "gateway-api", domain: "shop.example.com", gateway: "shop/gw", ...(sectionName ? { sectionName } : {}) });
const emissary: IngressEntry = { kind: "emissary", domain: "shop.example.com" };

describe("fork URLs use the scheme the Gateway serves", () => {
  it.each([
    { name: "istio: one HTTP server", base: istioGateway(istioServer("HTTP", ["*.shop.example.com"])), entry: istio, want: "http" },
    { name: "istio: an HTTPS server (TLS terminated)", base: istioGateway(istioServer("HTTPS", ["*.shop.example.com"], "      tls: {mode: SIMPLE, credentialName: shop-tls}\n")), entry: istio, want: "https" },
    {
      name: "istio: HTTP and HTTPS servers both take the host",
      base: istioGateway(istioServer("HTTP", ["*.shop.example.com"]) + istioServer("HTTPS", ["*.shop.example.com"], "      tls: {mode: SIMPLE, credentialName: shop-tls}\n")),
      entry: istio,
      want: "https",
    },
    { name: "istio: an HTTP server that redirects to HTTPS", base: istioGateway(istioServer("HTTP", ["*"], "      tls: {httpsRedirect: true}\n")), entry: istio, want: "https" },
    {
      name: "istio: the HTTPS server is for another domain",
      base: istioGateway(istioServer("HTTP", ["*.shop.example.com"]) + istioServer("HTTPS", ["admin.example.com"], "      tls: {mode: SIMPLE, credentialName: a}\n")),
      entry: istio,
      want: "http",
    },
    { name: "istio: a TLS passthrough server routes no HTTP", base: istioGateway(istioServer("HTTP", ["*.shop.example.com"]) + istioServer("HTTPS", ["*.shop.example.com"], "      tls: {mode: PASSTHROUGH}\n")), entry: istio, want: "http" },
    { name: "istio: the Gateway is not in the base", base: host("other", "x.example.com"), entry: istio, want: "https" },
    { name: "gateway-api: an HTTP listener", base: gatewayApi(listener("web", "HTTP", "*.shop.example.com")), entry: gapi(), want: "http" },
    { name: "gateway-api: an HTTPS listener", base: gatewayApi(listener("web", "HTTP", "*.shop.example.com") + listener("secure", "HTTPS", "*.shop.example.com")), entry: gapi(), want: "https" },
    { name: "gateway-api: sectionName picks the HTTP listener", base: gatewayApi(listener("web", "HTTP") + listener("secure", "HTTPS")), entry: gapi("web"), want: "http" },
    { name: "gateway-api: an HTTPS listener without hostname takes every host", base: gatewayApi(listener("secure", "HTTPS")), entry: gapi(), want: "https" },
    { name: "gateway-api: the HTTPS listener's hostname is another", base: gatewayApi(listener("web", "HTTP") + listener("secure", "HTTPS", "admin.example.com")), entry: gapi(), want: "http" },
    { name: "emissary: a Host with tlsSecret", base: host("forks", "*.shop.example.com", "  tlsSecret: {name: shop-tls}\n"), entry: emissary, want: "https" },
    { name: "emissary: a Host without TLS (cleartext only)", base: host("forks", "*.shop.example.com", "  requestPolicy: {insecure: {action: Route}}\n"), entry: emissary, want: "http" },
    { name: "emissary: the TLS Host is for another domain", base: host("forks", "*.shop.example.com") + host("admin", "admin.example.com", "  tlsSecret: {name: a}\n"), entry: emissary, want: "http" },
    { name: "emissary: no Host in the base", base: gatewayApi(listener("web", "HTTP")), entry: emissary, want: "https" },
  ])("$name: $want", ({ base, entry, want }) => {
    expect(urls(base, entry)).toEqual([`${want}://alice.shop.example.com`]);
  });

  it("one URL per entry, in the order of spec.ingress, each with its own scheme", () => {
    const loaded = loadBase([{ path: "base/all.yaml", text: istioGateway(istioServer("HTTP", ["*.shop.example.com"])) + "---\n" + host("forks", "*.legacy.example.com", "  tlsSecret: {name: t}\n") }]);
    const index = buildIndex(loaded.manifests, { defaultNamespace: "shop", clusterDomain: "cluster.local" });
    const plan = planIngress(index, [istio, { kind: "emissary", domain: "legacy.example.com" }]);
    expect(forkUrls(plan, "bob")).toEqual(["http://bob.shop.example.com", "https://bob.legacy.example.com"]);
    expect(forkUrls(planIngress(index, undefined), "bob")).toEqual([]);
  });
});
