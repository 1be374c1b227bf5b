// GAMMA version pinning (src/plan/versions.ts): with the fork header, every request to a forked
// Service reaches the fork's pods whichever rule matches; backends that are versions of a forked
// Service (bookinfo's reviews-v1/v2/v3 of platform/kube/bookinfo-versions.yaml, istio/istio
// 86c9f01f) become the fork's copy and their weights collapse; backends of other applications stay.
// Both flavours pin the same way (SPEC invariant 4), and trace follows what is rendered.
import { describe, expect, it } from "vitest";
import { swapBackends, ungrantedCopies } from "../../src/generate/gateway-api-common.ts";
import { swapDestination } from "../../src/generate/mesh-istio.ts";
import type { RoutingFlavour } from "../../src/model/manager.ts";
import { forkTarget, pinningForks } from "../../src/plan/versions.ts";
import { formatProblem } from "../../src/problems.ts";
import { formatTrace, trace } from "../../src/trace/index.ts";
import { context, deployment, fork, renderFiles, svc as service } from "../helpers/inprocess.ts";

const svc = (name: string, selector: Record<string, string>, ports: string, ns = "shop") => service(name, ports, { ns, selector });
const P9080 = "[{name: http, port: 9080}]";
const BASE = [
  deployment("reviews-v1", { app: "reviews", version: "v1" }),
  deployment("reviews-v2", { app: "reviews", version: "v2" }),
  deployment("reviews-v3", { app: "reviews", version: "v3" }),
  deployment("ratings-v1", { app: "ratings", version: "v1" }),
  svc("reviews", { app: "reviews" }, P9080),
  svc("reviews-v1", { app: "reviews", version: "v1" }, P9080),
  svc("reviews-v2", { app: "reviews", version: "v2" }, P9080),
  svc("reviews-v3", { app: "reviews", version: "v3" }, P9080),
  svc("ratings", { app: "ratings" }, P9080),
];
const FQDN = (n: string, ns = "shop") => `${n}.${ns}.svc.cluster.local`;

function ctxFor(extra: string[], workloads: string[]) {
  const { ctx, problems } = context({ base: [...BASE, ...extra].join("---\n"), forks: { bob: fork("bob", workloads.map((w) => `    - name: ${w}\n`).join("")) } });
  expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  return { ctx, fp: ctx.plan.forks[0]! };
}

describe("forkTarget: the copy a fork's request for a base Service goes to", () => {
  it.each<{ name: string; extra?: string[]; forks: string[]; backend: string; port?: number; want: string | undefined }>([
    { name: "the forked parent itself", forks: ["reviews-v2"], backend: "reviews", port: 9080, want: "reviews-bob:9080" },
    { name: "a version of it that the fork does not copy (90% in the base)", forks: ["reviews-v2"], backend: "reviews-v1", port: 9080, want: "reviews-bob:9080" },
    { name: "a forked version: the widest forked Service instead", forks: ["reviews-v2"], backend: "reviews-v2", port: 9080, want: "reviews-bob:9080" },
    { name: "a fork of v3 (0% in the base) takes v1's and v2's share", forks: ["reviews-v3"], backend: "reviews-v1", port: 9080, want: "reviews-bob:9080" },
    { name: "another application stays", forks: ["reviews-v2"], backend: "ratings", port: 9080, want: undefined },
    { name: "no port given, the backend's only port: the copy's port serving the same target", forks: ["reviews-v2"], backend: "reviews-v1", want: "reviews-bob:9080" },
    {
      name: "a wider Service without the backend's target port is no target; the backend's own copy is",
      extra: [svc("reviews-admin", { app: "reviews", version: "v2" }, "[{name: http, port: 80, targetPort: 9443}]")],
      forks: ["reviews-v2"],
      backend: "reviews-admin",
      port: 80,
      want: "reviews-admin-bob:80",
    },
    {
      name: "the target port by name: the wider Service's port that serves it",
      extra: [svc("reviews-web", { app: "reviews", version: "v1", tier: "web" }, "[{name: web, port: 80, targetPort: http}]"), svc("reviews-named", { app: "reviews" }, "[{name: api, port: 8080, targetPort: http}]")],
      forks: ["reviews-v1"],
      backend: "reviews-web",
      port: 80,
      want: "reviews-named-bob:8080",
    },
    {
      name: "the same labels in another namespace are another application",
      extra: [svc("reviews", { app: "reviews", version: "v1" }, P9080, "other")],
      forks: ["reviews-v1"],
      backend: "reviews.other",
      port: 9080,
      want: undefined,
    },
    {
      name: "as wide as the backend (Argo Rollouts' stable and canary Services): the backend itself",
      extra: [svc("reviews-stable", { app: "reviews" }, P9080), svc("reviews-canary", { app: "reviews" }, P9080)],
      forks: ["reviews-v1"],
      backend: "reviews-stable",
      port: 9080,
      want: "reviews-stable-bob:9080",
    },
  ])("$name", ({ extra, forks, backend, port, want }) => {
    const { ctx, fp } = ctxFor(extra ?? [], forks);
    const [name, ns] = backend.split(".");
    const t = forkTarget(ctx.index, fp, FQDN(name!, ns), port);
    expect(t ? `${t.service.copyName}${t.port !== undefined ? `:${t.port}` : ""}` : undefined).toBe(want);
  });
});

