// One helper per fact: the host names a base object serves or accepts (src/model/hosts.ts), one
// reader per host-bearing kind in a table the compiler checks, and the fork host `<id>.<domain>`
// (src/model/ingress.ts forkHostOf).
import { describe, expect, it } from "vitest";
import { HOST_KINDS, HOST_NAMES, hostNamesOf, istioServerHost, mappingHost, type HostKind } from "../../src/model/hosts.ts";
import { forkHostOf, MAX_DNS_LABEL, MAX_DNS_NAME } from "../../src/model/ingress.ts";
import { kindKey, type KObject } from "../../src/model/k8s.ts";

type Reader = (typeof HOST_NAMES)[HostKind];
const { ["getambassador.io/Host"]: _emissaryHost, ...withoutEmissaryHost } = HOST_NAMES;

// @ts-expect-error: a table without the reader of one host-bearing kind does not compile
export const missingReader: { readonly [K in HostKind]: Reader } = withoutEmissaryHost;

// @ts-expect-error: nor does a kind added to the table that is not one of HOST_KINDS
export const unknownKind: { readonly [K in HostKind]: Reader } = { ...HOST_NAMES, "traefik.io/IngressRoute": () => [] };

const obj = (apiVersion: string, kind: string, spec: Record<string, unknown>): KObject => ({ apiVersion, kind, metadata: { name: "x", namespace: "shop" }, spec });

describe("the host names of base objects", () => {
  it("has a reader for every host-bearing kind and none other", () => {
    expect(Object.keys(HOST_NAMES).sort()).toEqual([...HOST_KINDS].sort());
  });

  it.each([
    ["VirtualService hosts", obj("networking.istio.io/v1", "VirtualService", { hosts: ["www.example.com", 3, "*.example.com"] }), ["www.example.com", "*.example.com"]],
    [
      "Istio Gateway server hosts, without their namespace",
      obj("networking.istio.io/v1", "Gateway", { servers: [{ hosts: ["shop/www.example.com", "*.example.com"] }, { hosts: ["./api.example.com"] }, "junk"] }),
      ["www.example.com", "*.example.com", "api.example.com"],
    ],
    ["HTTPRoute hostnames", obj("gateway.networking.k8s.io/v1", "HTTPRoute", { hostnames: ["a.example.com"] }), ["a.example.com"]],
    ["GRPCRoute hostnames", obj("gateway.networking.k8s.io/v1", "GRPCRoute", { hostnames: ["g.example.com"] }), ["g.example.com"]],
    ["TLSRoute hostnames", obj("gateway.networking.k8s.io/v1alpha2", "TLSRoute", { hostnames: ["t.example.com"] }), ["t.example.com"]],
    ["Gateway listener hostnames (a listener without one adds none)", obj("gateway.networking.k8s.io/v1", "Gateway", { listeners: [{ hostname: "*.example.com" }, { name: "any" }] }), ["*.example.com"]],
    ["both Mapping host fields", obj("getambassador.io/v3alpha1", "Mapping", { host: "v2.example.com", hostname: "v3.example.com" }), ["v2.example.com", "v3.example.com"]],
    ["Emissary Host hostname", obj("getambassador.io/v3alpha1", "Host", { hostname: "*.example.com" }), ["*.example.com"]],
    ["none for a kind that carries no host", obj("v1", "Service", { hosts: ["www.example.com"] }), []],
    ["none for a group's other kind of the same name", obj("example.com/v1", "Gateway", { servers: [{ hosts: ["www.example.com"] }] }), []],
  ] as const)("%s", (_name, o, names) => {
    expect(hostNamesOf(o, "shop")).toEqual(names);
  });

  it("reads every kind of HOST_KINDS by its index key", () => {
    for (const k of HOST_KINDS) {
      const [group, kind] = [k.slice(0, k.lastIndexOf("/")), k.slice(k.lastIndexOf("/") + 1)];
      expect(kindKey({ apiVersion: `${group}/v1`, kind })).toBe(k);
    }
  });

  it("splits an Istio server host into the namespace that may bind and the host", () => {
    expect(istioServerHost("www.example.com", "gw")).toEqual({ namespace: "*", host: "www.example.com" });
    expect(istioServerHost("shop/www.example.com", "gw")).toEqual({ namespace: "shop", host: "www.example.com" });
    expect(istioServerHost("./www.example.com", "gw")).toEqual({ namespace: "gw", host: "www.example.com" });
    expect(istioServerHost("*/www.example.com", "gw")).toEqual({ namespace: "*", host: "www.example.com" });
  });

  it("routes a Mapping by hostname, else host (a regex with host_regex), else *", () => {
    expect(mappingHost({ host: "a.example.com", hostname: "*.example.com" })).toEqual({ pattern: "*.example.com" });
    expect(mappingHost({ host: "a.example.com" })).toEqual({ pattern: "a.example.com" });
    expect(mappingHost({ host: "^a[0-9]\\.example\\.com$", host_regex: true })).toEqual({ regex: "^a[0-9]\\.example\\.com$" });
    expect(mappingHost({})).toEqual({ pattern: "*" });
    expect(mappingHost(undefined)).toEqual({ pattern: "*" });
  });
});

describe("the fork host", () => {
  it("is <id>.<domain>", () => {
    expect(forkHostOf("alice", "shop.example.com")).toEqual({ host: "alice.shop.example.com" });
  });

  it("is not a DNS name with a first label over 63 characters or a name over 253", () => {
    const id = "a".repeat(MAX_DNS_LABEL + 1);
    expect(forkHostOf(id, "example.com").invalid).toBe(`its first label '${id}' has ${MAX_DNS_LABEL + 1} characters (at most ${MAX_DNS_LABEL})`);
    expect(forkHostOf("a".repeat(MAX_DNS_LABEL), "example.com").invalid).toBeUndefined();
    const domain = `${"d".repeat(61)}.${"d".repeat(61)}.${"d".repeat(61)}.${"d".repeat(61)}.com`;
    expect(forkHostOf("alice", domain)).toEqual({ host: `alice.${domain}`, invalid: `it has ${6 + domain.length} characters (at most ${MAX_DNS_NAME})` });
    expect(forkHostOf("a", domain.slice(0, MAX_DNS_NAME - 2)).invalid).toBeUndefined();
  });
});
