// The one in-process test helper: an app directory given as path → text, loaded and rendered as
// the CLI does it, minus the disk and the process (src/cli/app-dir.ts reads the same files from a
// directory); the CLI's run() on a captured Io (runInProcess); a plan context for generator table
// tests; builders for small fork, manager and base files, and the labels of a fork's copies.
// Tests that run the bundled CLI as Argo CD does use ./cli.ts instead; the trace tests' YAML
// streams are in ./trace.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { emit, type OutputFormat } from "../../src/emit/emit.ts";
import type { GenContext } from "../../src/generate/types.ts";
import { baseFileFilter, isForkFile, loadBase, loadForks, loadManager, MANAGER_FILE } from "../../src/load/app.ts";
import type { KObject } from "../../src/model/k8s.ts";
import { buildIndex } from "../../src/plan/base-index.ts";
import { planForks } from "../../src/plan/plan.ts";
import { planRouting } from "../../src/plan/routing.ts";
import { hasErrors, type Problem } from "../../src/problems.ts";
import { render, type RenderInput, type RenderResult, type Scope } from "../../src/render.ts";
import type { Io } from "../../src/cli/io.ts";
import { NOW, ROOT, type CliResult } from "./cli.ts";

/** A ForkManager with every default: routing istio, forks/, FORK_IDENTIFIER. */
export const MANAGER = `apiVersion: kubefork.dev/v1alpha1
kind: ForkManager
metadata: {name: test}
spec: {}
`;

/** An app directory: path relative to it → text. `kubefork.yaml` is MANAGER when absent. */
export type Files = Record<string, string>;

export interface LoadOptions {
  /** Reorders the fork files before loading (the CLI sorts them). */
  forkOrder?: (paths: string[]) => string[];
}

/** The files as the CLI loads a directory: kubefork.yaml, the base files it selects, forksDir's fork files. */
export function loadFiles(files: Files, opts: LoadOptions = {}): { input?: RenderInput; problems: Problem[] } {
  const m = loadManager({ path: MANAGER_FILE, text: files[MANAGER_FILE] ?? MANAGER });
  if (!m.manager) return { problems: m.problems };
  const paths = Object.keys(files).sort();
  const forksDir = m.manager.manager.spec.forksDir;
  const isBase = baseFileFilter(m.manager.manager);
  let forkPaths = paths.filter((p) => p.startsWith(`${forksDir}/`) && !p.slice(forksDir.length + 1).includes("/") && isForkFile(p));
  if (opts.forkOrder) forkPaths = opts.forkOrder(forkPaths);
  const base = loadBase(paths.filter(isBase).map((p) => ({ path: p, text: files[p]! })));
  if (hasErrors(base.problems)) return { problems: base.problems };
  const forks = loadForks(forkPaths.map((p) => ({ path: p, text: files[p]! })));
  return { input: { manager: m.manager, base: base.manifests, forks: forks.forks, forkProblems: forks.problems, forkFiles: forkPaths }, problems: base.problems };
}

export interface RenderFilesOptions extends LoadOptions {
  now?: string;
  scope?: Scope;
  format?: OutputFormat;
  defaultNamespace?: string;
}

export interface InProcessResult {
  /** No error anywhere: what the CLI would print with exit 0. */
  ok: boolean;
  /** The printed output; empty unless ok. */
  text: string;
  /** Every problem: loading, then the render's (which include the fork files'). */
  problems: Problem[];
  /** The problems of loading the base and the fork files alone. */
  loadProblems: Problem[];
  /** The render, when the inputs loaded. */
  result?: RenderResult;
  /** The render's objects (empty when it failed or did not run). */
  objects: KObject[];
}

