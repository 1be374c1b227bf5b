// Forked configuration (spec.configMaps, spec.secretRefs).
//
// ConfigMaps: each override copies the base ConfigMap as `<name>-<id>` with the given keys replaced
// or added (binaryData kept, `immutable` dropped: a fork's configuration is edited while it lives,
// and an immutable object cannot be updated in place). Every reference to it in the fork's copied
// workloads (envFrom, env valueFrom, volumes, projected volumes; containers and init containers) is
// rewritten to the copy, and the pod template gets `kubefork.dev/config-hash`, a hash of the copies
// it reads, so fork pods roll when the forked configuration changes (the copy's name doesn't).
//
// Secrets are referenced, never copied: `secretRefs: [{from, to}]` points the same kinds of
// references (and imagePullSecrets) from Secret `from` to the existing Secret `to`. kubefork never
// reads or writes a Secret's data.
import type { Manifest } from "../model/inputs.ts";
import type { ConfigMapOverride, SecretRef } from "../model/fork.ts";
import { asArray, asRecord, clone, describe, type KObject } from "../model/k8s.ts";
import { podTemplateOf, WORKLOAD_KINDS_INDEXED, type BaseIndex } from "../plan/base-index.ts";
import { copyName, shortHash } from "../plan/names.ts";
import type { ForkPlan, WorkloadPlan } from "../plan/plan.ts";
import { error, formatPath, type PathSegment, type Problem } from "../problems.ts";
import { listHint, resolveConfigMap } from "../plan/fork-resolution.ts";
import { forkMetadata } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

export const CONFIG_HASH_ANNOTATION = "kubefork.dev/config-hash";

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

/** Names a pod spec references, by kind of object. */
export interface PodReferences {
  configMaps: Set<string>;
  secrets: Set<string>;
}

type Rec = Record<string, unknown>;

/**
 * Visits every ConfigMap and Secret reference of a pod spec. `visit` gets the kind, the current name
 * and a setter; it is how references are both listed and rewritten.
 */
export function visitReferences(pod: Rec, visit: (kind: "ConfigMap" | "Secret", name: string, set: (n: string) => void) => void): void {
  const ref = (kind: "ConfigMap" | "Secret", holder: unknown, field: string) => {
    const h = asRecord(holder);
    if (h && typeof h[field] === "string") visit(kind, h[field] as string, (n) => (h[field] = n));
  };
  for (const c of [...asArray(pod.initContainers), ...asArray(pod.containers)]) {
    const container = asRecord(c) ?? {};
    for (const e of asArray(container.envFrom)) {
      ref("ConfigMap", asRecord(e)?.configMapRef, "name");
      ref("Secret", asRecord(e)?.secretRef, "name");
    }
    for (const e of asArray(container.env)) {
      const vf = asRecord(asRecord(e)?.valueFrom);
      ref("ConfigMap", vf?.configMapKeyRef, "name");
      ref("Secret", vf?.secretKeyRef, "name");
    }
  }
  for (const v of asArray(pod.volumes)) {
    const vol = asRecord(v) ?? {};
    ref("ConfigMap", vol.configMap, "name");
    ref("Secret", vol.secret, "secretName");
    for (const s of asArray(asRecord(vol.projected)?.sources)) {
      ref("ConfigMap", asRecord(s)?.configMap, "name");
      ref("Secret", asRecord(s)?.secret, "name");
    }
  }
  for (const p of asArray(pod.imagePullSecrets)) ref("Secret", p, "name");
}

export function podReferences(pod: Rec | undefined): PodReferences {
  const refs: PodReferences = { configMaps: new Set(), secrets: new Set() };
  if (pod) visitReferences(pod, (kind, name) => (kind === "ConfigMap" ? refs.configMaps : refs.secrets).add(name));
  return refs;
}

/** Rewrites references in place: ConfigMap names by `configMaps`, Secret names by `secrets`. */
export function rewriteReferences(pod: Rec, configMaps: ReadonlyMap<string, string>, secrets: ReadonlyMap<string, string>): void {
  visitReferences(pod, (kind, name, set) => {
    const to = (kind === "ConfigMap" ? configMaps : secrets).get(name);
    if (to !== undefined) set(to);
  });
}

