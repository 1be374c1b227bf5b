// Files of the app directory → the typed inputs of a render: the ForkManager, the base manifests
// and the forks. Pure: the CLI reads the files (or runs base.command) and hands over their text.
import { forkSchema } from "../model/fork.ts";
import { managerSchema } from "../model/manager.ts";
import { refOf, type LoadedFork, type LoadedManager, type Manifest } from "../model/inputs.ts";
import { CLUSTER_SCOPED_KINDS, groupKind, groupOf, isKObject, objectKey } from "../model/k8s.ts";
import { LIMITS } from "../model/limits.ts";
import type { SourceDoc, TextFile } from "../model/source.ts";
import { validateDoc } from "../model/validate.ts";
import { error, type Problem } from "../problems.ts";
import { DEFAULT_LIMITS, parseFast, parseSmall, type ParseLimits } from "./documents.ts";
import { isCompatFork, translateCompat } from "./compat.ts";

// Which paths are which input: light (src/load/paths.ts), for a render served from the cache.
export { baseFileFilter, isForkFile, MANAGER_FILE } from "./paths.ts";
import { MANAGER_FILE } from "./paths.ts";
import { forkIdFromPath } from "../util/fork-id.ts";

// ---------------------------------------------------------------- kubefork.yaml

export function loadManager(file: TextFile | undefined, limits: ParseLimits = DEFAULT_LIMITS): { manager?: LoadedManager; problems: Problem[] } {
  if (!file) {
    return {
      problems: [
        error({
          code: "KF1040",
          file: MANAGER_FILE,
          message: "no kubefork.yaml in the app directory",
          hint: "create kubefork.yaml with apiVersion: kubefork.dev/v1alpha1, kind: ForkManager, metadata.name, spec: {} (see README), or point the command at the app directory",
        }),
      ],
    };
  }
  const { docs, problems } = parseSmall(file, limits);
  if (problems.length) return { problems };
  if (docs.length !== 1) {
    return {
      problems: [
        error({ code: "KF1041", file: file.path, line: docs[1]?.line ?? 1, hint: "keep the ForkManager alone in kubefork.yaml", message: `kubefork.yaml must hold exactly one document (a ForkManager), found ${docs.length}` }),
      ],
    };
  }
  const doc = docs[0]!;
  const { value, problems: schemaProblems } = validateDoc(managerSchema, doc, "ForkManager");
  if (!value) return { problems: schemaProblems };
  return { manager: { manager: value, file: file.path, doc }, problems: [] };
}

// ---------------------------------------------------------------- base

/**
 * Parses base files (already sorted by the caller) into manifests; `kind: List` is expanded. Two
 * objects are the same when they land on the same object: an object that names no namespace gets
 * `defaultNamespace`, as the render (and Argo CD) gives it.
 */
export function loadBase(files: readonly TextFile[], limits: ParseLimits = DEFAULT_LIMITS, defaultNamespace = "default"): { manifests: Manifest[]; problems: Problem[] } {
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const parsed = parseFast(file, limits);
    problems.push(...parsed.problems);
    for (const doc of parsed.docs) addObject(doc, doc.value, undefined, manifests, problems);
    if (manifests.length > LIMITS.baseObjects) {
      problems.push(
        error({
          code: "KF1016",
          file: file.path,
          message: `the base holds more than ${LIMITS.baseObjects} objects; kubefork stops reading here`,
          hint: "split the application, or narrow spec.base.paths",
        }),
      );
      return { manifests: [], problems };
    }
  }
  problems.push(...duplicateObjects(manifests, defaultNamespace));
  return { manifests, problems };
}

function addObject(doc: SourceDoc, value: unknown, item: number | undefined, out: Manifest[], problems: Problem[]): void {
  const at = (path: (string | number)[]) => {
    const full = item === undefined ? path : ["items", item, ...path];
    const p = doc.locate(full);
    return { file: doc.file, line: p.line, column: p.column, doc: doc.index };
  };
  const o = value as Record<string, unknown>;
  if (o && typeof o === "object" && !Array.isArray(o) && typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items) && item === undefined) {
    o.items.forEach((it, i) => addObject(doc, it, i, out, problems));
    return;
  }
  if (!isKObject(value)) {
    const missing = !o || typeof o !== "object" || Array.isArray(o) ? "a mapping" : ["apiVersion", "kind", "metadata.name"].filter((f) => (f === "metadata.name" ? typeof (o.metadata as Record<string, unknown> | undefined)?.name !== "string" : typeof o[f] !== "string"));
    problems.push(
      error({
        code: "KF1042",
        ...at([]),
        message: `not a Kubernetes object: ${typeof missing === "string" ? `expected ${missing}` : `missing ${missing.join(", ")}`}`,
        hint: "every base document must be a manifest with apiVersion, kind and metadata.name; to render a kustomization or chart, set spec.base.command in kubefork.yaml (e.g. [kustomize, build, base]) or narrow spec.base.paths",
      }),
    );
    return;
  }
  if (value.kind === "Kustomization" && value.apiVersion.startsWith("kustomize.config.k8s.io/")) {
    problems.push(
      error({
        code: "KF1043",
        ...at(["kind"]),
        message: "a kustomization file is not a manifest",
        hint: "set spec.base.command: [kustomize, build, <dir>] in kubefork.yaml, or exclude it with spec.base.paths",
      }),
    );
    return;
  }
  out.push(item === undefined ? { object: value, doc } : { object: value, doc, item });
}