/** Loads and renders the files, failing closed as the CLI does. */
export function renderFiles(files: Files, opts: RenderFilesOptions = {}): InProcessResult {
  const loaded = loadFiles(files, opts);
  if (!loaded.input) return { ok: false, text: "", problems: loaded.problems, loadProblems: loaded.problems, objects: [] };
  const result = render(loaded.input, { now: Date.parse(opts.now ?? NOW), scope: opts.scope ?? { kind: "all" }, defaultNamespace: opts.defaultNamespace ?? "default" });
  const problems = [...loaded.problems, ...result.problems];
  const ok = !hasErrors(problems);
  const loadProblems = [...loaded.problems, ...(loaded.input.forkProblems ?? [])];
  return { ok, text: ok ? emit(result.objects, opts.format ?? "yaml") : "", problems, loadProblems, result, objects: result.objects };
}

/** An app directory in parts: base files by path, fork files by identifier. */
export interface AppFiles {
  manager?: string;
  /** path → text */
  base: Record<string, string>;
  /** identifier → text of forks/<id>.yaml */
  forks?: Record<string, string>;
}

export function filesOf(app: AppFiles): Files {
  const files: Files = { [MANAGER_FILE]: app.manager ?? MANAGER, ...app.base };
  for (const [id, text] of Object.entries(app.forks ?? {})) files[`forks/${id}.yaml`] = text;
  return files;
}

export function renderApp(app: AppFiles, opts: RenderFilesOptions = {}): InProcessResult {
  return renderFiles(filesOf(app), opts);
}

/** The objects kubefork made (labelled managed-by kubefork), of one kind when given. */
export function generated(r: InProcessResult, kind?: string): KObject[] {
  return (r.result?.output ?? []).filter((o) => o.object.metadata.labels?.["app.kubernetes.io/managed-by"] === "kubefork" && (kind === undefined || o.object.kind === kind)).map((o) => o.object);
}

/** The errors as {file, line, message} (hint kept apart). */
export function errorsOf(r: { problems: readonly Problem[] }): { file?: string; line?: number; message: string }[] {
  return r.problems.filter((p) => p.severity === "error").map((p) => ({ file: p.file, line: p.line, message: p.message }));
}

/** The codes of the problems (src/codes.ts), errors only unless a severity is given; undefined where one has none. */
export function codesOf(r: { problems: readonly Problem[] }, severity: Problem["severity"] = "error"): (string | undefined)[] {
  return r.problems.filter((p) => p.severity === severity).map((p) => p.code);
}

/** A fixture's app directory (fixtures/<name>/app) as files, edited in place by `edit`. */
export function appFiles(fixture: string, edit: (files: Files) => void = () => {}): Files {
  const dir = join(ROOT, "fixtures", fixture, "app");
  const files: Files = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  edit(files);
  return files;
}

// ---------------------------------------------------------------- the CLI, in process

/** The CLI's run() on a captured Io: no TTY, the clock at NOW unless given; stdout and stderr as text. */
export async function runInProcess(args: readonly string[], o: { env?: Record<string, string | undefined>; cwd?: string; now?: string; random?: (n: number) => Uint8Array } = {}): Promise<CliResult> {
  const { run } = await import("../../src/cli/program.ts");
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: o.env ?? {}, cwd: o.cwd ?? ROOT, isTTY: false, now: () => Date.parse(o.now ?? NOW) };
  if (o.random) io.random = o.random;
  const code = await run(args, io);
  return { code, stdout, stderr };
}

// ---------------------------------------------------------------- generator table tests

/** The plan of a base (one file, base/all.yaml) and forks, as generators receive it; load problems throw. */
export function context(opts: { base: string; forks?: Record<string, string>; manager?: string; now?: string }): { ctx: GenContext; problems: Problem[] } {
  const m = loadManager({ path: MANAGER_FILE, text: opts.manager ?? MANAGER });
  if (!m.manager) throw new Error(JSON.stringify(m.problems));
  const base = loadBase([{ path: "base/all.yaml", text: opts.base }]);
  if (base.problems.length) throw new Error(JSON.stringify(base.problems));
  const forks = loadForks(Object.entries(opts.forks ?? {}).map(([id, text]) => ({ path: `forks/${id}.yaml`, text })));
  const index = buildIndex(base.manifests, { defaultNamespace: "default", clusterDomain: "cluster.local" });
  const planned = planForks(index, forks.forks, { now: Date.parse(opts.now ?? NOW) });
  const routing = planRouting(index, planned.plan, m.manager.manager.spec.routing);
  return { ctx: { manager: m.manager.manager, index, plan: planned.plan, routing: routing.routing }, problems: [...forks.problems, ...planned.problems, ...routing.problems] };
}

