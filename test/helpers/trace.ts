// YAML streams for the trace tests (test/trace/): builders whose documents each end with `---`, so
// that they concatenate, and load() to parse the stream into the objects trace() reads.
import { parseAllDocuments } from "yaml";
import { svc, workload } from "./inprocess.ts";

/** Parse a multi-document YAML string into plain objects. */
export function load(src: string): unknown[] {
  return parseAllDocuments(src)
    .map((d) => d.toJS() as unknown)
    .filter((o) => o !== null && o !== undefined);
}

export function deployment(ns: string, name: string, labels: Record<string, string>, kind = "Deployment"): string {
  return `\n${workload(name, "{containers: [{name: app, image: x}]}", { kind, ns, labels })}---`;
}

export function service(ns: string, name: string, selector: Record<string, string>, port = 9080): string {
  return `\n${svc(name, `[{name: http, port: ${port}}]`, { ns, selector })}---`;
}

/** An Istio VirtualService: `http` is the lines of its routes (at four spaces), `gateways` its gateways line when it has one. */
export function virtualService(ns: string, name: string, host: string, http: string, gateways?: string): string {
  return `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: ${ns}}
spec:
  hosts: [${host}]
${gateways ? `  gateways: [${gateways}]\n` : ""}  http:
${http}---`;
}

/** Bookshop after rendering one fork "alice" of reviews-v1 and productpage-v1, routing: istio, ingress: istio. */
export const BOOKSHOP = `
${deployment("bookshop", "productpage-v1", { app: "productpage", version: "v1" })}
${deployment("bookshop", "productpage-v1-alice", { app: "productpage-alice", version: "v1" })}
${deployment("bookshop", "reviews-v1", { app: "reviews", version: "v1" })}
${deployment("bookshop", "reviews-v2", { app: "reviews", version: "v2" })}
${deployment("bookshop", "reviews-v1-alice", { app: "reviews-alice", version: "v1" })}
${deployment("bookshop", "ratings-v1", { app: "ratings", version: "v1" }, "StatefulSet")}
${service("bookshop", "productpage", { app: "productpage" })}
${service("bookshop", "productpage-alice", { app: "productpage-alice" })}
${service("bookshop", "reviews", { app: "reviews" })}
${service("bookshop", "reviews-alice", { app: "reviews-alice" })}
${service("bookshop", "ratings", { app: "ratings" })}
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookshop}
spec:
  host: reviews.bookshop.svc.cluster.local
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
---${virtualService(
  "bookshop",
  "reviews",
  "reviews.bookshop.svc.cluster.local",
  `    - name: reviews-alice
      match:
        - headers: {x-fork-identifier: {exact: alice}}
        - headers: {baggage: {regex: '^(.*[,\\s])?kubefork\\s*=\\s*alice(\\s*[;,].*)?\\s*$'}}
      route:
        - destination: {host: reviews-alice.bookshop.svc.cluster.local, port: {number: 9080}}
    - name: reviews
      route:
        - {destination: {host: reviews.bookshop.svc.cluster.local, subset: v1}, weight: 80}
        - {destination: {host: reviews.bookshop.svc.cluster.local, subset: v2}, weight: 20}
`,
)}${virtualService(
  "bookshop",
  "productpage",
  "productpage.bookshop.svc.cluster.local",
  `    - name: productpage-alice
      match: [{headers: {x-fork-identifier: {exact: alice}}}]
      route: [{destination: {host: productpage-alice.bookshop.svc.cluster.local}}]
    - name: productpage
      route: [{destination: {host: productpage.bookshop.svc.cluster.local}}]
`,
)}
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bookshop-gateway, namespace: bookshop}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 80, name: http, protocol: HTTP}
      hosts: [bookshop.example.com, "*.bookshop.example.com"]
---${virtualService(
  "bookshop",
  "productpage-gw",
  "bookshop.example.com",
  `    - name: productpage
      match: [{uri: {prefix: /}}]
      route: [{destination: {host: productpage.bookshop.svc.cluster.local, port: {number: 9080}}}]
`,
  "bookshop-gateway",
)}${virtualService(
  "bookshop",
  "productpage-alice-gw",
  "alice.bookshop.example.com",
  `    - name: productpage
      match: [{uri: {prefix: /}}]
      headers: {request: {set: {x-fork-identifier: alice}}}
      route: [{destination: {host: productpage-alice.bookshop.svc.cluster.local, port: {number: 9080}}}]
`,
  "bookshop/bookshop-gateway",
)}
`;
