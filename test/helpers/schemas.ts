// Validates rendered objects against the real schemas: kubernetes-models for the core API, and the
// official CRDs of Gateway API, Istio, Emissary and Argo Rollouts with their CEL rules (test/crd/)
// for theirs. The @kubernetes-models CRD packages judge only kinds test/crd/ does not cover: they
// predate the releases kubefork targets (@kubernetes-models/gateway-api 0.5 still caps a rule at 8
// matches, where Gateway API v1.2 allows 64).
// Istio's networking.istio.io/v1 has the same schema as v1beta1 (the package predates v1).
import * as coreV1 from "kubernetes-models/v1";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as batchV1 from "kubernetes-models/batch/v1";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as networkingV1 from "kubernetes-models/networking.k8s.io/v1";
import * as rbacV1 from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as istioV1beta1 from "@kubernetes-models/istio/networking.istio.io/v1beta1";
import * as istioV1alpha3 from "@kubernetes-models/istio/networking.istio.io/v1alpha3";
import * as gatewayV1 from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import * as gatewayV1beta1 from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1";
import * as gatewayV1alpha2 from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1alpha2";
import * as securityV1beta1 from "@kubernetes-models/istio/security.istio.io/v1beta1";
import * as rolloutsV1alpha1 from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1";
import { coveredByCrd, validateCrdObjects } from "../crd/validate.ts";

type Model = { new (data: unknown): { validate(): void }; apiVersion?: string; kind?: string };

const registry = new Map<string, Model>();
function register(mod: Record<string, unknown>, alias?: { from: string; to: string }) {
  for (const v of Object.values(mod)) {
    const m = v as Model;
    if (typeof m !== "function" || !m.apiVersion || !m.kind) continue;
    registry.set(`${m.apiVersion}|${m.kind}`, m);
    if (alias && m.apiVersion === alias.to) registry.set(`${alias.from}|${m.kind}`, m);
  }
}
for (const mod of [coreV1, appsV1, batchV1, policyV1, autoscalingV2, networkingV1, rbacV1, istioV1alpha3, gatewayV1, gatewayV1beta1, gatewayV1alpha2, rolloutsV1alpha1])
  register(mod as Record<string, unknown>);
register(istioV1beta1 as Record<string, unknown>, { from: "networking.istio.io/v1", to: "networking.istio.io/v1beta1" });
register(securityV1beta1 as Record<string, unknown>, { from: "security.istio.io/v1", to: "security.istio.io/v1beta1" });

export interface SchemaResult {
  /** `Kind ns/name: message` for every object that fails its schema. */
  errors: string[];
  /** `apiVersion|kind` of objects no schema covers. */
  unknown: string[];
}

/** Validates each object with the model class of its apiVersion and kind. */
export function validateObjects(objects: readonly Record<string, unknown>[]): SchemaResult {
  const errors: string[] = [];
  const unknown: string[] = [];
  for (const o of objects) {
    if (coveredByCrd(o)) continue;
    const key = `${o.apiVersion}|${o.kind}`;
    const Model = registry.get(key);
    const md = (o.metadata ?? {}) as { name?: string; namespace?: string };
    if (!Model) {
      unknown.push(key);
      continue;
    }
    // The models pin their own apiVersion; a v1 Istio object is checked against v1beta1.
    const data = Model.apiVersion === o.apiVersion ? o : { ...o, apiVersion: Model.apiVersion };
    try {
      new Model(data).validate();
    } catch (e) {
      errors.push(`${o.kind} ${md.namespace ?? ""}/${md.name}: ${(e as Error).message}`);
    }
  }
  const crd = validateCrdObjects(objects);
  errors.push(...crd.errors);
  return { errors, unknown: [...new Set(unknown)].filter((k) => !crd.covered.includes(k)).sort() };
}
