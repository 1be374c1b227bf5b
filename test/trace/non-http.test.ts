// trace on a hop whose Service port Istio does not route as HTTP (src/model/protocol.ts): no HTTP
// route applies there (VirtualService http, HTTPRoute), the request reaches every endpoint of the
// Service, and the hop says that header routing cannot reach a fork through it.
import { describe, expect, it } from "vitest";
import { formatTrace, trace, type TraceRequest } from "../../src/trace/index.ts";
import { deployment, load } from "../helpers/trace.ts";

const svc = (name: string, ports: string) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {app: ${name}}
  ports: ${ports}
---`;
// A fork's copy and a route that would send bob's header to it, as an HTTP render would have made.
const forkRoutes = (name: string) => `
${deployment("shop", `${name}-bob`, { app: `${name}-bob` })}
${svc(`${name}-bob`, "[{name: redis, port: 6379}]")}
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: shop}
spec:
  hosts: [${name}]
  http:
    - match: [{headers: {x-fork-identifier: {exact: bob}}}]
      route: [{destination: {host: ${name}-bob}}]
    - route: [{destination: {host: ${name}}}]
---`;

const OBJECTS = load(`
${deployment("shop", "redis-cart", { app: "redis-cart" })}
${svc("redis-cart", "[{name: redis, port: 6379}]")}
${forkRoutes("redis-cart")}
${deployment("shop", "cache", { app: "cache" })}
${svc("cache", "[{name: tcp-cache, port: 11211}, {name: http-admin, port: 8080}]")}
${forkRoutes("cache")}
${deployment("shop", "db", { app: "db" })}
${svc("db", "[{name: db, port: 3306}]")}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: db, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: db}]
  rules:
    - matches: [{headers: [{name: x-fork-identifier, value: bob}]}]
      backendRefs: [{name: cache, port: 8080}]
    - backendRefs: [{name: db, port: 3306}]
`);

const mesh: TraceRequest["from"] = { mesh: { namespace: "shop" } };
const bob = { "x-fork-identifier": "bob" };

describe("a hop on a port that is not HTTP", () => {
  it.each<{ name: string; req: TraceRequest; want: string[]; outcome: string; note: string | undefined }>([
    {
      name: "Redis by port name: the VirtualService's http routes do not apply, bob reaches the baseline",
      req: { host: "redis-cart", from: mesh, headers: bob },
      want: ["redis-cart"],
      outcome: "service-default",
      note: "header routing cannot reach a fork here: Service shop/redis-cart port 6379 (redis) is not HTTP, so its clients reach the baseline whatever header they send (call the fork's Service copy by name instead)",
    },
    {
      name: "MySQL's well-known port 3306 with an unknown port name: the HTTPRoute does not apply",
      req: { host: "db", from: mesh, headers: bob },
      want: ["db"],
      outcome: "service-default",
      note: "header routing cannot reach a fork here: Service shop/db port 3306 (db) is not HTTP, so its clients reach the baseline whatever header they send (call the fork's Service copy by name instead)",
    },
    { name: "the TCP port of a two-port Service", req: { host: "cache", port: 11211, from: mesh, headers: bob }, want: ["cache"], outcome: "service-default", note: "header routing cannot reach a fork here: Service shop/cache port 11211 (tcp-cache) is not HTTP, so its clients reach the baseline whatever header they send (call the fork's Service copy by name instead)" },
    { name: "its HTTP port is routed by header", req: { host: "cache", port: 8080, from: mesh, headers: bob }, want: ["cache-bob"], outcome: "routed", note: undefined },
    { name: "no port given and one of them HTTP: the routes apply", req: { host: "cache", from: mesh, headers: bob }, want: ["cache-bob"], outcome: "routed", note: undefined },
  ])("$name", ({ req, want, outcome, note }) => {
    const t = trace(OBJECTS, req);
    const hop = t.hops[0]!;
    expect({ to: hop.destinations.flatMap((d) => d.workloads.map((w) => w.name)), outcome: hop.outcome, note: hop.notes[0] }, formatTrace(t)).toEqual({ to: want, outcome, note });
    if (note) expect(formatTrace(t)).toContain(`note: ${note}`);
  });

  it("the reason names the port and its protocol", () => {
    const hop = trace(OBJECTS, { host: "redis-cart", from: mesh }).hops[0]!;
    expect(hop.reason).toBe("not HTTP: port 6379 (redis) is Redis by Istio's protocol selection, so no HTTP route applies (VirtualService http, HTTPRoute); every endpoint of the Service");
  });
});
