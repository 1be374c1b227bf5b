// Forked configuration, planned (spec.configMaps, spec.secretRefs): which base ConfigMap each
// override copies, and what the copy is called; the Secret redirections a fork may make. What the
// copies hold and how workloads are rewritten to read them is src/generate/configmap.ts.
import type { ConfigMapOverride, SecretRef } from "../model/fork.ts";
import { refOf, type LoadedFork, type Manifest } from "../model/inputs.ts";
import { describe } from "../model/k8s.ts";
import { error, formatPath, type ObjectRef, type PathSegment, type Problem, type ProblemCode } from "../problems.ts";
import { podTemplateOf, WORKLOAD_KINDS_INDEXED, type BaseIndex } from "./base-index.ts";
import { listHint, resolveConfigMap } from "./fork-resolution.ts";
import { copyName } from "./names.ts";
import { podReferences, visitReferences, type PodReferences } from "./references.ts";
import type { WorkloadPlan } from "./plan.ts";

export interface ConfigMapPlan {
  entry: ConfigMapOverride;
  entryIndex: number;
  base: Manifest;
  namespace: string;
  /** The base ConfigMap's name: `<entry name>-<hash>` for a kustomize configMapGenerator's output. */
  name: string;
  /** `<entry name>-<id>`: stable across base edits that change a generator's hash. */
  copyName: string;
}

/** What ConfigMap planning reads of a fork's plan: the fork and its planned workloads. */
export interface ForkPlanInput {
  id: string;
  file: string;
  loaded: LoadedFork;
  workloads: readonly WorkloadPlan[];
}

/** What a forked workload references: its pod template plus the env the fork file adds. */
function forkedReferences(wp: WorkloadPlan, fp: ForkPlanInput): PodReferences {
  const refs = podReferences(podTemplateOf(wp.source ?? wp.base.object)?.spec);
  const spec = fp.loaded.fork.spec;
  const env = [...(spec.env ?? []), ...(wp.entry.env ?? []), ...(wp.entry.containers ?? []).flatMap((c) => c.env ?? [])];
  visitReferences({ containers: [{ env }] }, (kind, name) => (kind === "ConfigMap" ? refs.configMaps : refs.secrets).add(name));
  return refs;
}

type At = (path: PathSegment[]) => { file: string; line: number; column: number; path: string };

/**
 * Resolves a fork's ConfigMap overrides (and checks its Secret redirections) against the base and
 * the fork's planned workloads. Run once per fork, by planFork.
 */
export function planConfigMaps(fp: ForkPlanInput, index: BaseIndex): { plans: ConfigMapPlan[]; problems: Problem[] } {
  const plans: ConfigMapPlan[] = [];
  const problems: Problem[] = [];
  const at: At = (path) => {
    const pos = fp.loaded.doc.locate(path);
    return { file: fp.file, line: pos.line, column: pos.column, path: formatPath(path) };
  };
  const forkNamespaces = new Set(fp.workloads.map((w) => w.namespace));
  const seen = new Map<string, number>();
  (fp.loaded.fork.spec.configMaps ?? []).forEach((entry, i) => {
    const r = planOverride(fp, index, entry, i, forkNamespaces, seen);
    if ("problem" in r) problems.push(error({ ...at(["spec", "configMaps", i, "name"]), ...r.problem }));
    else plans.push(r.plan);
  });
  problems.push(...checkSecretRefs(fp, index, at));
  return { plans, problems };
}

type Refusal = { problem: { code: ProblemCode; message: string; hint: string; ref?: ObjectRef } };

/** Why an override names no base ConfigMap: missing, in several namespaces, or several generator outputs. */
function unresolved(index: BaseIndex, entry: ConfigMapOverride, r: Exclude<ReturnType<typeof resolveConfigMap>, { found: Manifest }>): Refusal {
  if ("ambiguous" in r)
    return { problem: { code: "KF4003", message: `ConfigMap '${entry.name}' is ambiguous: it exists in namespaces ${r.ambiguous.join(", ")}`, hint: `add namespace: <one of ${r.ambiguous.join(", ")}> to this override` } };
  if ("generated" in r) {
    const shown = r.generated.map((m) => `${index.nsOf(m.object)}/${m.object.metadata.name}`);
    return {
      problem: {
        code: "KF4003",
        message: `ConfigMap '${entry.name}' is ambiguous: the base has several ConfigMaps named after it with a kustomize hash suffix: ${shown.join(", ")}`,
        hint: `name one of them in full (e.g. name: ${r.generated[0]!.object.metadata.name})${new Set(r.generated.map((m) => index.nsOf(m.object))).size > 1 ? ", or add namespace" : ""}; a base with one configMapGenerator output of that name needs no change`,
      },
    };
  }
  const where = entry.namespace ? ` in namespace ${entry.namespace}` : "";
  const { close, names } = r.missing;
  const isSecret = index.ofKind("Secret").some((m) => m.object.metadata.name === entry.name);
  return {
    problem: {
      code: "KF4020",
      message: `no ConfigMap '${entry.name}'${where} in the base`,
      hint: isSecret
        ? `'${entry.name}' is a Secret: kubefork never copies Secrets; point the workloads at another existing Secret with spec.secretRefs: [{from: ${entry.name}, to: <secret>}]`
        : close.length
          ? `did you mean ${close.map((c) => `'${c}'`).join(" or ")}?`
          : listHint("ConfigMap", names, "the base has no ConfigMap; an override changes keys of an existing one (add the ConfigMap to the base, or set the values with env)"),
    },
  };
}