describe("pinningForks: the forks forkTarget is defined for, from an index", () => {
  it("agrees with forkTarget for every Service, port and fork", () => {
    const extra = [svc("reviews-admin", { app: "reviews", version: "v2" }, "[{name: http, port: 80, targetPort: 9443}]"), svc("reviews", { app: "reviews" }, P9080, "other")];
    const { ctx, problems } = context({
      base: [...BASE, ...extra].join("---\n"),
      forks: { bob: fork("bob", "    - name: reviews-v2\n"), erin: fork("erin", "    - name: reviews-v3\n"), alice: fork("alice", "    - name: ratings-v1\n") },
    });
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
    const pinning = pinningForks(ctx.index, ctx.plan.forks);
    let pinned = 0;
    for (const m of ctx.index.ofKind("Service"))
      for (const port of [undefined, 80, 9080]) {
        const fqdn = FQDN(m.object.metadata.name, ctx.index.nsOf(m.object));
        const want = ctx.plan.forks.filter((fp) => forkTarget(ctx.index, fp, fqdn, port)).map((fp) => fp.id);
        expect(pinning(fqdn, port).map((fp) => fp.id), `${fqdn}:${port}`).toEqual(want);
        pinned += want.length;
      }
    expect(pinned).toBeGreaterThan(10);
  });
});

describe("swapBackends: versions collapse into one backendRef, other applications stay", () => {
  const { ctx, fp } = ctxFor([], ["reviews-v2"]);
  it.each<{ name: string; refs: Record<string, unknown>[]; want: Record<string, unknown>[] }>([
    { name: "bookinfo's 90/10: one backendRef, no weight", refs: [{ name: "reviews-v1", port: 9080, weight: 90 }, { name: "reviews-v2", port: 9080, weight: 10 }], want: [{ name: "reviews-bob", port: 9080 }] },
    { name: "a 0% version too", refs: [{ name: "reviews-v1", port: 9080, weight: 100 }, { name: "reviews-v3", port: 9080, weight: 0 }], want: [{ name: "reviews-bob", port: 9080 }] },
    {
      name: "another application keeps its share; the versions' weights add up (unset is 1)",
      refs: [{ name: "reviews-v1", port: 9080 }, { name: "reviews-v3", port: 9080, weight: 2 }, { name: "ratings", port: 9080, weight: 3 }],
      want: [{ name: "reviews-bob", port: 9080, weight: 3 }, { name: "ratings", port: 9080, weight: 3 }],
    },
    {
      name: "backends with different filters stay apart",
      refs: [{ name: "reviews-v1", port: 9080, filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "v", value: "1" }] } }] }, { name: "reviews-v2", port: 9080 }],
      want: [{ name: "reviews-bob", port: 9080, filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "v", value: "1" }] } }] }, { name: "reviews-bob", port: 9080 }],
    },
    { name: "a lone backend keeps what it had", refs: [{ name: "reviews-v1", port: 9080, weight: 5 }], want: [{ name: "reviews-bob", port: 9080, weight: 5 }] },
    {
      name: "a sum over the CRD's maximum weight (1,000,000) scales the rule's weights in proportion",
      refs: [{ name: "reviews-v1", port: 9080, weight: 1_000_000 }, { name: "reviews-v2", port: 9080, weight: 1_000_000 }, { name: "ratings", port: 9080, weight: 1_000_000 }, { name: "details", port: 9080, weight: 0 }],
      want: [{ name: "reviews-bob", port: 9080, weight: 1_000_000 }, { name: "ratings", port: 9080, weight: 500_000 }, { name: "details", port: 9080, weight: 0 }],
    },
  ])("$name", ({ refs, want }) => expect(swapBackends(refs, "shop", fp, ctx.index)).toEqual(want));

  it("Istio's destination swap pins the same way: subset dropped, version Service to the widest copy", () => {
    expect(swapDestination({ destination: { host: "reviews-v1", subset: "v1", port: { number: 9080 } }, weight: 90 }, fp, "shop", ctx.index)).toEqual({
      destination: { host: FQDN("reviews-bob"), port: { number: 9080 } },
      weight: 90,
    });
    // No port named and the copy has one: none is added (Istio needs it only for several).
    expect(swapDestination({ destination: { host: "reviews-v3" } }, fp, "shop", ctx.index)).toEqual({ destination: { host: FQDN("reviews-bob") } });
    expect(swapDestination({ destination: { host: "ratings" } }, fp, "shop", ctx.index)).toEqual({ destination: { host: "ratings" } });
  });

  it("a grant that names the version Service does not cover the fork's copy: ungranted, naming both", () => {
    const grant = "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: web, namespace: shop}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: web}]\n  to: [{group: '', kind: Service, name: reviews-v1}]\n";
    const { ctx: c, fp: f } = ctxFor([grant], ["reviews-v2"]);
    expect(ungrantedCopies([{ name: "reviews-v1", namespace: "shop", port: 9080 }], "web", f, c.index)).toEqual([{ what: "shop/reviews-bob (for shop/reviews-v1)", at: 0 }]);
  });
});

