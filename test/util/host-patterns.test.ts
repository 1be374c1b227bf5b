// The host-pattern rules of src/util/host-patterns.ts, each against a table derived from its
// upstream's own tests (rewritten here, not copied):
// - Istio: istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pkg/config/host/name_test.go
//   TestNameSubsetOf (every row), plus the "mixed case" row of TestNameMatches, where we differ.
// - Gateway API: kubernetes-sigs/gateway-api 4564255ac2c35d582249b3cdf261bdf51c8bca32
//   conformance/tests/httproute-hostname-intersection.{yaml,go} (the request hosts each listener and
//   route hostname must accept or refuse) and apis/v1/httproute_types.go spec.hostnames examples.
// - Envoy: the VirtualHost `domains` documentation examples (`*-bar.foo.com` vs `-bar.foo.com`).
import { describe, expect, it } from "vitest";
import {
  emissaryHostglobMatches,
  envoyDomainMatches,
  gatewayHostnameMatches,
  hostPatternSpecificity,
  istioHostSubsetOf,
} from "../../src/util/host-patterns.ts";

describe("istioHostSubsetOf (Istio host.Name.SubsetOf)", () => {
  it.each([
    // name_test.go TestNameSubsetOf, row by row: [a, b, a.SubsetOf(b)]
    ["", "", true],
    ["", "foo.com", false],
    ["foo.com", "", false],
    ["foo.com", "foo.com", true],
    ["bar.com", "foo.com", false],
    ["foo.com", "bar.com", false],
    ["bar.foo.com", "foo.com", false],
    ["foo.com", "bar.foo.com", false],
    ["foo.com", "*.com", true],
    ["bar.com", "*.com", true],
    ["bar.foo.com", "*.foo.com", true],
    ["foo.com", "*", true],
    ["*.com", "*", true],
    ["com", "*", true],
    ["*", "*", true],
    ["", "*", true],
    ["*.foo.com", "*.com", true],
    ["*.foo.com", "foo.com", false],
    ["*.foo.bar.baz", "baz", false],
    ["foo.bar.baz", "*.baz", true],
    // the wildcard is a plain suffix in Istio (not a label): `*foo.com` covers foo.com itself
    ["foo.com", "*foo.com", true],
    ["barfoo.com", "*foo.com", true],
    ["*.com", "*.foo.com", false],
    // name_test.go TestNameMatches "mixed case" is false upstream (Name compares bytes); we
    // lower-case, as pilot does for VirtualService hosts (route.go separateVSHostsAndServices)
    ["a.facebook.com", "*.facebook.COM", true],
    // the forms kubefork meets: a Service FQDN under a namespace wildcard
    ["reviews.shop.svc.cluster.local", "*.shop.svc.cluster.local", true],
    ["reviews.shop.svc.corp.internal", "*.shop.svc.cluster.local", false],
  ])("%j SubsetOf %j = %s", (a, b, want) => expect(istioHostSubsetOf(a, b)).toBe(want));
});

describe("envoyDomainMatches (Envoy VirtualHost domains)", () => {
  it.each([
    ["*", "foo.com", true],
    ["foo.com", "foo.com", true],
    ["foo.com", "FOO.com", true],
    ["foo.com", "bar.foo.com", false],
    ["*.foo.com", "bar.foo.com", true],
    ["*.foo.com", "a.bar.foo.com", true],
    ["*.foo.com", "foo.com", false],
    ["*.foo.com", ".foo.com", false],
    ["*-bar.foo.com", "baz-bar.foo.com", true],
    ["*-bar.foo.com", "-bar.foo.com", false], // "the wildcard will not match the empty string"
    ["*foo.com", "foo.com", false],
  ])("%j matches %j = %s", (d, h, want) => expect(envoyDomainMatches(d, h)).toBe(want));
});

describe("gatewayHostnameMatches (Gateway API Hostname)", () => {
  it.each([
    // httproute-hostname-intersection: listener-1 very.specific.com
    ["very.specific.com", "very.specific.com", true],
    ["very.specific.com", "non.matching.com", false],
    ["very.specific.com", "foo.specific.com", false],
    // route `*.specific.com` on listener-1: the request must match both (foo.specific.com gets a 404)
    ["*.specific.com", "very.specific.com", true],
    ["*.specific.com", "foo.specific.com", true],
    // listener-2 *.wildcard.io: one or more labels, never the bare domain
    ["*.wildcard.io", "foo.wildcard.io", true],
    ["*.wildcard.io", "bar.wildcard.io", true],
    ["*.wildcard.io", "foo.bar.wildcard.io", true],
    ["*.wildcard.io", "wildcard.io", false],
    ["*.wildcard.io", "foo.anotherwildcard.io", false],
    ["*.anotherwildcard.io", "foo.anotherwildcard.io", true],
    ["*.anotherwildcard.io", "anotherwildcard.io", false],
    // httproute_types.go spec.hostnames: `*.example.com` vs test.example.net
    ["*.example.com", "test.example.net", false],
    // Host headers compare without case
    ["*.example.com", "Test.Example.com", true],
  ])("%j matches %j = %s", (p, h, want) => expect(gatewayHostnameMatches(p, h)).toBe(want));
});

describe("emissaryHostglobMatches (Emissary ir/irutils.py hostglob_matches)", () => {
  it.each([
    ["*", "a.b.com", true],
    ["a.b.com", "a.b.com", true],
    ["*.b.com", "a.b.com", true],
    ["*.b.com", "x.a.b.com", true],
    ["*.b.com", "b.com", false],
    ["*.b.com", "a.c.com", false],
    ["a.*", "a.b.com", true],
    ["*b.com", "b.com", false],
    [".b.com", "a.b.com", false],
    ["*.b.*", "a.b.c", false],
    ["c.com", "a.b.com", false],
  ])("%j matches %j = %s", (g, h, want) => expect(emissaryHostglobMatches(g, h)).toBe(want));
});

describe("the rules on label wildcards agree", () => {
  // For `*`, `*.<domain>` and exact names (all a Gateway API hostname can be, and all the fixtures
  // use), every rule gives the same answer; they part only on `*suffix` globs and `foo.*`.
  const patterns = ["*", "*.example.com", "example.com", "a.example.com"];
  const hosts = ["example.com", "a.example.com", "b.a.example.com", "a.example.net", "A.Example.com"];
  for (const p of patterns)
    for (const h of hosts)
      it(`${p} / ${h}`, () => {
        const want = envoyDomainMatches(p, h);
        expect([istioHostSubsetOf(h, p), gatewayHostnameMatches(p, h), emissaryHostglobMatches(p, h)]).toEqual([want, want, want]);
      });
});

describe("hostPatternSpecificity (Envoy domain search order, Istio host.MoreSpecific)", () => {
  it("exact beats any wildcard, a longer wildcard beats a shorter one", () => {
    const order = ["*", "*.com", "*.example.com", "a.example.com"].map(hostPatternSpecificity);
    const sorted = [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(sorted).toEqual(order);
    expect(hostPatternSpecificity("b.com")[0]).toBeGreaterThan(hostPatternSpecificity("*.very.long.example.com")[0]);
  });
});
