// The CRD validator (test/crd/) rejects what the API server rejects: table cases built from the
// official CRDs' constraints and CEL rules, defaults applied first, both Gateway API channels.
import { describe, expect, it } from "vitest";
import { parse } from "@bufbuild/cel";
import { crdSchemas, validateCrdObjects } from "./validate.ts";
import { escapeCelName, validateAgainst, type Schema } from "./schema.ts";
import { HTTPRoute } from "./gateway-api.ts";

const meta = { name: "r", namespace: "shop" };
const route = (spec: unknown) => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: meta, spec });
const gamma = { parentRefs: [{ group: "", kind: "Service", name: "reviews", port: 9080 }] };
const toReviews = { backendRefs: [{ name: "reviews-v1", port: 9080 }] };
const rewrite = { type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } };
const prefix = (value: string) => ({ path: { type: "PathPrefix", value } });
const header = (name: string, value: string) => ({ headers: [{ name, value }] });
const vs = (http: unknown[], extra: Record<string, unknown> = {}) => ({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: meta, spec: { hosts: ["reviews"], http, ...extra } });
const mapping = (spec: Record<string, unknown>, version = "v3alpha1") => ({ apiVersion: `getambassador.io/${version}`, kind: "Mapping", metadata: meta, spec: { prefix: "/", service: "web:80", ...spec } });
const listener = (l: Record<string, unknown>) => ({ name: "http", port: 80, protocol: "HTTP", ...l });
const gateway = (listeners: unknown[]) => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: meta, spec: { gatewayClassName: "istio", listeners } });

const errorsOf = (o: unknown) => validateCrdObjects([o as Record<string, unknown>]).errors;

describe("accepted: what the API server accepts", () => {
  const cases: [string, unknown][] = [
    ["GAMMA route, one rule, no matches (defaulted to PathPrefix /)", route({ ...gamma, rules: [toReviews] })],
    // Without the default the rule reads self.matches, which is absent: only defaulting makes it pass.
    ["URLRewrite ReplacePrefixMatch in a rule with no matches: the default is the one PathPrefix match", route({ ...gamma, rules: [{ filters: [rewrite], ...toReviews }] })],
    ["URLRewrite ReplacePrefixMatch with exactly one PathPrefix match and a header", route({ ...gamma, rules: [{ matches: [{ ...prefix("/api"), ...header("x-fork-identifier", "alice") }], filters: [rewrite], ...toReviews }] })],
    ["64 matches in a rule, 128 in the route", route({ ...gamma, rules: [0, 1].map((r) => ({ matches: Array.from({ length: 64 }, (_, i) => prefix(`/${r}/${i}`)), ...toReviews })) })],
    ["two parentRefs to one Gateway, told apart by sectionName", route({ parentRefs: [{ name: "gw", sectionName: "a" }, { name: "gw", sectionName: "b" }], rules: [toReviews] })],
    ["a VirtualService with a header route, weights and a timeout", vs([{ match: [{ headers: { "x-fork-identifier": { exact: "a" } } }], route: [{ destination: { host: "reviews-a" } }] }, { route: [{ destination: { host: "reviews", subset: "v1" }, weight: 90 }, { destination: { host: "reviews", subset: "v2" }, weight: 10 }], timeout: "5s" }])],
    ["a v3alpha1 Mapping with object headers and an ambassador_id list", mapping({ hostname: "a.shop.example.com", add_request_headers: { "x-fork-identifier": { value: "a", append: false } }, ambassador_id: ["blue"] })],
    ["a v2 Mapping keeps unknown fields (ambassador_id as a string, the shorthand header)", mapping({ host: "a.shop.example.com", ambassador_id: "legacy", add_request_headers: { "x-fork-identifier": "a" } }, "v2")],
    ["an HTTPS listener with a certificate", gateway([listener({ name: "https", port: 443, protocol: "HTTPS", hostname: "*.shop.example.com", tls: { certificateRefs: [{ name: "cert" }] } })])],
  ];
  it.each(cases)("%s", (_name, o) => expect(errorsOf(o)).toEqual([]));
});

