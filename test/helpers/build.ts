// Builds plans in-process from small YAML snippets, for table tests of single generators.
import { loadBase, loadFork, loadManager } from "../../src/load/app.ts";
import type { GenContext } from "../../src/generate/types.ts";
import { buildIndex } from "../../src/plan/base-index.ts";
import { planForks } from "../../src/plan/plan.ts";
import { planRouting } from "../../src/plan/routing.ts";
import type { Problem } from "../../src/problems.ts";

export function context(opts: { base: string; forks?: Record<string, string>; manager?: string; now?: string }): { ctx: GenContext; problems: Problem[] } {
  const m = loadManager({ path: "kubefork.yaml", text: opts.manager ?? "apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: t}\n" });
  if (!m.manager) throw new Error(JSON.stringify(m.problems));
  const base = loadBase([{ path: "base/all.yaml", text: opts.base }]);
  if (base.problems.length) throw new Error(JSON.stringify(base.problems));
  const problems: Problem[] = [];
  const forks = Object.entries(opts.forks ?? {}).map(([id, text]) => {
    const r = loadFork({ path: `forks/${id}.yaml`, text });
    problems.push(...r.problems);
    return r.fork!;
  }).filter(Boolean);
  const index = buildIndex(base.manifests, { defaultNamespace: "default", clusterDomain: "cluster.local" });
  const planned = planForks(index, forks, { now: Date.parse(opts.now ?? "2026-11-23T12:00:00Z") });
  problems.push(...planned.problems);
  const routing = planRouting(index, planned.plan, m.manager.manager.spec.routing);
  problems.push(...routing.problems);
  return { ctx: { manager: m.manager.manager, index, plan: planned.plan, routing: routing.routing }, problems };
}

export const fork = (id: string, workloads: string, extra = "") =>
  `apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata:\n  name: ${id}\nspec:\n${extra}  workloads:\n${workloads}`;

export const deployment = (name: string, labels: Record<string, string>, opts: { ns?: string; containers?: string[]; selector?: Record<string, string> } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${opts.ns ?? "shop"}
spec:
  replicas: 3
  selector:
    matchLabels: ${JSON.stringify(opts.selector ?? labels)}
  template:
    metadata:
      labels: ${JSON.stringify(labels)}
    spec:
      containers:
${(opts.containers ?? ["app"]).map((c) => `        - name: ${c}\n          image: registry.example.com/${name}/${c}:1\n          env: [{name: A, value: "1"}, {name: B, value: "2"}]`).join("\n")}
`;

export const service = (name: string, selector: Record<string, string>, ns = "shop", extra = "") => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector: ${JSON.stringify(selector)}
  ports: [{name: http, port: 80, targetPort: 8080}]
${extra}`;
