// What kubefork trace finds on a request's path carries a stable code (KF7xxx, src/codes.ts), so
// that tools and tests match the code and not the wording. One case per code a scenario can give.
import { describe, expect, it } from "vitest";
import type { ProblemCode } from "../../src/codes.ts";
import { trace, type TraceRequest } from "../../src/trace/index.ts";
import { deployment, load, service } from "../helpers/trace.ts";

const from: TraceRequest["from"] = { mesh: { namespace: "t" } };
const echoWorkload = () => load(`${deployment("t", "echo", { app: "echo" })}${service("t", "echo", { app: "echo" }, 8080)}`);

/** The echo Deployment and Service, and one mesh VirtualService for echo with the given http routes. */
function vs(http: unknown[]): unknown[] {
  return [...echoWorkload(), { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", metadata: { name: "echo", namespace: "t" }, spec: { hosts: ["echo"], http } }];
}

/** The echo Deployment and Service, and one GAMMA HTTPRoute on the echo Service with the given rules. */
function gamma(rules: unknown[]): unknown[] {
  return [
    ...echoWorkload(),
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "echo", namespace: "t" }, spec: { parentRefs: [{ group: "", kind: "Service", name: "echo", port: 8080 }], rules } },
  ];
}

const echo = { destination: { host: "echo" } };

describe("trace problems carry their codes", () => {
  it.each<{ name: string; objects: unknown[]; req?: Partial<TraceRequest>; code: ProblemCode; severity: "error" | "warning" | "note" }>([
    { name: "a regex with lookahead", objects: vs([{ match: [{ headers: { x: { regex: "a(?=b)b" } } }], route: [echo] }, { route: [echo] }]), req: { headers: { x: "ab" } }, code: "KF7001", severity: "error" },
    { name: "a header match on a JWT claim", objects: vs([{ match: [{ headers: { "@request.auth.claims.sub": { exact: "a" } } }], route: [echo] }, { route: [echo] }]), code: "KF7003", severity: "warning" },
    { name: "a route with no destination", objects: vs([{ match: [{ uri: { prefix: "/" } }] }]), code: "KF7016", severity: "error" },
    { name: "several destinations, every weight 0", objects: vs([{ route: [{ ...echo, weight: 0 }, { ...echo, weight: 0 }] }]), code: "KF7017", severity: "error" },
    { name: "a destination host that is no Service", objects: vs([{ route: [{ destination: { host: "nope" } }] }]), code: "KF7018", severity: "error" },
    { name: "a destination port the Service does not have", objects: vs([{ route: [{ destination: { host: "echo", port: { number: 1 } } }] }]), code: "KF7019", severity: "warning" },
    { name: "a subset without a DestinationRule", objects: vs([{ route: [{ destination: { host: "echo", subset: "v1" } }] }]), code: "KF7020", severity: "error" },
    { name: "a host nothing serves", objects: echoWorkload(), req: { host: "nothing" }, code: "KF7013", severity: "warning" },
    { name: "an HTTPRoute rule without backendRefs", objects: gamma([{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }]), code: "KF7004", severity: "warning" },
    { name: "an HTTPRoute path match of an unknown type", objects: gamma([{ matches: [{ path: { type: "Glob", value: "/*" } }], backendRefs: [{ name: "echo", port: 8080 }] }]), code: "KF7002", severity: "error" },
    { name: "a backendRef of a kind trace cannot follow", objects: gamma([{ backendRefs: [{ group: "example.com", kind: "Bucket", name: "b" }] }]), code: "KF7006", severity: "error" },
    { name: "an unknown gateway", objects: [], req: { host: "x", from: { gateway: { namespace: "a", name: "b" } } }, code: "KF7011", severity: "error" },
    { name: "a request without a source", objects: [], req: { host: "x", from: undefined }, code: "KF6032", severity: "error" },
  ])("$name: $code", ({ objects, req, code, severity }) => {
    const r = trace(objects, { host: "echo", from, ...req } as TraceRequest);
    expect(r.problems.map((p) => [p.code, p.severity])).toContainEqual([code, severity]);
    for (const p of r.problems) expect(p.code, p.message).toMatch(/^KF\d{4}$/);
  });
});
