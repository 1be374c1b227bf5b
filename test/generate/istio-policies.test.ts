import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateIstioPolicies } from "../../src/generate/istio-policies.ts";
import { generateIstioMesh } from "../../src/generate/mesh-istio.ts";
import { context, deployment, fork, forkPods, service } from "../helpers/inprocess.ts";

const base = [
  deployment("ratings-v1", { app: "ratings", version: "v1" }),
  service("ratings", { app: "ratings" }),
  deployment("details-v1", { app: "details", version: "v1" }),
  service("details", { app: "details" }),
];
const policy = (apiVersion: string, kind: string, name: string, spec: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}, namespace: shop}\nspec:\n${spec}`;

function policies(extra: string[], workloads = "    - name: ratings-v1\n") {
  const { ctx, problems } = context({ base: [...base, ...extra].join("---\n"), forks: { alice: fork("alice", workloads) } });
  expect(problems).toEqual([]);
  return generateIstioPolicies(ctx);
}

describe("Istio workload policies follow the fork", () => {
  const cases: [string, string, string, string, string[]][] = [
    ["AuthorizationPolicy", "security.istio.io/v1", "AuthorizationPolicy", "  selector: {matchLabels: {app: ratings}}\n  action: ALLOW\n  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/reviews]}}]}]\n", ["selector", "matchLabels"]],
    ["PeerAuthentication", "security.istio.io/v1", "PeerAuthentication", "  selector: {matchLabels: {app: ratings}}\n  mtls: {mode: STRICT}\n", ["selector", "matchLabels"]],
    ["RequestAuthentication", "security.istio.io/v1", "RequestAuthentication", "  selector: {matchLabels: {app: ratings}}\n  jwtRules: [{issuer: https://id.example.com}]\n", ["selector", "matchLabels"]],
    ["Telemetry", "telemetry.istio.io/v1", "Telemetry", "  selector: {matchLabels: {app: ratings}}\n  accessLogging: [{providers: [{name: envoy}]}]\n", ["selector", "matchLabels"]],
    ["Sidecar", "networking.istio.io/v1", "Sidecar", "  workloadSelector: {labels: {app: ratings}}\n  egress: [{hosts: [./*]}]\n", ["workloadSelector", "labels"]],
  ];
  it.each(cases)("%s: a counterpart with the same spec, selecting the fork's pods", (_n, apiVersion, kind, spec, path) => {
    const r = policies([policy(apiVersion, kind, "ratings", spec)]);
    expect(r.problems).toEqual([]);
    expect(r.objects).toHaveLength(1);
    const o = r.objects[0]!.object as any;
    expect([r.objects[0]!.fork, o.kind, o.metadata.name]).toEqual(["alice", kind, "ratings-alice"]);
    expect(o.spec[path[0]!][path[1]!]).toEqual(forkPods("alice", "ratings-v1"));
    // Everything but the selector is the base policy's spec.
    const baseSpec = parse(policy(apiVersion, kind, "ratings", spec)).spec;
    const { [path[0]!]: _fork, ...forkRest } = o.spec;
    const { [path[0]!]: _base, ...baseRest } = baseSpec;
    expect(forkRest).toEqual(baseRest);
  });

  it("the counterpart's other fields are the base's", () => {
    const r = policies([policy("security.istio.io/v1", "AuthorizationPolicy", "ratings", "  selector: {matchLabels: {app: ratings}}\n  action: DENY\n  rules: [{to: [{operation: {methods: [DELETE]}}]}]\n")]);
    expect((r.objects[0]!.object as any).spec).toEqual({
      selector: { matchLabels: forkPods("alice", "ratings-v1") },
      action: "DENY",
      rules: [{ to: [{ operation: { methods: ["DELETE"] } }] }],
    });
  });

  it("namespace-wide policies, policies of other workloads, and policies on labels fork pods keep need no counterpart", () => {
    const r = policies([
      policy("security.istio.io/v1", "PeerAuthentication", "all", "  mtls: {mode: STRICT}\n"),
      policy("security.istio.io/v1", "AuthorizationPolicy", "details", "  selector: {matchLabels: {app: details}}\n"),
    ]);
    expect(r.objects).toEqual([]);
  });

  it("one policy over two forked workloads: one counterpart each", () => {
    const r = policies([policy("security.istio.io/v1", "PeerAuthentication", "strict", "  selector: {matchLabels: {version: v1}}\n  mtls: {mode: STRICT}\n")], "    - name: ratings-v1\n    - name: details-v1\n");
    expect(r.objects.map((o) => o.object.metadata.name).sort()).toEqual(["strict-details-v1-alice", "strict-ratings-v1-alice"]);
  });
});

describe("Istio policies attached by targetRefs follow the fork's Service copy", () => {
  it.each([
    ["AuthorizationPolicy", "security.istio.io/v1"],
    ["RequestAuthentication", "security.istio.io/v1"],
    ["Telemetry", "telemetry.istio.io/v1"],
  ])("%s on Service ratings: a counterpart on ratings-alice, other targets dropped", (kind, apiVersion) => {
    const spec = "  targetRefs:\n    - {kind: Service, group: \"\", name: ratings}\n    - {kind: Service, group: \"\", name: details}\n    - {kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}\n  action: ALLOW\n";
    const r = policies([policy(apiVersion, kind, "protect", spec)]);
    expect(r.problems).toEqual([]);
    expect(r.objects).toHaveLength(1);
    const o = r.objects[0]!.object as any;
    expect([r.objects[0]!.fork, o.kind, o.metadata.name]).toEqual(["alice", kind, "protect-alice"]);
    expect(o.spec).toEqual({ targetRefs: [{ kind: "Service", group: "", name: "ratings-alice" }], action: "ALLOW" });
  });

  it("the singular targetRef too; a policy on an unforked Service gets none", () => {
    const r = policies([
      policy("security.istio.io/v1", "AuthorizationPolicy", "one", "  targetRef: {kind: Service, group: \"\", name: ratings}\n"),
      policy("security.istio.io/v1", "AuthorizationPolicy", "other", "  targetRefs: [{kind: Service, group: \"\", name: details}]\n"),
    ]);
    expect(r.objects.map((o) => [o.object.metadata.name, (o.object as any).spec])).toEqual([["one-alice", { targetRefs: [{ kind: "Service", group: "", name: "ratings-alice" }] }]]);
  });
});

describe("sourceLabels", () => {
  it("a route matching a forked client's labels warns that the fork's calls take another route", () => {
    const vs = `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: details, namespace: shop}\nspec:\n  hosts: [details]\n  http:\n    - name: from-ratings\n      match: [{sourceLabels: {app: ratings}}]\n      route: [{destination: {host: details}}]\n      timeout: 1s\n    - route: [{destination: {host: details}}]\n`;
    const { ctx } = context({ base: [...base, vs].join("---\n"), forks: { alice: fork("alice", "    - name: ratings-v1\n") } });
    const r = generateIstioMesh(ctx);
    expect(r.problems.map((p) => [p.severity, p.code, p.ref?.name, p.message])).toEqual([
      ["warning", "KF5012", "details", `route 'from-ratings' matches sourceLabels {"app":"ratings"}, which the pods of ratings-v1-alice (fork alice) no longer carry: their calls take the next matching route`],
    ]);
  });
});