describe("rejected: what the API server rejects", () => {
  const cases: [string, unknown, string][] = [
    [
      "URLRewrite ReplacePrefixMatch with two matches (a fork's header and baggage blocks)",
      route({ ...gamma, rules: [{ matches: [{ ...prefix("/api"), ...header("x-fork-identifier", "a") }, { ...prefix("/api"), ...header("baggage", "kubefork=a") }], filters: [rewrite], ...toReviews }] }),
      "spec.rules[0]: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
    ],
    [
      "RequestRedirect ReplacePrefixMatch with an Exact match",
      route({ ...gamma, rules: [{ matches: [{ path: { type: "Exact", value: "/a" } }], filters: [{ type: "RequestRedirect", requestRedirect: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/b" } } }] }] }),
      "When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
    ],
    ["65 matches in a rule", route({ ...gamma, rules: [{ matches: Array.from({ length: 65 }, (_, i) => prefix(`/${i}`)), ...toReviews }] }), "spec.rules[0].matches: Too many: 65: must have at most 64 items"],
    [
      "129 matches in a route (3 rules of 43)",
      route({ ...gamma, rules: [0, 1, 2].map((r) => ({ matches: Array.from({ length: 43 }, (_, i) => prefix(`/${r}/${i}`)), ...toReviews })) }),
      "spec.rules: While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128",
    ],
    ["17 rules", route({ ...gamma, rules: Array.from({ length: 17 }, (_, i) => ({ matches: [prefix(`/${i}`)], ...toReviews })) }), "spec.rules: Too many: 17: must have at most 16 items"],
    ["a Service backendRef without port", route({ ...gamma, rules: [{ backendRefs: [{ name: "reviews" }] }] }), "spec.rules[0].backendRefs[0]: Must have port for Service reference"],
    ["RequestHeaderModifier type without its field", route({ ...gamma, rules: [{ filters: [{ type: "RequestHeaderModifier" }], ...toReviews }] }), "filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type"],
    [
      "two RequestHeaderModifier filters",
      route({ ...gamma, rules: [{ filters: [0, 1].map(() => ({ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x", value: "1" }] } })), ...toReviews }] }),
      "spec.rules[0].filters: RequestHeaderModifier filter cannot be repeated",
    ],
    ["the same header set twice (list-type map)", route({ ...gamma, rules: [{ filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x", value: "1" }, { name: "x", value: "2" }] } }], ...toReviews }] }), "Duplicate value"],
    ["a header name with a space", route({ ...gamma, rules: [{ matches: [header("x fork", "a")], ...toReviews }] }), "spec.rules[0].matches[0].headers[0].name: should match"],
    ["a path that does not start with /", route({ ...gamma, rules: [{ matches: [prefix("api")], ...toReviews }] }), "value must be an absolute path and start with '/'"],
    ["an upper-case hostname", route({ ...gamma, hostnames: ["Alice.shop.example.com"], rules: [toReviews] }), "spec.hostnames[0]: should match"],
    ["an unknown field", route({ ...gamma, rules: [{ ...toReviews, weight: 1 }] }), 'spec.rules[0].weight: unknown field "weight"'],
    ["a rule name (experimental channel only) on a standard-channel cluster", route({ ...gamma, rules: [{ name: "kubefork-a", ...toReviews }] }), 'spec.rules[0].name: unknown field "name" (standard channel)'],
    [
      "two parentRefs to one Service on two ports: the standard channel wants sectionName",
      route({ parentRefs: [{ group: "", kind: "Service", name: "reviews", port: 9080 }, { group: "", kind: "Service", name: "reviews", port: 9443 }], rules: [toReviews] }),
      "spec.parentRefs: sectionName must be unique when parentRefs includes 2 or more references to the same parent (standard channel)",
    ],
    ["an HTTP listener with tls", gateway([listener({ tls: { certificateRefs: [{ name: "c" }] } })]), "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"],
    ["two listeners with one name", gateway([listener({}), listener({ port: 8080 })]), "Listener name must be unique within the Gateway"],
    ["a Terminate listener with neither certificates nor options (the rule errors: rejected)", gateway([listener({ name: "https", port: 443, protocol: "HTTPS", tls: { mode: "Terminate" } })]), "certificateRefs or options must be specified when mode is Terminate"],
    ["an Istio timeout of 0s", vs([{ route: [{ destination: { host: "reviews" } }], timeout: "0s" }]), "spec.http[0].timeout: must be a valid duration greater than 1ms"],
    ["an Istio header match with exact and regex", vs([{ match: [{ headers: { x: { exact: "a", regex: "a" } } }], route: [{ destination: { host: "reviews" } }] }]), "must validate one and only one schema (oneOf)"],
    ["an Istio route weight as a string", vs([{ route: [{ destination: { host: "reviews" }, weight: "90" }] }]), "spec.http[0].route[0].weight: must be an integer"],
    ["an Istio destination without host", vs([{ route: [{ destination: { subset: "v1" } }] }]), "spec.http[0].route[0].destination.host: Required value"],
    ["an unknown field in a VirtualService route", vs([{ route: [{ destination: { host: "reviews" } }], forks: ["a"] }]), 'spec.http[0].forks: unknown field "forks"'],
    ["a DestinationRule without host", { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: meta, spec: { subsets: [{ name: "v1" }] } }, "spec.host: Required value"],
    ["a ServiceEntry for host *", { apiVersion: "networking.istio.io/v1", kind: "ServiceEntry", metadata: meta, spec: { hosts: ["*"], ports: [{ number: 80, name: "http" }] } }, "hostname cannot be wildcard"],
    [
      "an AuthorizationPolicy with selector and targetRefs",
      { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: meta, spec: { selector: { matchLabels: { app: "a" } }, targetRefs: [{ kind: "Service", name: "a" }] } },
      "only one of targetRefs or selector can be set",
    ],
    ["an ambassador_id string in v3alpha1", mapping({ ambassador_id: "blue" }), "spec.ambassador_id: must be an array, not string"],
    ["the v2 header shorthand in v3alpha1", mapping({ add_request_headers: { "x-fork-identifier": "a" } }), "spec.add_request_headers.x-fork-identifier: must be an object, not string"],
    ["a Mapping without service", { ...mapping({}), spec: { prefix: "/" } }, "spec.service: Required value"],
    ["an unknown field in a v3alpha1 Mapping", mapping({ host_rewrit: "x" }), 'spec.host_rewrit: unknown field "host_rewrit"'],
    ["a blue-green Rollout without activeService", { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: meta, spec: { strategy: { blueGreen: { previewService: "p" } } } }, "spec.strategy.blueGreen.activeService: Required value"],
    ["a Rollout template container without name", { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: meta, spec: { template: { spec: { containers: [{ image: "x" }] } } } }, "spec.template: PodTemplateSpec (kubernetes-models)"],
    ["an upper-case object name", { ...mapping({}), metadata: { name: "Web" } }, 'metadata.name: Invalid value: "Web"'],
    ["a label value of 64 characters", { ...mapping({}), metadata: { name: "w", labels: { "kubefork.dev/fork": "a".repeat(64) } } }, "metadata.labels: Invalid value"],
    ["a kind of a transcribed group with no schema", { apiVersion: "gateway.networking.k8s.io/v1", kind: "GRPCRoute", metadata: meta, spec: {} }, "no transcribed CRD schema for gateway.networking.k8s.io/v1|GRPCRoute"],
  ];
  it.each(cases)("%s", (_name, o, message) => {
    const errors = errorsOf(o);
    expect(errors.some((e) => e.includes(message)), `${message}\nnot among\n${errors.join("\n")}`).toBe(true);
  });

  it("the experimental channel accepts a rule name and two Service ports without sectionName", () => {
    const named = errorsOf(route({ ...gamma, rules: [{ name: "kubefork-a", ...toReviews }] }));
    expect(named.filter((e) => e.includes("experimental"))).toEqual([]);
    const ports = errorsOf(route({ parentRefs: [{ group: "", kind: "Service", name: "reviews", port: 9080 }, { group: "", kind: "Service", name: "reviews", port: 9443 }], rules: [toReviews] }));
    expect(ports.filter((e) => e.includes("experimental"))).toEqual([]);
  });

  it("defaults come first: without them a rule with no matches would be rejected three times", () => {
    const noDefaults = JSON.parse(JSON.stringify(HTTPRoute, (k, v) => (k === "default" ? undefined : v))) as typeof HTTPRoute;
    const o = route({ ...gamma, rules: [{ filters: [rewrite], ...toReviews }] });
    expect(validateAgainst(o, HTTPRoute)).toEqual([]);
    expect(validateAgainst(o, noDefaults).map((v) => v.path)).toEqual(["spec.rules", "spec.rules[0]", "spec.rules[0].backendRefs[0]"]);
  });

  it("the object is not modified (defaults go on a copy)", () => {
    const o = route({ ...gamma, rules: [toReviews] });
    const before = JSON.stringify(o);
    errorsOf(o);
    expect(JSON.stringify(o)).toBe(before);
  });
});

describe("the transcription", () => {
  function rulesOf(s: Schema, out: string[] = []): string[] {
    for (const r of s.cel ?? []) out.push(r.rule);
    if (s.type === "object") for (const p of Object.values(s.properties)) rulesOf(p, out);
    if (s.type === "array") rulesOf(s.items, out);
    if (s.type === "map") rulesOf(s.values, out);
    return out;
  }
  const all = [...new Set(Object.values(crdSchemas).flatMap((s) => rulesOf(s)))];

  it("every CEL rule parses", () => {
    expect(all.length).toBeGreaterThan(60);
    for (const r of all) expect(() => parse(r), r).not.toThrow();
  });

  it("only transition rules (oldSelf) are skipped", () => {
    expect(all.filter((r) => /\boldSelf\b/.test(r))).toEqual(["self == oldSelf"]);
  });

  it.each([
    ["namespace", "__namespace__"],
    ["x-fork-identifier", "x__dash__fork__dash__identifier"],
    ["a.b/c", "a__dot__b__slash__c"],
    ["__x", "__underscores__x"],
    ["port", "port"],
  ])("CEL escapes property %s as %s", (name, escaped) => expect(escapeCelName(name)).toBe(escaped));
});
