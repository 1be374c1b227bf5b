// The ConfigMap and Secret references of a pod spec (envFrom, env valueFrom, volumes, projected
// volumes, imagePullSecrets; containers and init containers): listed when planning forked
// configuration, rewritten when copying a workload (src/generate/configmap.ts).
import { asArray, asRecord } from "../model/k8s.ts";

/** Names a pod spec references, by kind of object. */
export interface PodReferences {
  configMaps: Set<string>;
  secrets: Set<string>;
}

/**
 * Visits every ConfigMap and Secret reference of a pod spec. `visit` gets the kind, the current name
 * and a setter; it is how references are both listed and rewritten.
 */
export function visitReferences(pod: Record<string, unknown>, visit: (kind: "ConfigMap" | "Secret", name: string, set: (n: string) => void) => void): void {
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

export function podReferences(pod: Record<string, unknown> | undefined): PodReferences {
  const refs: PodReferences = { configMaps: new Set(), secrets: new Set() };
  if (pod) visitReferences(pod, (kind, name) => (kind === "ConfigMap" ? refs.configMaps : refs.secrets).add(name));
  return refs;
}

/** Rewrites references in place: ConfigMap names by `configMaps`, Secret names by `secrets`. */
export function rewriteReferences(pod: Record<string, unknown>, configMaps: ReadonlyMap<string, string>, secrets: ReadonlyMap<string, string>): void {
  visitReferences(pod, (kind, name, set) => {
    const to = (kind === "ConfigMap" ? configMaps : secrets).get(name);
    if (to !== undefined) set(to);
  });
}