/**
 * Objects the base defines twice, by the identity each gets from the API server: the default
 * namespace for one that names none (or names ""), no namespace for a cluster-scoped kind (built
 * in, or a CRD of the base with spec.scope Cluster) whatever it names.
 */
function duplicateObjects(manifests: readonly Manifest[], defaultNamespace: string): Problem[] {
  const seen = new Map<string, Manifest>();
  const problems: Problem[] = [];
  const clusterScoped = clusterScopedKinds(manifests);
  for (const m of manifests) {
    const o = m.object;
    const key = objectKey(o, clusterScoped.has(groupKind(o.apiVersion, o.kind)) ? "" : o.metadata.namespace || defaultNamespace);
    const first = seen.get(key);
    if (first) {
      problems.push(
        error({
          code: "KF1044",
          file: m.doc.file,
          line: m.doc.line,
          doc: m.doc.index,
          object: `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`,
          ref: refOf(m, o.metadata.namespace || undefined),
          message: `defined twice: also in ${first.doc.file}:${first.doc.line}`,
          hint: "remove one of the two definitions",
        }),
      );
    } else seen.set(key, m);
  }
  return problems;
}

/** The built-in cluster-scoped kinds, and the kinds of the base's CRDs of scope Cluster. */
function clusterScopedKinds(manifests: readonly Manifest[]): ReadonlySet<string> {
  const crds = manifests.filter((m) => m.object.kind === "CustomResourceDefinition" && groupOf(m.object.apiVersion) === "apiextensions.k8s.io");
  const kinds = new Set(CLUSTER_SCOPED_KINDS);
  for (const { object } of crds) {
    const spec = object.spec as { scope?: unknown; group?: unknown; names?: { kind?: unknown } } | undefined;
    if (spec?.scope === "Cluster" && typeof spec.group === "string" && typeof spec.names?.kind === "string") kinds.add(`${spec.group}/${spec.names.kind}`);
  }
  return kinds;
}

// ---------------------------------------------------------------- forks

/** Parses fork files; each must hold one Fork whose name equals the file's base name. */
export function loadForks(files: readonly TextFile[], limits: ParseLimits = DEFAULT_LIMITS): { forks: LoadedFork[]; problems: Problem[] } {
  const forks: LoadedFork[] = [];
  const problems: Problem[] = [];
  const byId = new Map<string, LoadedFork>();
  for (const file of files) {
    const result = loadFork(file, limits);
    problems.push(...result.problems);
    const f = result.fork;
    if (!f) continue;
    const other = byId.get(f.id);
    if (other) {
      const pos = f.doc.locate(["metadata", "name"]);
      problems.push(
        error({
          code: "KF2011",
          file: f.file,
          line: pos.line,
          column: pos.column,
          path: "metadata.name",
          message: `duplicate fork identifier '${f.id}': ${other.file} has it too`,
          hint: "an identifier names one fork: delete or rename one of the files",
        }),
      );
      continue;
    }
    byId.set(f.id, f);
    forks.push(f);
  }
  return { forks, problems };
}

export function loadFork(file: TextFile, limits: ParseLimits = DEFAULT_LIMITS): { fork?: LoadedFork; problems: Problem[] } {
  const { docs, problems } = parseSmall(file, limits);
  if (problems.length) return { problems };
  if (docs.length === 0) {
    return { problems: [error({ code: "KF1045", file: file.path, line: 1, message: "the fork file is empty", hint: "write a Fork (see kubefork new --help), or delete the file to remove the fork" })] };
  }
  if (docs.length > 1) {
    return {
      problems: [
        error({ code: "KF1046", file: file.path, line: docs[1]!.line, doc: 1, message: `a fork file holds one Fork; this one has ${docs.length} documents`, hint: "put each fork in its own file forks/<id>.yaml" }),
      ],
    };
  }
  const doc = docs[0]!;
  if (isCompatFork(doc.value)) return translateCompat(doc, { expectedId: forkIdFromPath(file.path) });
  const { value, problems: schemaProblems } = validateDoc(forkSchema, doc, "Fork");
  if (!value) return { problems: schemaProblems };
  const expected = forkIdFromPath(file.path);
  if (value.metadata.name !== expected) {
    const pos = doc.locate(["metadata", "name"]);
    return {
      problems: [
        error({
          code: "KF2010",
          file: file.path,
          line: pos.line,
          column: pos.column,
          path: "metadata.name",
          message: `identifier '${value.metadata.name}' does not match the file name '${expected}'`,
          hint: `rename the file to ${file.path.slice(0, file.path.lastIndexOf("/") + 1)}${value.metadata.name}.yaml or set metadata.name: ${expected}`,
        }),
      ],
    };
  }
  return { fork: { id: value.metadata.name, file: file.path, fork: value, doc }, problems: [] };
}
