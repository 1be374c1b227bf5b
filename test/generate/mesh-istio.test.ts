import { describe, expect, it } from "vitest";
import { andMatch, baggageRegex, generateIstioMesh } from "../../src/generate/mesh-istio.ts";
import { context, deployment, fork, service } from "../helpers/inprocess.ts";

const vs = (name: string, spec: string, ns = "shop") => `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec}`;
const base = [deployment("reviews-v1", { app: "reviews", version: "v1" }), deployment("reviews-v2", { app: "reviews", version: "v2" }), service("reviews", { app: "reviews" }), deployment("ratings", { app: "ratings" }), service("ratings", { app: "ratings" })];

function mesh(extra: string[], forks: Record<string, string>, manager?: string) {
  const { ctx, problems } = context({ base: [...base, ...extra].join("---\n"), forks, manager });
  expect(problems).toEqual([]);
  return generateIstioMesh(ctx);
}
const f = (id: string, w: string) => ({ [id]: fork(id, `    - name: ${w}\n`) });

describe("Istio mesh routing", () => {
  it("no VirtualService for the host: a shared one with a route per fork (by id) and a catch-all", () => {
    const r = mesh([], { ...f("bob", "ratings"), ...f("alice", "ratings") });
    expect(r.replace.size).toBe(0);
    expect(r.objects).toHaveLength(1);
    const { object, fork: owner } = r.objects[0]!;
    expect(owner).toBeNull();
    expect(object.metadata).toEqual({ name: "ratings-kubefork", namespace: "shop", labels: { "app.kubernetes.io/managed-by": "kubefork" }, annotations: { "kubefork.dev/forks": "alice,bob" } });
    expect((object as any).spec).toEqual({
      hosts: ["ratings.shop.svc.cluster.local"],
      http: [
        { name: "kubefork-alice", match: [{ headers: { "x-fork-identifier": { exact: "alice" } } }], route: [{ destination: { host: "ratings-alice.shop.svc.cluster.local" } }] },
        { name: "kubefork-bob", match: [{ headers: { "x-fork-identifier": { exact: "bob" } } }], route: [{ destination: { host: "ratings-bob.shop.svc.cluster.local" } }] },
        { name: "default", route: [{ destination: { host: "ratings.shop.svc.cluster.local" } }] },
      ],
    });
  });

  it("an existing VirtualService is extended: every route copied per fork, before the base routes, match ANDed, subsets dropped, weights collapsed, timeouts kept", () => {
    const spec = `  hosts: [reviews]
  http:
    - name: jason
      match: [{headers: {end-user: {exact: jason}}}, {uri: {prefix: /beta}}]
      route: [{destination: {host: reviews, subset: v2}}]
    - route:
        - {destination: {host: reviews, subset: v1}, weight: 80}
        - {destination: {host: reviews, subset: v2}, weight: 20}
      timeout: 2s
      rewrite: {uri: /}
`;
    const r = mesh([vs("reviews", spec)], f("bob", "reviews-v2"));
    expect(r.objects).toEqual([]);
    const [out] = [...r.replace.values()];
    const http = (out as any).spec.http;
    expect(http.slice(2)).toEqual([
      { name: "jason", match: [{ headers: { "end-user": { exact: "jason" } } }, { uri: { prefix: "/beta" } }], route: [{ destination: { host: "reviews", subset: "v2" } }] },
      { route: [{ destination: { host: "reviews", subset: "v1" }, weight: 80 }, { destination: { host: "reviews", subset: "v2" }, weight: 20 }], timeout: "2s", rewrite: { uri: "/" } },
    ]);
    expect(http[0]).toEqual({
      name: "kubefork-bob-jason",
      match: [
        { headers: { "end-user": { exact: "jason" }, "x-fork-identifier": { exact: "bob" } } },
        { uri: { prefix: "/beta" }, headers: { "x-fork-identifier": { exact: "bob" } } },
      ],
      route: [{ destination: { host: "reviews-bob.shop.svc.cluster.local" } }],
    });
    expect(http[1]).toEqual({
      name: "kubefork-bob-route-1",
      match: [{ headers: { "x-fork-identifier": { exact: "bob" } } }],
      route: [{ destination: { host: "reviews-bob.shop.svc.cluster.local" } }],
      timeout: "2s",
      rewrite: { uri: "/" },
    });
    expect((out as any).metadata.annotations).toEqual({ "kubefork.dev/forks": "bob" });
  });

  it("routes to unforked destinations are copied unchanged (order within the fork's block is the base's)", () => {
    const spec = `  hosts: [reviews]\n  http:\n    - match: [{uri: {prefix: /ratings}}]\n      route: [{destination: {host: ratings}}]\n    - route: [{destination: {host: reviews}}]\n`;
    const [out] = [...mesh([vs("reviews", spec)], f("bob", "reviews-v2")).replace.values()];
    expect((out as any).spec.http[0].route).toEqual([{ destination: { host: "ratings" } }]);
    expect((out as any).spec.http[1].route).toEqual([{ destination: { host: "reviews-bob.shop.svc.cluster.local" } }]);
  });

  it("a VirtualService for another host that routes to a forked Service is extended too", () => {
    const spec = `  hosts: [front]\n  http:\n    - route: [{destination: {host: ratings.shop.svc.cluster.local}}]\n`;
    const r = mesh([vs("front", spec)], f("alice", "ratings"));
    expect([...r.replace.values()][0]!.spec).toMatchObject({ http: [{ route: [{ destination: { host: "ratings-alice.shop.svc.cluster.local" } }] }, {}] });
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["ratings-kubefork"]);
  });

  it("gateway-only VirtualServices are extended but claim no mesh host; a short host resolves in the VirtualService's namespace", () => {
    const gw = `  hosts: [ratings]\n  gateways: [shop-gw]\n  http:\n    - route: [{destination: {host: ratings}}]\n`;
    const other = `  hosts: [ratings]\n  http:\n    - route: [{destination: {host: ratings}}]\n`;
    const r = mesh([vs("gw", gw), vs("elsewhere", other, "other")], f("alice", "ratings"));
    // The gateway VirtualService routes to ratings, so it gains alice's routes (a gateway does not
    // apply mesh routing again), but it does not claim the mesh host: a shared one is still made.
    expect([...r.replace.keys()].map((m) => m.object.metadata.name)).toEqual(["gw"]);
    expect((r.replace.values().next().value as any).spec.http[0]).toEqual({
      name: "kubefork-alice-route-0",
      match: [{ headers: { "x-fork-identifier": { exact: "alice" } } }],
      route: [{ destination: { host: "ratings-alice.shop.svc.cluster.local" } }],
    });
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["ratings-kubefork"]);
  });

  it("baggage adds one match block per carrier", () => {
    const r = mesh([], f("alice", "ratings"), "apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: t}\nspec: {baggage: kubefork, header: x-dev}\n");
    expect((r.objects[0]!.object as any).spec.http[0].match).toEqual([
      { headers: { "x-dev": { exact: "alice" } } },
      { headers: { baggage: { regex: baggageRegex("kubefork", "alice") } } },
    ]);
  });

  it("a wildcard mesh host that covers a forked Service is an error", () => {
    const r = mesh([vs("all", `  hosts: ["*.shop.svc.cluster.local"]\n  http:\n    - route: [{destination: {host: ratings}}]\n`)], f("alice", "ratings"));
    expect(r.problems.map((p) => [p.code, p.ref?.kind, p.ref?.name, p.message])).toEqual([
      ["KF5009", "VirtualService", "all", "the wildcard host '*.shop.svc.cluster.local' claims the forked host ratings.shop.svc.cluster.local; kubefork cannot extend a wildcard VirtualService without changing routing for other hosts"],
    ]);
  });

  it("two mesh VirtualServices for a forked host: a warning at the second (IST0109), and both extended", () => {
    const route = `  hosts: [ratings]\n  http:\n    - route: [{destination: {host: ratings}}]\n`;
    const r = mesh([vs("one", route), vs("two", route)], f("alice", "ratings"));
    // One file: the base's five documents, then "one" (index 5) and "two" (index 6).
    expect(r.problems.map((p) => [p.severity, p.code, p.ref?.name, p.ref?.index])).toEqual([["warning", "KF5010", "two", 6]]);
    expect(r.replace.size).toBe(2);
  });

  it("a VirtualService of a forked host with no http routes: a warning, and it stays as it is", () => {
    const r = mesh([vs("tcp-only", "  hosts: [ratings]\n  tcp:\n    - route: [{destination: {host: ratings}}]\n")], f("alice", "ratings"));
    expect(r.problems.map((p) => [p.severity, p.code, p.ref?.kind, p.ref?.name])).toEqual([["warning", "KF5011", "VirtualService", "tcp-only"]]);
    expect(r.replace.size).toBe(0);
  });

  it("the name of the shared VirtualService taken by a base VirtualService for another host is an error naming that one", () => {
    const r = mesh([vs("ratings-kubefork", "  hosts: [other]\n  http:\n    - route: [{destination: {host: other}}]\n")], f("alice", "ratings"));
    expect(r.problems.map((p) => [p.severity, p.code, p.ref?.kind, p.ref?.namespace, p.ref?.name])).toEqual([["error", "KF5001", "VirtualService", "shop", "ratings-kubefork"]]);
    expect(r.objects).toEqual([]);
  });

  it("andMatch: no base match means the carriers alone", () => {
    expect(andMatch(undefined, [{ h: { exact: "a" } }])).toEqual([{ headers: { h: { exact: "a" } } }]);
  });

  it("the baggage regex matches the entry and nothing else", () => {
    const re = new RegExp(baggageRegex("kubefork", "alice"));
    for (const ok of ["kubefork=alice", "a=1, kubefork=alice", "kubefork = alice;p=1", "x=1,kubefork=alice,y=2"]) expect(re.test(ok)).toBe(true);
    for (const no of ["kubefork=alice2", "xkubefork=alice", "kubefork=bob", "a=kubefork=alice"]) expect(re.test(no)).toBe(false);
  });
});