describe("both flavours pin reviews the same way (SPEC invariant 4), and trace agrees", () => {
  // The same split on version Services: a mesh VirtualService (istio) or an HTTPRoute on reviews (GAMMA).
  const vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: shop}\nspec:\n  hosts: [reviews]\n  http:\n    - match: [{headers: {end-user: {exact: jason}}}]\n      route: [{destination: {host: reviews-v2}}]\n    - route:\n        - {destination: {host: reviews-v1}, weight: 90}\n        - {destination: {host: reviews-v2}, weight: 10}\n";
  const route =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: reviews, namespace: shop}\nspec:\n  parentRefs: [{group: '', kind: Service, name: reviews, port: 9080}]\n  rules:\n    - matches: [{headers: [{name: end-user, value: jason}]}]\n      backendRefs: [{name: reviews-v2, port: 9080}]\n    - backendRefs:\n        - {name: reviews-v1, port: 9080, weight: 90}\n        - {name: reviews-v2, port: 9080, weight: 10}\n";
  const render = (flavour: RoutingFlavour) =>
    renderFiles({
      "kubefork.yaml": "apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: t}\n",
      "base/all.yaml": [...BASE, flavour === "istio" ? vs : route].join("---\n"),
      "forks/bob.yaml": fork("bob", "    - name: reviews-v2\n"),
      "forks/erin.yaml": fork("erin", "    - name: reviews-v3\n"),
    });
  const renders = { istio: render("istio"), "gateway-api": render("gateway-api") };
  const reached = (flavour: RoutingFlavour, headers: Record<string, string>) => {
    const t = trace(renders[flavour].result?.objects ?? [], { host: "reviews", port: 9080, headers, from: { mesh: { namespace: "shop" } } });
    return { got: t.hops[0]?.destinations.flatMap((d) => d.workloads.map((w) => `${w.name} ${d.percent}%`)), text: formatTrace(t) };
  };

  it.each<RoutingFlavour>(["istio", "gateway-api"])("%s renders", (f) => expect(renders[f].problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([]));
  it.each<{ name: string; headers: Record<string, string>; want: string[] }>([
    { name: "no header: the base split", headers: {}, want: ["reviews-v1 90%", "reviews-v2 10%"] },
    { name: "jason, no fork: the base header rule", headers: { "end-user": "jason" }, want: ["reviews-v2 100%"] },
    { name: "bob (v2, the 10% backend)", headers: { "x-fork-identifier": "bob" }, want: ["reviews-v2-bob 100%"] },
    { name: "bob as jason: the header rule pinned too", headers: { "x-fork-identifier": "bob", "end-user": "jason" }, want: ["reviews-v2-bob 100%"] },
    { name: "erin (v3, no weight in the base)", headers: { "x-fork-identifier": "erin" }, want: ["reviews-v3-erin 100%"] },
    { name: "erin as jason", headers: { "x-fork-identifier": "erin", "end-user": "jason" }, want: ["reviews-v3-erin 100%"] },
    { name: "an unknown fork: the base", headers: { "x-fork-identifier": "zed" }, want: ["reviews-v1 90%", "reviews-v2 10%"] },
  ])("$name", ({ headers, want }) => {
    for (const f of ["istio", "gateway-api"] as const) {
      const r = reached(f, headers);
      expect(r.got, `${f}\n${r.text}`).toEqual(want);
    }
  });
});
