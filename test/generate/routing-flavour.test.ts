// Routing follows the base host by host, through the whole render: a mixed stack like Online
// Boutique's (mesh VirtualServices, a Gateway API HTTPRoute on the ingress Gateway), under either
// spec.routing. Objects after the shapes of GoogleCloudPlatform/microservices-demo
// istio-manifests/frontend.yaml (a mesh VirtualService for frontend) and a Gateway API ingress.
import { describe, expect, it } from "vitest";
import type { RoutingFlavour } from "../../src/model/manager.ts";
import { formatProblem } from "../../src/problems.ts";
import { formatTrace, trace, type TraceRequest } from "../../src/trace/index.ts";
import { renderFiles, workload } from "../helpers/inprocess.ts";
import { NOW } from "../helpers/cli.ts";

const deployment = (name: string, app: string, port: number) =>
  workload(name, `      containers: [{name: server, image: "gcr.io/google-samples/microservices-demo/${app}:v0.10.3", ports: [{containerPort: ${port}}]}]\n`, { ns: "boutique", labels: { app } });
const svc = (name: string, port: number, target: number, portName: string) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: boutique}\nspec:\n  selector: {app: ${name}}\n  ports: [{name: ${portName}, port: ${port}, targetPort: ${target}}]\n`;

const BASE = [
  deployment("frontend", "frontend", 8080),
  svc("frontend", 80, 8080, "http"),
  deployment("productcatalogservice", "productcatalogservice", 3550),
  svc("productcatalogservice", 3550, 3550, "grpc"),
  deployment("cartservice", "cartservice", 7070),
  svc("cartservice", 7070, 7070, "grpc"),
  // istio-manifests/frontend.yaml: the mesh VirtualService of frontend.
  "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: frontend, namespace: boutique}\nspec:\n  hosts: [frontend.boutique.svc.cluster.local]\n  http:\n    - route: [{destination: {host: frontend, port: {number: 80}}}]\n",
  // The ingress on Gateway API.
  "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: boutique-gateway, namespace: boutique}\nspec:\n  gatewayClassName: istio\n  listeners: [{name: http, port: 80, protocol: HTTP, hostname: shop.example.com}]\n",
  "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: frontend, namespace: boutique}\nspec:\n  parentRefs: [{name: boutique-gateway}]\n  hostnames: [shop.example.com]\n  rules:\n    - backendRefs: [{name: frontend, port: 80}]\n",
].join("---\n");

function app(routing: RoutingFlavour, workloads: string[], extra = "") {
  const files: Record<string, string> = {
    "kubefork.yaml": `apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: boutique}\nspec: {routing: ${routing}}\n`,
    "base/all.yaml": BASE + extra,
    "forks/bob.yaml": `apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata: {name: bob}\nspec:\n  workloads:\n${workloads.map((w) => `    - {name: ${w}, image: registry.example.com/${w}:pr-1}\n`).join("")}`,
  };
  return renderFiles(files, { now: NOW });
}

const reached = (objects: readonly unknown[], req: TraceRequest) => {
  const t = trace(objects, req);
  return { to: t.hops[0]?.destinations.flatMap((d) => d.workloads.map((w) => w.name)), text: formatTrace(t) };
};
/** 1-based line of the first line of `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;
const gateway: TraceRequest["from"] = { gateway: { namespace: "boutique", name: "boutique-gateway", kind: "gateway-api" } };
const mesh: TraceRequest["from"] = { mesh: { namespace: "boutique" } };

