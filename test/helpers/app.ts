// Renders an app directory given as in-memory files, in process (no bundle, no file system):
// `kubefork.yaml`, base files, and `forks/<id>.yaml`.
import { loadBase, loadForks, loadManager } from "../../src/load/app.ts";
import type { KObject } from "../../src/model/k8s.ts";
import type { Problem } from "../../src/problems.ts";
import { render, type RenderResult, type Scope } from "../../src/render.ts";

export const MANAGER = `apiVersion: kubefork.dev/v1alpha1
kind: ForkManager
metadata: {name: test}
spec: {}
`;

export interface AppFiles {
  manager?: string;
  /** path → text */
  base: Record<string, string>;
  /** identifier → text of forks/<id>.yaml */
  forks?: Record<string, string>;
}

export function renderApp(app: AppFiles, opts: { now?: string; scope?: Scope; defaultNamespace?: string } = {}): RenderResult & { loadProblems: Problem[] } {
  const m = loadManager({ path: "kubefork.yaml", text: app.manager ?? MANAGER });
  if (!m.manager) throw new Error(`kubefork.yaml: ${m.problems.map((p) => p.message).join("; ")}`);
  const base = loadBase(Object.entries(app.base).map(([path, text]) => ({ path, text })));
  const forks = loadForks(Object.entries(app.forks ?? {}).map(([id, text]) => ({ path: `forks/${id}.yaml`, text })));
  const r = render(
    { manager: m.manager, base: base.manifests, forks: forks.forks, forkProblems: forks.problems },
    { now: Date.parse(opts.now ?? "2026-11-23T12:00:00Z"), scope: opts.scope ?? { kind: "all" }, defaultNamespace: opts.defaultNamespace ?? "default" },
  );
  return { ...r, loadProblems: [...base.problems, ...forks.problems] };
}

/** A fork file forking these workloads (`name` or `Kind/name`). */
export function fork(id: string, ...workloads: string[]): string {
  const entries = workloads.map((w) => {
    const [kind, name] = w.includes("/") ? w.split("/") : ["Deployment", w];
    return `    - {name: ${name}, kind: ${kind}}`;
  });
  return `apiVersion: kubefork.dev/v1alpha1
kind: Fork
metadata: {name: ${id}}
spec:
  workloads:
${entries.join("\n")}
`;
}

export function generated(r: RenderResult, kind?: string): KObject[] {
  return r.output.filter((o) => o.object.metadata.labels?.["app.kubernetes.io/managed-by"] === "kubefork" && (kind === undefined || o.object.kind === kind)).map((o) => o.object);
}