// ---------------------------------------------------------------- builders

/**
 * A fork file. `workloads`: names (`web`, or `Kind/name`), or the YAML of the list's items as
 * written under `  workloads:` (`"    - name: web\n"`). `extra`: more lines of spec before it.
 */
export function fork(id: string, workloads: readonly string[] | string, extra = ""): string {
  const items =
    typeof workloads === "string"
      ? workloads
      : workloads
          .map((w) => {
            const [kind, name] = w.includes("/") ? w.split("/") : ["Deployment", w];
            return `    - {name: ${name}, kind: ${kind}}\n`;
          })
          .join("");
  return `apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata:\n  name: ${id}\nspec:\n${extra}  workloads:\n${items}`;
}

/**
 * The labels kubefork puts on a fork's copy of a workload: the fork and the copy's name; the
 * selector of the copy is exactly these two (`{matchLabels: forkPods(...)}`).
 */
export const forkPods = (fork: string, workload: string): Record<string, string> => ({ "kubefork.dev/fork": fork, "kubefork.dev/workload": `${workload}-${fork}` });

/** The pod labels of a fork's copy of `workload`, after the base labels it keeps: forkPods, the Service label, Istio's canonical name and revision. */
export const forkPodLabels = (fork: string, workload: string, o: { service: string; canonical: string }): Record<string, string> => ({
  ...forkPods(fork, workload),
  [`svc.kubefork.dev/${o.service}`]: "true",
  "service.istio.io/canonical-name": o.canonical,
  "service.istio.io/canonical-revision": `fork-${fork}`,
});

/** A ForkManager named `name` with these lines of spec (each indented two spaces), or `spec: {}` without any. */
export const manager = (spec = "", name = "test") => `apiVersion: kubefork.dev/v1alpha1
kind: ForkManager
metadata: {name: ${name}}
spec:${spec ? `\n${spec}` : " {}\n"}`;

/**
 * A workload in the short form: metadata on one line (namespace `ns`, none when null), selector and
 * pod labels `labels` (default {app: name}); `pod` is the pod spec, a flow mapping (`{containers: [...]}`)
 * or block lines at six spaces; `spec` adds lines of spec before the selector, `after` lines after the template.
 */
export function workload(name: string, pod: string, o: { kind?: string; ns?: string | null; labels?: Record<string, string>; selector?: Record<string, string>; spec?: string; after?: string } = {}): string {
  const labels = o.labels ?? { app: name };
  return `apiVersion: apps/v1
kind: ${o.kind ?? "Deployment"}
metadata: {name: ${name}${o.ns === null ? "" : `, namespace: ${o.ns ?? "shop"}`}}
spec:
${o.spec ?? ""}  selector: {matchLabels: ${JSON.stringify(o.selector ?? labels)}}
  template:
    metadata: {labels: ${JSON.stringify(labels)}}
    spec:${pod.startsWith("{") ? ` ${pod}\n` : `\n${pod}`}${o.after ?? ""}`;
}

/** A Service in the short form: `ports` as flow YAML; selector default {app: name}; `spec` opens the spec mapping (`"clusterIP: None, "`). */
export const svc = (name: string, ports: string, o: { ns?: string; selector?: Record<string, string>; spec?: string } = {}) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${o.ns ?? "shop"}}
spec: {${o.spec ?? ""}selector: ${JSON.stringify(o.selector ?? { app: name })}, ports: ${ports}}
`;

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

/** Every fork file and kubefork.yaml of the fixtures and the test corpus, as paths relative to the repository. */
export function forkAndManagerFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/(^|\/)(kubefork\.yaml|forks\/[^/]+\.ya?ml)$/.test(relative(ROOT, p))) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, "fixtures"));
  walk(join(ROOT, "test"));
  return out;
}
