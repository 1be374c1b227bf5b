// Argo Rollouts' Rollout CRD, transcribed from argoproj/argo-rollouts tag v1.9.1 (commit
// b6bd3bcf8f60d717a98763d26acc983db7f97cb0), manifests/crds/rollout-crd.yaml, version v1alpha1:
// the spec fields kubefork's inputs use (a fork of a Rollout becomes a Deployment; the Rollout
// itself comes out as the base wrote it). Its one CEL rule (`self == oldSelf` on spec.selector) is
// a transition rule, checked only on update, and is kept for the record. spec.template is the
// core PodTemplateSpec (the CRD carries its generated schema, with volumes and resource quantities
// kept unchecked): it is checked with kubernetes-models' PodTemplateSpec, which does not reject
// unknown fields. Checked against the CRD node by node with a scratch script (kept out of the
// repository), the template aside.
import { PodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import { arr, bool, external, int, intOrString, map, obj, rule, str, type ObjSchema } from "./schema.ts";

const int32 = () => int({ format: "int32" });
const virtualService = () =>
  obj(
    { name: str(), routes: arr(str()), tcpRoutes: arr(obj({ port: int({ format: "int64" }) })), tlsRoutes: arr(obj({ port: int({ format: "int64" }), sniHosts: arr(str()) })) },
    { required: ["name"] },
  );
const podTemplate = external("PodTemplateSpec (kubernetes-models)", (value) => {
  try {
    new PodTemplateSpec(value as ConstructorParameters<typeof PodTemplateSpec>[0]).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
});

export const Rollout: ObjSchema = obj(
  {
    spec: obj({
      minReadySeconds: int32(),
      paused: bool(),
      progressDeadlineSeconds: int32(),
      replicas: int32(),
      revisionHistoryLimit: int32(),
      selector: obj(
        {
          matchExpressions: arr(obj({ key: str(), operator: str(), values: arr(str(), { listType: "atomic" }) }, { required: ["key", "operator"] }), { listType: "atomic" }),
          matchLabels: map(str()),
        },
        { cel: [rule("self == oldSelf", ".spec.selector is immutable")] },
      ),
      strategy: obj({
        blueGreen: obj({ activeService: str(), autoPromotionEnabled: bool(), previewService: str(), scaleDownDelaySeconds: int32() }, { required: ["activeService"] }),
        canary: obj({
          canaryService: str(),
          maxSurge: intOrString(),
          maxUnavailable: intOrString(),
          stableService: str(),
          steps: arr(obj({ pause: obj({ duration: intOrString() }), setWeight: int32() })),
          trafficRouting: obj({
            istio: obj({
              destinationRule: obj(
                { additionalSubsetNames: arr(str()), canarySubsetName: str(), name: str(), stableSubsetName: str() },
                { required: ["canarySubsetName", "name", "stableSubsetName"] },
              ),
              virtualService: virtualService(),
              virtualServices: arr(virtualService()),
            }),
          }),
        }),
      }),
      template: podTemplate,
      workloadRef: obj({ apiVersion: str(), kind: str(), name: str(), scaleDown: str() }),
    }),
  },
  { required: ["spec"] },
);

export const argoRolloutsSchemas: Record<string, ObjSchema> = { "argoproj.io/v1alpha1|Rollout": Rollout };
