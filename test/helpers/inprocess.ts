// The pure pipeline in-process, from a map of file path → text: what the CLI does, minus the disk.
import { baseFileFilter, isForkFile, loadBase, loadForks, loadManager, MANAGER_FILE } from "../../src/load/app.ts";
import { emit, type OutputFormat } from "../../src/emit/emit.ts";
import { render, type RenderResult, type Scope } from "../../src/render.ts";
import { hasErrors, type Problem } from "../../src/problems.ts";

export interface InProcessResult {
  ok: boolean;
  text: string;
  problems: Problem[];
  result?: RenderResult;
}

export function renderFiles(
  files: Record<string, string>,
  opts: { now?: string; scope?: Scope; format?: OutputFormat; forkOrder?: (paths: string[]) => string[] } = {},
): InProcessResult {
  const m = loadManager(files[MANAGER_FILE] !== undefined ? { path: MANAGER_FILE, text: files[MANAGER_FILE]! } : undefined);
  if (!m.manager) return { ok: false, text: "", problems: m.problems };
  const paths = Object.keys(files).sort();
  const forksDir = m.manager.manager.spec.forksDir;
  const isBase = baseFileFilter(m.manager.manager);
  let forkPaths = paths.filter((p) => p.startsWith(`${forksDir}/`) && !p.slice(forksDir.length + 1).includes("/") && isForkFile(p));
  if (opts.forkOrder) forkPaths = opts.forkOrder(forkPaths);
  const base = loadBase(paths.filter(isBase).map((p) => ({ path: p, text: files[p]! })));
  if (hasErrors(base.problems)) return { ok: false, text: "", problems: base.problems };
  const forks = loadForks(forkPaths.map((p) => ({ path: p, text: files[p]! })));
  const result = render(
    { manager: m.manager, base: base.manifests, forks: forks.forks, forkProblems: forks.problems, forkFiles: forkPaths },
    { now: Date.parse(opts.now ?? "2026-11-23T12:00:00Z"), scope: opts.scope ?? { kind: "all" }, defaultNamespace: "default" },
  );
  const problems = [...base.problems, ...result.problems];
  if (hasErrors(problems)) return { ok: false, text: "", problems, result };
  return { ok: true, text: emit(result.objects, opts.format ?? "yaml"), problems, result };
}
