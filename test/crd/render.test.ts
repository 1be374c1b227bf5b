// kubefork's output on bases that used to give objects the API server rejects (issue 14): rendered
// in process and checked against the official CRDs (test/crd/) with their CEL rules.
import { describe, expect, it } from "vitest";
import { deployment, errorsOf, renderFiles, service } from "../helpers/inprocess.ts";
import { validateObjects } from "../helpers/schemas.ts";
import type { KObject } from "../../src/model/k8s.ts";

const MANAGER = (extra = "") => `apiVersion: kubefork.dev/v1alpha1
kind: ForkManager
metadata: {name: shop}
spec:
  routing: gateway-api
  baggage: kubefork
${extra}`;
const APP = `${deployment("api", { app: "api" })}---\n${service("api", { app: "api" })}`;
const FORK = (id: string) => `apiVersion: kubefork.dev/v1alpha1
kind: Fork
metadata: {name: ${id}}
spec:
  workloads: [{name: api, namespace: shop, image: registry.example.com/api:${id}}]
`;
const route = (rules: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: api, port: 80}]
  rules:
${rules}`;

function render(base: string, forks: string[], manager = MANAGER()) {
  const files: Record<string, string> = { "kubefork.yaml": manager, "base/app.yaml": base };
  for (const id of forks) files[`forks/${id}.yaml`] = FORK(id);
  const r = renderFiles(files);
  expect(errorsOf(r)).toEqual([]);
  return r.objects as Record<string, unknown>[];
}

describe("rendered objects pass the CRDs' CEL rules", () => {
  it("a URLRewrite ReplacePrefixMatch rule with baggage: one PathPrefix match per rule", () => {
    const base = APP + route(`    - matches: [{path: {type: PathPrefix, value: /v1}}]
      filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
      backendRefs: [{name: api, port: 80}]
    - backendRefs: [{name: api, port: 80}]
`);
    const objects = render(base, ["alice"]);
    const copy = objects.find((o) => o.kind === "HTTPRoute" && (o.metadata as { labels?: Record<string, string> }).labels?.["kubefork.dev/fork"] === "alice") as { spec: { rules: { matches?: unknown[] }[] } } | undefined;
    expect(copy?.spec.rules.length).toBeGreaterThan(2);
    expect(validateObjects(objects)).toEqual({ errors: [], unknown: [] });
  });

  it("40 path matches in a rule, header and baggage blocks for a fork: rules of at most 8 matches (the CRD's maxItems before v1.2, 64 since) and 128 per route", () => {
    const matches = Array.from({ length: 40 }, (_, i) => `{path: {type: PathPrefix, value: /p${i}}}`).join(", ");
    const base = APP + route(`    - matches: [${matches}]
      backendRefs: [{name: api, port: 80}]
`);
    const objects = render(base, ["alice"]);
    expect(validateObjects(objects)).toEqual({ errors: [], unknown: [] });
    // The fork rules (the base route keeps its 40). The CRD transcribed here is v1.2.1's (64 per rule); v1.0 and v1.1 allow 8 (config/crd/standard at v1.1.0, 690f7546).
    const rules = (objects as unknown as KObject[]).filter((o) => o.kind === "HTTPRoute" && o.metadata.labels?.["kubefork.dev/fork"]).flatMap((o) => (o.spec as { rules: { matches?: unknown[] }[] }).rules);
    expect(Math.max(...rules.map((r) => r.matches?.length ?? 0))).toBe(8);
  });
});