describe.each<RoutingFlavour>(["istio", "gateway-api"])("mixed stack, spec.routing %s", (routing) => {
  const r = app(routing, ["frontend", "productcatalogservice"]);
  const objects = r.result?.objects ?? [];
  const made = (r.result?.output ?? []).filter((o) => o.object.metadata.labels?.["app.kubernetes.io/managed-by"] === "kubefork" && /VirtualService|HTTPRoute/.test(o.object.kind));

  it("renders", () => expect(r.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([]));

  it("frontend, which has a mesh VirtualService, is routed by extending it; no GAMMA route for it; the Gateway's HTTPRoute gets bob's copy", () => {
    const vs = r.result!.objects.find((o) => o.kind === "VirtualService" && o.metadata.name === "frontend")!;
    expect((vs.spec as { http: { name?: string }[] }).http.map((h) => h.name)).toEqual(["kubefork-bob-route-0", undefined]);
    expect(made.filter((o) => o.object.kind === "HTTPRoute" && JSON.stringify(o.object.spec).includes('"kind":"Service"')).map((o) => o.object.metadata.name).filter((n) => n.startsWith("frontend"))).toEqual([]);
    const copy = made.find((o) => o.object.metadata.name === "frontend-header-bob")!;
    expect(copy.fork).toBe("bob");
    expect(copy.object.spec).toEqual({
      parentRefs: [{ name: "boutique-gateway" }],
      hostnames: ["shop.example.com"],
      rules: [{ matches: [{ headers: [{ type: "Exact", name: "x-fork-identifier", value: "bob" }] }], backendRefs: [{ name: "frontend-bob", port: 80 }] }],
    });
  });

  it("productcatalogservice (neither in the base) follows spec.routing", () => {
    const names = made.map((o) => `${o.object.kind} ${o.object.metadata.name}`).filter((n) => n.includes("productcatalog")).sort();
    expect(names).toEqual(routing === "istio" ? ["VirtualService productcatalogservice-kubefork"] : ["HTTPRoute productcatalogservice-kubefork", "HTTPRoute productcatalogservice-kubefork-bob"]);
  });

  it.each<{ name: string; req: TraceRequest; want: string[] }>([
    { name: "the shared domain with bob's header reaches bob's frontend", req: { host: "shop.example.com", port: 80, from: gateway, headers: { "x-fork-identifier": "bob" } }, want: ["frontend-bob"] },
    { name: "the shared domain without it, the baseline", req: { host: "shop.example.com", port: 80, from: gateway }, want: ["frontend"] },
    { name: "an unknown fork, the baseline", req: { host: "shop.example.com", port: 80, from: gateway, headers: { "x-fork-identifier": "zed" } }, want: ["frontend"] },
    { name: "frontend in the mesh with bob's header", req: { host: "frontend", from: mesh, headers: { "x-fork-identifier": "bob" } }, want: ["frontend-bob"] },
    { name: "productcatalogservice in the mesh with bob's header", req: { host: "productcatalogservice", from: mesh, headers: { "x-fork-identifier": "bob" } }, want: ["productcatalogservice-bob"] },
    { name: "productcatalogservice in the mesh without it", req: { host: "productcatalogservice", from: mesh }, want: ["productcatalogservice"] },
  ])("$name", ({ req, want }) => {
    const got = reached(objects, req);
    expect(got.to, got.text).toEqual(want);
  });
});

describe("a host with both a mesh VirtualService and an HTTPRoute on its Service", () => {
  const gamma = "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: frontend-mesh, namespace: boutique}\nspec:\n  parentRefs: [{group: '', kind: Service, name: frontend, port: 80}]\n  rules: [{backendRefs: [{name: frontend, port: 80}]}]\n";
  it.each<RoutingFlavour>(["istio", "gateway-api"])("is an error naming both, whatever spec.routing (%s); stdout stays empty", (routing) => {
    const r = app(routing, ["frontend"], gamma);
    expect(r.ok).toBe(false);
    expect(r.text).toBe("");
    const text = BASE + gamma;
    const vsLine = lineOf(text, "kind: VirtualService\nmetadata: {name: frontend,") - 1;
    const routeLine = lineOf(text, "kind: HTTPRoute\nmetadata: {name: frontend-mesh,") - 1;
    expect(r.problems.filter((p) => p.severity === "error").map((p) => `${p.file}:${p.line} ${p.object}`)).toEqual([`base/all.yaml:${vsLine} VirtualService boutique/frontend`]);
    expect(r.problems.find((p) => p.severity === "error")!.message).toContain(`VirtualService boutique/frontend (base/all.yaml:${vsLine}) and by HTTPRoute boutique/frontend-mesh (base/all.yaml:${routeLine})`);
  });

  it("a fork that forks only other hosts renders", () => {
    const r = app("istio", ["cartservice"], gamma);
    expect(r.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([]);
  });
});
