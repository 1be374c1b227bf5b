// Kubernetes objects are plain JSON. These helpers read them without a class hierarchy.
import type { ObjectRef } from "../problems.ts";

export type KObject = {
  apiVersion: string;
  kind: string;
  metadata: KMetadata;
  [key: string]: unknown;
};

export interface KMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export type Labels = Record<string, string>;

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export function isKObject(v: unknown): v is KObject {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const md = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === "string" && typeof o.kind === "string" && !!md && typeof md === "object" && typeof md.name === "string";
}

/** API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

/** The key under which an object is indexed (src/plan/base-index.ts ofKind): core, apps and batch kinds by kind, others by `group/kind`. */
export function kindKey(o: { apiVersion: string; kind: string }): string {
  const g = groupOf(o.apiVersion);
  return g === "" || g === "apps" || g === "batch" ? o.kind : `${g}/${o.kind}`;
}

/**
 * The kinds Kubernetes serves cluster-scoped, by `group/Kind` (`kubectl api-resources
 * --namespaced=false`, Kubernetes 1.34, and GatewayClass): the API server, kubectl and Argo CD
 * ignore a namespace such an object names. Custom resources are known by their CRD (spec.scope).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "/ComponentStatus", "/Namespace", "/Node", "/PersistentVolume",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration", "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy", "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy", "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "apiextensions.k8s.io/CustomResourceDefinition", "apiregistration.k8s.io/APIService",
  "authentication.k8s.io/SelfSubjectReview", "authentication.k8s.io/TokenReview",
  "authorization.k8s.io/SelfSubjectAccessReview", "authorization.k8s.io/SelfSubjectRulesReview", "authorization.k8s.io/SubjectAccessReview",
  "certificates.k8s.io/CertificateSigningRequest", "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema", "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "networking.k8s.io/IngressClass", "networking.k8s.io/IPAddress", "networking.k8s.io/ServiceCIDR",
  "node.k8s.io/RuntimeClass", "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
  "resource.k8s.io/DeviceClass", "resource.k8s.io/ResourceSlice", "scheduling.k8s.io/PriorityClass",
  "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode", "storage.k8s.io/StorageClass", "storage.k8s.io/VolumeAttachment", "storage.k8s.io/VolumeAttributesClass",
  "storagemigration.k8s.io/StorageVersionMigration", "gateway.networking.k8s.io/GatewayClass",
]);

/** `group/Kind` of an object or of a CRD's served kind: the key of CLUSTER_SCOPED_KINDS. */
export function groupKind(apiVersion: string, kind: string): string {
  return `${groupOf(apiVersion)}/${kind}`;
}

/**
 * The one identity of an object, as the API server stores it: API group, kind, namespace and name
 * (two versions of a group name one object). `namespace` is the effective one: the render's
 * default for an object that names none.
 */
export function objectKey(o: { apiVersion: string; kind: string; metadata: { name: string } }, namespace: string): string {
  return `${groupOf(o.apiVersion)}|${o.kind}|${namespace}|${o.metadata.name}`;
}

/** `Deployment bookshop/ratings-v1`: how objects are named in messages. */
export function describe(o: { kind: string; metadata: { name: string; namespace?: string } }, ns?: string): string {
  const n = o.metadata.namespace ?? ns;
  return `${o.kind} ${n ? `${n}/` : ""}${o.metadata.name}`;
}

/**
 * The identity of an object as a problem's structured reference (src/problems.ts ObjectRef), with
 * no place in the input (a generated object); `ns`, the namespace it takes effect in when it names none.
 */
export function objectRef(o: KObject, ns?: string): ObjectRef {
  const namespace = o.metadata.namespace ?? ns;
  return { apiVersion: o.apiVersion, kind: o.kind, ...(namespace !== undefined ? { namespace } : {}), name: o.metadata.name };
}

/** Does a Service-style equality selector match these labels? An empty selector selects nothing. */
export function mapSelects(selector: Labels | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  for (const k of keys) if (labels[k] !== selector[k]) return false;
  return true;
}

/** Does a metav1.LabelSelector match these labels? An empty selector matches everything, as in Kubernetes. */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case "In":
        if (!has || !(e.values ?? []).includes(val!)) return false;
        break;
      case "NotIn":
        if (has && (e.values ?? []).includes(val!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Keys a LabelSelector reads. */
export function selectorKeys(selector: LabelSelector | undefined): string[] {
  if (!selector) return [];
  return [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
}

/**
 * A deep copy of plain data as the YAML and JSON parsers produce it (objects, arrays, scalars):
 * several times faster than structuredClone. A value shared through a YAML alias is copied once
 * per place it appears, which is what the output (dumped without references) shows anyway.
 */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    const a = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) a[i] = clone(v[i]);
    return a as T;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = clone((v as Record<string, unknown>)[k]);
    // `__proto__` is an ordinary key in YAML and JSON; assigning it would set the prototype.
    if (k === "__proto__") Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out as T;
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
