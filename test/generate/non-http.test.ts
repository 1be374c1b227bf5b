// Istio's protocol selection (istio/istio 86c9f01f, pkg/config/kube/conversion.go ConvertProtocol)
// and what render does with a forked Service whose ports are not HTTP: no HTTP routes, a warning.
import { describe, expect, it } from "vitest";
import { carriesHttp, portProtocol } from "../../src/model/protocol.ts";
import { manager, renderFiles, workload } from "../helpers/inprocess.ts";

describe("portProtocol", () => {
  it.each([
    { port: { name: "http", port: 80 }, want: "HTTP", http: true },
    { port: { name: "http-web", port: 8080 }, want: "HTTP", http: true },
    { port: { name: "grpc-web-ui", port: 8080 }, want: "GRPC-Web", http: true },
    { port: { name: "grpc", port: 9555 }, want: "GRPC", http: true },
    { port: { name: "redis", port: 6379 }, want: "Redis", http: false },
    { port: { name: "tcp-redis", port: 6379 }, want: "TCP", http: false },
    { port: { name: "mongo-db", port: 27017 }, want: "Mongo", http: false },
    { port: { name: "MySQL", port: 3306 }, want: "MySQL", http: false },
    { port: { name: "https", port: 443 }, want: "HTTPS", http: false },
    { port: { name: "tls-x", port: 443 }, want: "TLS", http: false },
    { port: { name: "web", port: 80 }, want: "Unsupported", http: true },
    { port: { port: 9080 }, want: "Unsupported", http: true },
    { port: { port: 3306 }, want: "TCP", http: false },
    { port: { name: "db", port: 27017 }, want: "TCP", http: false },
    { port: { name: "http", port: 53, protocol: "UDP" }, want: "UDP", http: false },
    { port: { name: "redis", port: 6379, appProtocol: "http" }, want: "HTTP", http: true },
    { port: { name: "http", port: 80, appProtocol: "tcp" }, want: "TCP", http: false },
    { port: { name: "x", port: 80, appProtocol: "kubernetes.io/h2c" }, want: "HTTP2", http: true },
    { port: { name: "x", port: 80, appProtocol: "kubernetes.io/wss" }, want: "HTTPS", http: false },
  ])("$port → $want", ({ port, want, http }) => {
    expect(portProtocol(port)).toBe(want);
    expect(carriesHttp(port)).toBe(http);
  });
});

const base = `apiVersion: v1
kind: Service
metadata: {name: redis, namespace: shop}
spec:
  selector: {app: redis}
  ports: [{name: redis, port: 6379}]
---
${workload("redis", "{containers: [{name: redis, image: redis:7}]}")}`;
const fork = `apiVersion: kubefork.dev/v1alpha1
kind: Fork
metadata: {name: alice}
spec:
  workloads: [{name: redis, namespace: shop}]
`;

describe("a forked TCP Service (Redis, port name redis)", () => {
  it.each(["istio", "gateway-api"])("routing: %s: no HTTP route, a warning naming the Service", (routing) => {
    const r = renderFiles({ "kubefork.yaml": manager(`  routing: ${routing}\n`, "shop"), "base/redis.yaml": base, "forks/alice.yaml": fork });
    expect(r.ok).toBe(true);
    const kinds = r.result!.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toContain("Service/redis-alice");
    expect(kinds.filter((k) => k.startsWith("VirtualService/") || k.startsWith("HTTPRoute/"))).toEqual([]);
    const w = r.problems.filter((p) => p.severity === "warning" && p.message.includes("header routing cannot reach"));
    expect(w).toHaveLength(1);
    expect(w[0]!.object).toBe("Service shop/redis");
    expect([w[0]!.code, w[0]!.ref]).toEqual(["KF5017", { apiVersion: "v1", kind: "Service", namespace: "shop", name: "redis", file: "base/redis.yaml", index: w[0]!.ref!.index, line: w[0]!.line }]);
    expect(w[0]!.message).toContain("6379 (redis) is Redis");
  });
});
