// Validates rendered custom resources as the API server would with the official CRDs installed
// (see schema.ts): the transcribed openAPIV3Schema, defaults first, then the CEL rules. Gateway API
// objects are checked against both release channels, since kubefork cannot know which one a cluster
// runs. metadata is checked as apimachinery checks every object's (a custom resource's name is a
// DNS-1123 subdomain; label keys are qualified names and values at most 63 characters;
// k8s.io/apimachinery pkg/api/validation/objectmeta.go and pkg/util/validation/validation.go).
import { argoRolloutsSchemas } from "./argo-rollouts.ts";
import { emissarySchemas } from "./emissary.ts";
import { gatewayApiSchemas } from "./gateway-api.ts";
import { istioSchemas } from "./istio.ts";
import { validateAgainst, type Channel, type ObjSchema } from "./schema.ts";

export const crdSchemas: Record<string, ObjSchema> = { ...gatewayApiSchemas, ...istioSchemas, ...emissarySchemas, ...argoRolloutsSchemas };

/**
 * The API groups whose CRDs are transcribed: an object of such a group with no schema here is an
 * error, never skipped. argoproj.io is shared with Argo CD: only Argo Rollouts' kinds are in scope.
 */
const IN_SCOPE: Record<string, (kind: string) => boolean> = {
  "gateway.networking.k8s.io": () => true,
  "networking.istio.io": () => true,
  "security.istio.io": () => true,
  "getambassador.io": () => true,
  "argoproj.io": (kind) => ["Rollout", "AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun", "Experiment"].includes(kind),
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'";
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0] as string];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return "prefix part must be a DNS-1123 subdomain";
  if (!name || name.length > 63 || !QUALIFIED_NAME.test(name)) return "name part must be at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric";
  return undefined;
}

export function metadataProblems(o: Record<string, unknown>): string[] {
  const md = (o.metadata ?? {}) as { name?: unknown; labels?: Record<string, unknown>; annotations?: Record<string, unknown> };
  const out: string[] = [];
  if (typeof md.name !== "string" || md.name.length > 253 || !DNS_SUBDOMAIN.test(md.name)) out.push(`metadata.name: Invalid value: ${JSON.stringify(md.name)}: a lowercase RFC 1123 subdomain`);
  for (const [k, v] of Object.entries(md.labels ?? {})) {
    const p = qualifiedNameProblem(k);
    if (p) out.push(`metadata.labels: Invalid value: ${JSON.stringify(k)}: ${p}`);
    if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) out.push(`metadata.labels: Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or at most 63 alphanumeric characters, '-', '_' or '.'`);
  }
  let size = 0;
  for (const [k, v] of Object.entries(md.annotations ?? {})) {
    const p = qualifiedNameProblem(k.toLowerCase());
    if (p) out.push(`metadata.annotations: Invalid value: ${JSON.stringify(k)}: ${p}`);
    size += k.length + (typeof v === "string" ? v.length : 0);
  }
  if (size > 256 * 1024) out.push(`metadata.annotations: Too long: must have at most 262144 bytes`);
  return out;
}

/** Whether an object's kind is checked here (then other schema packages need not, and must not, judge it). */
export function coveredByCrd(o: Record<string, unknown>): boolean {
  const apiVersion = String(o.apiVersion ?? "");
  const group = apiVersion.includes("/") ? (apiVersion.split("/")[0] as string) : "";
  return IN_SCOPE[group]?.(String(o.kind)) ?? false;
}

const channelsOf = (apiVersion: string): Channel[] => (apiVersion.startsWith("gateway.networking.k8s.io/") ? ["standard", "experimental"] : ["standard"]);

export interface CrdResult {
  /** `Kind ns/name: path: message` per violation. */
  errors: string[];
  /** `apiVersion|kind` of the objects checked here. */
  covered: string[];
}

/** Checks every object of a transcribed API group; objects of other groups are left to the caller. */
export function validateCrdObjects(objects: readonly Record<string, unknown>[]): CrdResult {
  const errors: string[] = [];
  const covered = new Set<string>();
  for (const o of objects) {
    const apiVersion = String(o.apiVersion ?? "");
    if (!coveredByCrd(o)) continue;
    const key = `${apiVersion}|${o.kind}`;
    const md = (o.metadata ?? {}) as { name?: string; namespace?: string };
    const who = `${o.kind} ${md.namespace ?? ""}/${md.name}`;
    const schema = crdSchemas[key];
    if (!schema) {
      errors.push(`${who}: no transcribed CRD schema for ${key} (add it under test/crd/)`);
      continue;
    }
    covered.add(key);
    for (const p of metadataProblems(o)) errors.push(`${who}: ${p}`);
    for (const channel of channelsOf(apiVersion)) {
      for (const v of validateAgainst(o, schema, channel)) {
        const line = `${who}: ${v.path}: ${v.message}${channelsOf(apiVersion).length > 1 ? ` (${channel} channel)` : ""}`;
        if (!errors.includes(line)) errors.push(line);
      }
    }
  }
  return { errors, covered: [...covered].sort() };
}
