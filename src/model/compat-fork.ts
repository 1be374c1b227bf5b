// The original kubefork's Fork (wantedly/kubefork-controller api/v1beta1/fork_types.go;
// fork.k8s.wantedly.com/v1beta1, the design document writes vsconfig.k8s.wantedly.com/v1beta1):
// its schema and what a translated fork keeps of it. The reading itself is src/load/compat.ts;
// resolving it against the base, src/plan/compat.ts.
import * as z from "zod/mini";
import type { PathSegment, Problem } from "../problems.ts";
import type { SourceDoc } from "./source.ts";
import { dnsLabel, envVar, labelMap, rfc3339 } from "./common.ts";

export const COMPAT_API_VERSIONS = ["fork.k8s.wantedly.com/v1beta1", "vsconfig.k8s.wantedly.com/v1beta1"] as const;

const labelSelector = z.strictObject({
  matchLabels: z.optional(labelMap),
  matchExpressions: z.optional(
    z.array(z.strictObject({ key: z.string().check(z.minLength(1)), operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]), values: z.optional(z.array(z.string())) })),
  ),
});

/** A container of the template: name, image and env are what the original used; the rest is noted. */
const compatContainer = z.looseObject({ name: z.string().check(z.minLength(1)), image: z.optional(z.string()), env: z.optional(z.array(envVar)) });

export const compatForkSchema = z.strictObject({
  apiVersion: z.enum(COMPAT_API_VERSIONS),
  kind: z.literal("Fork"),
  // Loose: a Fork exported from a cluster carries uid, resourceVersion, managedFields...
  metadata: z.optional(z.looseObject({ name: z.optional(z.string()), namespace: z.optional(dnsLabel), labels: z.optional(labelMap), annotations: z.optional(labelMap) })),
  spec: z.strictObject({
    manager: z.optional(z.string()),
    identifier: dnsLabel,
    deadline: z.nullish(rfc3339),
    gatewayOptions: z.nullish(z.strictObject({ addRequestHeaders: z.optional(labelMap), allowUpgrade: z.optional(z.array(z.string())) })),
    services: z.nullish(z.strictObject({ selector: z.nullish(labelSelector) })),
    deployments: z.nullish(
      z.strictObject({
        selector: z.nullish(labelSelector),
        replicas: z.nullish(z.number().check(z.int(), z.gte(0))),
        template: z.nullish(
          z.strictObject({
            metadata: z.nullish(z.looseObject({ labels: z.optional(labelMap), annotations: z.optional(labelMap) })),
            spec: z.nullish(z.strictObject({ containers: z.optional(z.array(compatContainer)), hostname: z.optional(z.string()) })),
          }),
        ),
      }),
    ),
  }),
  status: z.optional(z.unknown()),
});
export type CompatFork = z.infer<typeof compatForkSchema>;

/** What a compat fork keeps until the base resolves its selectors. */
export interface CompatSource {
  original: CompatFork;
  /** Notes about fields without meaning here, positioned in the original file. */
  notes: Problem[];
}

/** Where each translated workload came from, to point problems of kubefork.dev paths into the original. */
export interface WorkloadOrigin {
  /** Container index in the original template, by index in the translated entry. */
  containers: number[];
}

/** A SourceDoc that answers kubefork.dev paths with positions in the original document. */
export function compatDoc(doc: SourceDoc, origins: () => WorkloadOrigin[] | undefined): SourceDoc {
  const map = (path: readonly PathSegment[]): PathSegment[] => {
    const [a, b, i, field, j, ...rest] = path;
    if (a === "metadata" && b === "name") return ["spec", "identifier"];
    if (a !== "spec") return [...path];
    if (b === "expires") return ["spec", "deadline"];
    if (b !== "workloads") return [...path];
    if (field === "replicas") return ["spec", "deployments", "replicas"];
    if (field === "containers" && typeof i === "number" && typeof j === "number") {
      const k = origins()?.[i]?.containers[j];
      if (k !== undefined) return ["spec", "deployments", "template", "spec", "containers", k, ...rest];
    }
    if (field === "patches") return ["spec", "deployments", "template"];
    return ["spec", "deployments", "selector"];
  };
  return { ...doc, locate: (path) => doc.locate(map(path)) };
}
