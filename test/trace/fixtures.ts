import { parseAllDocuments } from "yaml";

/** Parse a multi-document YAML string into plain objects. */
export function load(src: string): unknown[] {
  return parseAllDocuments(src)
    .map((d) => d.toJS() as unknown)
    .filter((o) => o !== null && o !== undefined);
}

export function deployment(ns: string, name: string, labels: Record<string, string>, kind = "Deployment"): string {
  return `
apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: ${JSON.stringify(labels)}}
  template:
    metadata: {labels: ${JSON.stringify(labels)}}
    spec: {containers: [{name: app, image: x}]}
---`;
}

export function service(ns: string, name: string, selector: Record<string, string>, port = 9080): string {
  return `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: ${JSON.stringify(selector)}
  ports: [{name: http, port: ${port}}]
---`;
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
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookshop}
spec:
  hosts: [reviews.bookshop.svc.cluster.local]
  http:
    - name: reviews-alice
      match:
        - headers: {x-fork-identifier: {exact: alice}}
        - headers: {baggage: {regex: '^(.*[,\\s])?kubefork\\s*=\\s*alice(\\s*[;,].*)?\\s*$'}}
      route:
        - destination: {host: reviews-alice.bookshop.svc.cluster.local, port: {number: 9080}}
    - name: reviews
      route:
        - {destination: {host: reviews.bookshop.svc.cluster.local, subset: v1}, weight: 80}
        - {destination: {host: reviews.bookshop.svc.cluster.local, subset: v2}, weight: 20}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage, namespace: bookshop}
spec:
  hosts: [productpage.bookshop.svc.cluster.local]
  http:
    - name: productpage-alice
      match: [{headers: {x-fork-identifier: {exact: alice}}}]
      route: [{destination: {host: productpage-alice.bookshop.svc.cluster.local}}]
    - name: productpage
      route: [{destination: {host: productpage.bookshop.svc.cluster.local}}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bookshop-gateway, namespace: bookshop}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 80, name: http, protocol: HTTP}
      hosts: [bookshop.example.com, "*.bookshop.example.com"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage-gw, namespace: bookshop}
spec:
  hosts: [bookshop.example.com]
  gateways: [bookshop-gateway]
  http:
    - name: productpage
      match: [{uri: {prefix: /}}]
      route: [{destination: {host: productpage.bookshop.svc.cluster.local, port: {number: 9080}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage-alice-gw, namespace: bookshop}
spec:
  hosts: [alice.bookshop.example.com]
  gateways: [bookshop/bookshop-gateway]
  http:
    - name: productpage
      match: [{uri: {prefix: /}}]
      headers: {request: {set: {x-fork-identifier: alice}}}
      route: [{destination: {host: productpage-alice.bookshop.svc.cluster.local, port: {number: 9080}}}]
`;
