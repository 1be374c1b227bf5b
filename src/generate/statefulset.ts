// StatefulSet copies: what a Deployment copy gets (workload.ts), plus a governing Service of its
// own, fresh volumes, and a PVC lifecycle that ends with the fork.
//
// Volumes: the StatefulSet controller names the claim of pod <set>-<ordinal> from template <t>
// `<t>-<set>-<ordinal>` (kubernetes pkg/controller/statefulset/stateful_set_utils.go,
// getPersistentVolumeClaimName: fmt.Sprintf("%s-%s-%d", claim.Name, set.Name, ordinal)). The copy
// is named `<set>-<id>`, so the same templates give claims of other names: new, empty volumes,
// never the original's. The controller also copies the set's selector matchLabels onto each claim
// (getPersistentVolumeClaims), so the fork's claims carry `kubefork.dev/fork: <id>`.
import { asArray, asRecord, type KObject } from "../model/k8s.ts";
import type { ForkPlan, WorkloadPlan } from "../plan/plan.ts";
import { warning, type Problem } from "../problems.ts";
import { forkMetadata, refOf } from "./meta.ts";

/**
 * Adjusts the spec of a StatefulSet copy in place (before the fork's patches, which may override
 * any of it). Returns warnings only.
 */
export function adjustStatefulSet(spec: Record<string, unknown>, wp: WorkloadPlan, fp: ForkPlan): Problem[] {
  const problems: Problem[] = [];
  if (wp.governing) spec.serviceName = wp.governing.copyName;

  const templates = asArray(spec.volumeClaimTemplates) as Record<string, unknown>[];
  templates.forEach((t, i) => {
    delete t.status;
    const tspec = asRecord(t.spec);
    if (tspec && typeof tspec.volumeName === "string") {
      // A claim bound by name to one PersistentVolume would wait forever for the original's volume.
      const pos = fp.loaded.doc.locate(["spec", "workloads", wp.entryIndex, "name"]);
      problems.push(
        warning({
          code: "KF5021",
          file: fp.file,
          line: pos.line,
          column: pos.column,
          path: `spec.workloads[${wp.entryIndex}].name`,
          object: `StatefulSet ${wp.namespace}/${wp.name}`,
          ref: refOf(wp.base, wp.namespace),
          message: `volumeClaimTemplates[${i}] binds the PersistentVolume ${tspec.volumeName} by name; the copy's claims leave volumeName out to get volumes of their own`,
          hint: "let the StorageClass provision the volumes (no spec.volumeName in volumeClaimTemplates)",
        }),
      );
      delete tspec.volumeName;
    }
  });

  // A fork is temporary: when its file is reverted, Argo CD deletes the copy, and with the default
  // `whenDeleted: Retain` its claims (and disks) would stay behind — and a fork of the same name
  // later would find the old data. `Delete` makes the controller own the claims, so they go with
  // the copy. `whenScaled` stays as in the base. (StatefulSetAutoDeletePVC: beta and on by default
  // since Kubernetes 1.27; an API server without the feature drops the field.)
  if (templates.length > 0) {
    const policy = { ...(asRecord(spec.persistentVolumeClaimRetentionPolicy) ?? {}) };
    policy.whenDeleted = "Delete";
    spec.persistentVolumeClaimRetentionPolicy = policy;
  }

  // A staged rollout of the base (partition > 0) must not freeze the copy: with partition >=
  // replicas, a new image in the fork file would never reach the fork's pods.
  const rolling = asRecord(asRecord(spec.updateStrategy)?.rollingUpdate);
  if (rolling && rolling.partition !== undefined) {
    delete rolling.partition;
    if (Object.keys(rolling).length === 0) delete asRecord(spec.updateStrategy)!.rollingUpdate;
  }
  return problems;
}

/**
 * The headless Service a StatefulSet copy gets when no ServicePlan makes its governing Service:
 * a copy of the base Service named by serviceName (ports and the fields a headless Service keeps),
 * or, when the base has none, a minimal one with the pod's container ports. It selects exactly the
 * copy's pods.
 */
export function governingService(wp: WorkloadPlan, fp: ForkPlan): KObject | undefined {
  const g = wp.governing;
  if (!g || g.shared) return undefined;
  const baseSvc = g.base?.object;
  const bspec = asRecord(baseSvc?.spec) ?? {};
  const spec: Record<string, unknown> = { type: "ClusterIP", clusterIP: "None", selector: { ...wp.selector } };
  let ports: Record<string, unknown>[];
  if (baseSvc) {
    ports = asArray(bspec.ports).map((p) => {
      const port = { ...(p as Record<string, unknown>) };
      delete port.nodePort;
      return port;
    });
    if (bspec.publishNotReadyAddresses !== undefined) spec.publishNotReadyAddresses = bspec.publishNotReadyAddresses;
  } else {
    ports = [];
    const pod = asRecord(asRecord(asRecord(wp.base.object.spec)?.template)?.spec);
    for (const c of asArray(pod?.containers)) {
      for (const p of asArray(asRecord(c)?.ports)) {
        const cp = asRecord(p);
        if (!cp || typeof cp.containerPort !== "number") continue;
        const port: Record<string, unknown> = {};
        if (typeof cp.name === "string") port.name = cp.name;
        port.port = cp.containerPort;
        if (typeof cp.protocol === "string" && cp.protocol !== "TCP") port.protocol = cp.protocol;
        if (!ports.some((x) => x.port === port.port && (x.protocol ?? "TCP") === (port.protocol ?? "TCP"))) ports.push(port);
      }
    }
  }
  if (ports.length) spec.ports = ports;
  const md = baseSvc
    ? forkMetadata(baseSvc.metadata, fp, g.copyName, `Service/${g.name}`)
    : forkMetadata({ name: g.name, ...(wp.base.object.metadata.namespace !== undefined ? { namespace: wp.base.object.metadata.namespace } : {}) }, fp, g.copyName);
  return { apiVersion: "v1", kind: "Service", metadata: md, spec };
}
