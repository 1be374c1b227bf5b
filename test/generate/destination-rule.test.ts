import { describe, expect, it } from "vitest";
import { generateDestinationRules } from "../../src/generate/destination-rule.ts";
import { context, deployment, fork, service } from "../helpers/inprocess.ts";

const dr = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  exportTo: ["."]
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}, outlierDetection: {consecutive5xxErrors: 5}}
  subsets:
    - {name: v1, labels: {version: v1}, trafficPolicy: {tls: {mode: DISABLE}}}
`;

describe("DestinationRule copy", () => {
  it("copies the traffic policy for the fork host, without subsets", () => {
    const base = [deployment("reviews-v1", { app: "reviews", version: "v1" }), service("reviews", { app: "reviews" }), dr].join("---\n");
    const { ctx } = context({ base, forks: { bob: fork("bob", "    - name: reviews-v1\n") } });
    const r = generateDestinationRules(ctx);
    expect(r.problems).toEqual([]);
    expect(r.objects.map((o) => [o.fork, (o.object as any).metadata.name, (o.object as any).spec])).toEqual([
      ["bob", "reviews-bob", { host: "reviews-bob.shop.svc.cluster.local", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" }, outlierDetection: { consecutive5xxErrors: 5 } }, exportTo: ["."] }],
    ]);
  });

  it("no DestinationRule for the host: nothing", () => {
    const base = [deployment("ratings", { app: "ratings" }), service("ratings", { app: "ratings" }), dr].join("---\n");
    const { ctx } = context({ base, forks: { bob: fork("bob", "    - name: ratings\n") } });
    expect(generateDestinationRules(ctx).objects).toEqual([]);
  });
});