/** One `spec.configMaps[i]` entry: the base ConfigMap, the copy's name, and that a forked workload reads it. */
function planOverride(fp: ForkPlanInput, index: BaseIndex, entry: ConfigMapOverride, i: number, forkNamespaces: ReadonlySet<string>, seen: Map<string, number>): { plan: ConfigMapPlan } | Refusal {
  const r = resolveConfigMap(index, entry.name, entry.namespace, forkNamespaces);
  if (!("found" in r)) return unresolved(index, entry, r);
  const base = r.found;
  const ns = index.nsOf(base.object);
  // The base object's own name: `<name>-<hash>` for a configMapGenerator's output.
  const name = base.object.metadata.name;
  const key = `${ns}/${name}`;
  const ref = refOf(base, ns);
  const dup = seen.get(key);
  if (dup !== undefined) return { problem: { code: "KF4004", ref, message: `ConfigMap ${key} is already overridden by spec.configMaps[${dup}]`, hint: "merge the two entries' data" } };
  seen.set(key, i);
  const cname = copyName(entry.name, fp.id);
  if (index.has("ConfigMap", ns, cname)) return { problem: { code: "KF4007", ref, message: `the copy's name ${cname} is taken by a base ConfigMap in ${ns}`, hint: "rename the fork (its identifier is the file name) or the base ConfigMap" } };
  // Unreferenced: no forked workload of that namespace reads it.
  if (!fp.workloads.some((w) => w.namespace === ns && forkedReferences(w, fp).configMaps.has(name))) {
    const baseReaders = baseReadersOf(index, "ConfigMap", ns, name);
    return {
      problem: {
        code: "KF4021",
        ref,
        message: `unreferenced override: no forked workload reads ConfigMap ${ns}/${name}, so the copy would change nothing`,
        hint: baseReaders.length ? `it is read by ${baseReaders.join(", ")}: fork one of them (add it to spec.workloads), or remove this override` : "no workload of the base reads it either; remove this override",
      },
    };
  }
  return { plan: { entry, entryIndex: i, base, namespace: ns, name, copyName: cname } };
}

/** Secret references: each `from` once, and read by a forked workload. */
function checkSecretRefs(fp: ForkPlanInput, index: BaseIndex, at: At): Problem[] {
  const problems: Problem[] = [];
  const froms = new Map<string, number>();
  (fp.loaded.fork.spec.secretRefs ?? []).forEach((r: SecretRef, i) => {
    const dup = froms.get(r.from);
    if (dup !== undefined) {
      problems.push(error({ ...at(["spec", "secretRefs", i, "from"]), code: "KF4004", message: `Secret '${r.from}' is already redirected by spec.secretRefs[${dup}]`, hint: "keep one entry per Secret" }));
      return;
    }
    froms.set(r.from, i);
    if (!fp.workloads.some((w) => forkedReferences(w, fp).secrets.has(r.from))) {
      const readers = [...new Set(fp.workloads.map((w) => w.namespace))].flatMap((ns) => baseReadersOf(index, "Secret", ns, r.from));
      problems.push(
        error({
          ...at(["spec", "secretRefs", i, "from"]),
          code: "KF4021",
          message: `unreferenced secretRef: no forked workload references Secret '${r.from}'`,
          hint: readers.length ? `it is referenced by ${readers.join(", ")}: fork one of them, or remove this entry` : "check the name (envFrom, env valueFrom, volumes and imagePullSecrets are looked at), or remove this entry",
        }),
      );
    }
  });

  return problems;
}

/** Base workloads of a namespace whose pod template references a ConfigMap or Secret. */
function baseReadersOf(index: BaseIndex, kind: "ConfigMap" | "Secret", ns: string, name: string): string[] {
  const out: string[] = [];
  for (const k of WORKLOAD_KINDS_INDEXED)
    for (const m of index.ofKind(k)) {
      if (index.nsOf(m.object) !== ns) continue;
      const refs = podReferences(podTemplateOf(m.object)?.spec);
      if ((kind === "ConfigMap" ? refs.configMaps : refs.secrets).has(name)) out.push(describe(m.object, ns));
    }
  return out;
}

