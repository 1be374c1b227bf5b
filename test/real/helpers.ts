// Renders an app given as in-memory files: { "kubefork.yaml": ..., "base/x.yaml": ..., "forks/a.yaml": ... }.
import { loadBase, loadForks, loadManager } from "../../src/load/app.ts";
import { render, type RenderResult } from "../../src/render.ts";

export const MANAGER = `apiVersion: kubefork.dev/v1alpha1
kind: ForkManager
metadata:
  name: app
spec:
  identifierEnv: FORK_IDENTIFIER
  routing: istio
`;

export function renderFiles(files: Record<string, string>, now = "2026-11-23T12:00:00Z"): RenderResult {
  const m = loadManager({ path: "kubefork.yaml", text: files["kubefork.yaml"] ?? MANAGER });
  if (!m.manager) throw new Error(JSON.stringify(m.problems));
  const entries = Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1));
  const base = loadBase(entries.filter(([p]) => p.startsWith("base/")).map(([path, text]) => ({ path, text })));
  if (base.problems.length) throw new Error(JSON.stringify(base.problems));
  const forks = loadForks(entries.filter(([p]) => p.startsWith("forks/")).map(([path, text]) => ({ path, text })));
  return render(
    { manager: m.manager, base: base.manifests, forks: forks.forks, forkProblems: forks.problems },
    { now: Date.parse(now), scope: { kind: "all" }, defaultNamespace: "default" },
  );
}

/** The errors of a render as {file, line, message} (hint kept apart). */
export function errorsOf(r: RenderResult) {
  return r.problems.filter((p) => p.severity === "error").map((p) => ({ file: p.file, line: p.line, message: p.message }));
}