/** What a forked workload references: its pod template plus the env the fork file adds. */
function forkedReferences(wp: WorkloadPlan, fp: ForkPlan): PodReferences {
  const refs = podReferences(podTemplateOf(wp.source ?? wp.base.object)?.spec);
  const spec = fp.loaded.fork.spec;
  const env = [...(spec.env ?? []), ...(wp.entry.env ?? []), ...(wp.entry.containers ?? []).flatMap((c) => c.env ?? [])];
  visitReferences({ containers: [{ env }] }, (kind, name) => (kind === "ConfigMap" ? refs.configMaps : refs.secrets).add(name));
  return refs;
}

const planned = new WeakMap<ForkPlan, { plans: ConfigMapPlan[]; problems: Problem[] }>();

/** Resolves a fork's ConfigMap overrides against the base (memoized per fork plan). */
export function planConfigMaps(fp: ForkPlan, index: BaseIndex): { plans: ConfigMapPlan[]; problems: Problem[] } {
  const memo = planned.get(fp);
  if (memo) return memo;
  const plans: ConfigMapPlan[] = [];
  const problems: Problem[] = [];
  const at = (path: PathSegment[]) => {
    const pos = fp.loaded.doc.locate(path);
    return { file: fp.file, line: pos.line, column: pos.column, path: formatPath(path) };
  };
  const forkNamespaces = new Set(fp.workloads.map((w) => w.namespace));
  const seen = new Map<string, number>();
  (fp.loaded.fork.spec.configMaps ?? []).forEach((entry, i) => {
    const r = resolveConfigMap(index, entry.name, entry.namespace, forkNamespaces);
    if ("missing" in r) {
      const where = entry.namespace ? ` in namespace ${entry.namespace}` : "";
      const { close, names } = r.missing;
      const isSecret = index.ofKind("Secret").some((m) => m.object.metadata.name === entry.name);
      problems.push(
        error({
          ...at(["spec", "configMaps", i, "name"]),
          message: `no ConfigMap '${entry.name}'${where} in the base`,
          hint: isSecret
            ? `'${entry.name}' is a Secret: kubefork never copies Secrets; point the workloads at another existing Secret with spec.secretRefs: [{from: ${entry.name}, to: <secret>}]`
            : close.length
              ? `did you mean ${close.map((c) => `'${c}'`).join(" or ")}?`
              : listHint("ConfigMap", names, "the base has no ConfigMap; an override changes keys of an existing one (add the ConfigMap to the base, or set the values with env)"),
        }),
      );
      return;
    }
    if ("ambiguous" in r) {
      const nss = r.ambiguous;
      problems.push(
        error({
          ...at(["spec", "configMaps", i, "name"]),
          message: `ConfigMap '${entry.name}' is ambiguous: it exists in namespaces ${nss.join(", ")}`,
          hint: `add namespace: <one of ${nss.join(", ")}> to this override`,
        }),
      );
      return;
    }
    if ("generated" in r) {
      const shown = r.generated.map((m) => `${index.nsOf(m.object)}/${m.object.metadata.name}`);
      problems.push(
        error({
          ...at(["spec", "configMaps", i, "name"]),
          message: `ConfigMap '${entry.name}' is ambiguous: the base has several ConfigMaps named after it with a kustomize hash suffix: ${shown.join(", ")}`,
          hint: `name one of them in full (e.g. name: ${r.generated[0]!.object.metadata.name})${new Set(r.generated.map((m) => index.nsOf(m.object))).size > 1 ? ", or add namespace" : ""}; a base with one configMapGenerator output of that name needs no change`,
        }),
      );
      return;
    }
    const base = r.found;
    const ns = index.nsOf(base.object);
    // The base object's own name: `<name>-<hash>` for a configMapGenerator's output.
    const name = base.object.metadata.name;
    const key = `${ns}/${name}`;
    const dup = seen.get(key);
    if (dup !== undefined) {
      problems.push(error({ ...at(["spec", "configMaps", i, "name"]), message: `ConfigMap ${key} is already overridden by spec.configMaps[${dup}]`, hint: "merge the two entries' data" }));
      return;
    }
    seen.set(key, i);
    const cname = copyName(entry.name, fp.id);
    if (index.has("ConfigMap", ns, cname)) {
      problems.push(
        error({ ...at(["spec", "configMaps", i, "name"]), message: `the copy's name ${cname} is taken by a base ConfigMap in ${ns}`, hint: "rename the fork (its identifier is the file name) or the base ConfigMap" }),
      );
      return;
    }
    // Unreferenced: no forked workload of that namespace reads it.
    const readers = fp.workloads.filter((w) => w.namespace === ns && forkedReferences(w, fp).configMaps.has(name));
    if (readers.length === 0) {
      const baseReaders = baseReadersOf(index, "ConfigMap", ns, name);
      problems.push(
        error({
          ...at(["spec", "configMaps", i, "name"]),
          message: `unreferenced override: no forked workload reads ConfigMap ${ns}/${name}, so the copy would change nothing`,
          hint: baseReaders.length
            ? `it is read by ${baseReaders.join(", ")}: fork one of them (add it to spec.workloads), or remove this override`
            : "no workload of the base reads it either; remove this override",
        }),
      );
      return;
    }
    plans.push({ entry, entryIndex: i, base, namespace: ns, name, copyName: cname });
  });

  // Secret references: `from` must be read by a forked workload; each `from` once.
  const froms = new Map<string, number>();
  (fp.loaded.fork.spec.secretRefs ?? []).forEach((r: SecretRef, i) => {
    const dup = froms.get(r.from);
    if (dup !== undefined) {
      problems.push(error({ ...at(["spec", "secretRefs", i, "from"]), message: `Secret '${r.from}' is already redirected by spec.secretRefs[${dup}]`, hint: "keep one entry per Secret" }));
      return;
    }
    froms.set(r.from, i);
    if (!fp.workloads.some((w) => forkedReferences(w, fp).secrets.has(r.from))) {
      const readers = [...new Set(fp.workloads.map((w) => w.namespace))].flatMap((ns) => baseReadersOf(index, "Secret", ns, r.from));
      problems.push(
        error({
          ...at(["spec", "secretRefs", i, "from"]),
          message: `unreferenced secretRef: no forked workload references Secret '${r.from}'`,
          hint: readers.length ? `it is referenced by ${readers.join(", ")}: fork one of them, or remove this entry` : "check the name (envFrom, env valueFrom, volumes and imagePullSecrets are looked at), or remove this entry",
        }),
      );
    }
  });

  const result = { plans, problems };
  planned.set(fp, result);
  return result;
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

/** The copy of a base ConfigMap with the fork's keys. */
export function copyConfigMap(cp: ConfigMapPlan, fp: ForkPlan): KObject {
  const base = cp.base.object;
  const out: KObject = { apiVersion: base.apiVersion, kind: "ConfigMap", metadata: forkMetadata(base.metadata, fp, cp.copyName, `ConfigMap/${cp.name}`) };
  out.data = { ...((asRecord(base.data) as Record<string, string> | undefined) ?? {}), ...cp.entry.data };
  if (base.binaryData !== undefined) out.binaryData = clone(base.binaryData);
  return out;
}

/**
 * Applied by the workload generator to a copied pod template: references to forked ConfigMaps and
 * redirected Secrets are rewritten, and the config hash annotation is set when it reads a copy.
 */
export function applyForkedConfig(template: { metadata?: Rec; spec?: Rec }, wp: WorkloadPlan, fp: ForkPlan, index: BaseIndex): void {
  const pod = template.spec;
  if (!pod) return;
  const plans = planConfigMaps(fp, index).plans.filter((p) => p.namespace === wp.namespace);
  const secretRefs = fp.loaded.fork.spec.secretRefs ?? [];
  if (plans.length === 0 && secretRefs.length === 0) return;
  const read = podReferences(pod).configMaps;
  rewriteReferences(pod, new Map(plans.map((p) => [p.name, p.copyName])), new Map(secretRefs.map((r) => [r.from, r.to])));
  const used = plans.filter((p) => read.has(p.name));
  if (used.length === 0) return;
  const hash = shortHash(JSON.stringify(used.map((p) => [p.copyName, copyConfigMap(p, fp).data, p.base.object.binaryData ?? null])));
  const md = (template.metadata ??= {});
  md.annotations = { ...((md.annotations as Record<string, string> | undefined) ?? {}), [CONFIG_HASH_ANNOTATION]: hash };
}

/** The ConfigMap copies of every fork, and the problems of the overrides. */
export function generateConfigMaps(ctx: GenContext): GenResult {
  const out = emptyResult();
  for (const fp of ctx.plan.forks) {
    const { plans, problems } = planConfigMaps(fp, ctx.index);
    out.problems.push(...problems);
    for (const p of plans) out.objects.push({ object: copyConfigMap(p, fp), fork: fp.id });
  }
  return out;
}
