import { describe, expect, it } from "vitest";
import { generateServices } from "../../src/generate/service.ts";
import { context, deployment, fork, service } from "../helpers/inprocess.ts";

const reviews = ["v1", "v2", "v3"].map((v) => deployment(`reviews-${v}`, { app: "reviews", version: v })).join("---\n");

function services(base: string, workloads: string) {
  const { ctx, problems } = context({ base, forks: { bob: fork("bob", workloads) } });
  expect(problems).toEqual([]);
  return generateServices(ctx).objects.map((o) => o.object as any);
}

describe("Service copy", () => {
  it("a Service over three versions, only v2 forked: the copy selects only v2's fork pods", () => {
    const [s, ...rest] = services(`${reviews}---\n${service("reviews", { app: "reviews" })}`, "    - name: reviews-v2\n");
    expect(rest).toEqual([]);
    expect(s.metadata.name).toBe("reviews-bob");
    expect(s.spec).toEqual({ type: "ClusterIP", selector: { "kubefork.dev/fork": "bob", "svc.kubefork.dev/reviews": "true" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] });
  });

  it("two forked versions of one Service share one copy", () => {
    const out = services(`${reviews}---\n${service("reviews", { app: "reviews" })}`, "    - name: reviews-v1\n    - name: reviews-v2\n");
    expect(out.map((s) => s.metadata.name)).toEqual(["reviews-bob"]);
  });

  it("a Service selecting by version copies only for the version it selects", () => {
    const base = `${reviews}---\n${service("reviews", { app: "reviews" })}---\n${service("reviews-v2", { app: "reviews", version: "v2" })}---\n${service("reviews-v3", { app: "reviews", version: "v3" })}`;
    expect(services(base, "    - name: reviews-v2\n").map((s) => s.metadata.name)).toEqual(["reviews-bob", "reviews-v2-bob"]);
  });

  it("NodePort and LoadBalancer become ClusterIP: node ports, IPs and load-balancer fields dropped; session affinity kept", () => {
    const extra = "  type: LoadBalancer\n  clusterIP: 10.0.0.1\n  externalTrafficPolicy: Local\n  loadBalancerIP: 1.2.3.4\n  sessionAffinity: ClientIP\n";
    const base = `${deployment("web", { app: "web" })}---\n${service("web", { app: "web" }, "shop", extra).replace("targetPort: 8080}", "targetPort: 8080, nodePort: 30080}")}`;
    const [s] = services(base, "    - name: web\n");
    expect(s.spec).toEqual({ type: "ClusterIP", selector: { "kubefork.dev/fork": "bob", "svc.kubefork.dev/web": "true" }, ports: [{ name: "http", port: 80, targetPort: 8080 }], sessionAffinity: "ClientIP" });
  });

  it("a headless Service stays headless", () => {
    const [s] = services(`${deployment("db", { app: "db" })}---\n${service("db", { app: "db" }, "shop", "  clusterIP: None\n")}`, "    - name: db\n");
    expect(s.spec.clusterIP).toBe("None");
  });

  it("Services in other namespaces, and Services without a selector, are not copied", () => {
    const base = `${deployment("web", { app: "web" })}---\n${service("web", { app: "web" }, "other")}---\napiVersion: v1\nkind: Service\nmetadata: {name: ext, namespace: shop}\nspec: {type: ExternalName, externalName: example.com}\n`;
    expect(services(base, "    - name: web\n")).toEqual([]);
  });
});
