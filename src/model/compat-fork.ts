// The original kubefork's Fork (wantedly/kubefork-controller api/v1beta1/fork_types.go;
// fork.k8s.wantedly.com/v1beta1, the design document writes vsconfig.k8s.wantedly.com/v1beta1):
// its schema and what a translated fork keeps of it. The reading itself is src/load/compat.ts.
import * as z from "zod/mini";
import type { Problem } from "../problems.ts";
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
