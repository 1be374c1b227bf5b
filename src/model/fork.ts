// The Fork file: forks/<id>.yaml. One Fork per file; the identifier is metadata.name.
import * as z from "zod";
import { WORKLOAD_KINDS, type WorkloadKind } from "./kinds.ts";
import { dnsLabel, envVar, forkIdentifier, imageReference, labelMap, objectName, rfc3339 } from "./common.ts";

export const FORK_API_VERSION = "kubefork.dev/v1alpha1";

/** RFC 6902 operation on the copied workload. */
export const patchOp = z
  .strictObject({
    op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
    path: z.string().regex(/^(\/.*)?$/, "must be a JSON Pointer starting with '/'"),
    value: z.unknown().optional(),
    from: z.string().optional(),
  })
  .superRefine((op, ctx) => {
    if ((op.op === "add" || op.op === "replace" || op.op === "test") && !("value" in op)) {
      ctx.addIssue({ code: "custom", message: `op '${op.op}' needs a value`, path: ["value"] });
    }
    if ((op.op === "move" || op.op === "copy") && op.from === undefined) {
      ctx.addIssue({ code: "custom", message: `op '${op.op}' needs from`, path: ["from"] });
    }
  });
export type PatchOp = z.infer<typeof patchOp>;

export const containerOverride = z.strictObject({
  name: z.string().min(1),
  image: imageReference.optional(),
  env: z.array(envVar).optional(),
  args: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
});
export type ContainerOverride = z.infer<typeof containerOverride>;

export { WORKLOAD_KINDS, type WorkloadKind };

export const forkWorkload = z.strictObject({
  name: objectName,
  kind: z.enum(WORKLOAD_KINDS).default("Deployment"),
  namespace: dnsLabel.optional(),
  replicas: z.number().int().min(0).default(1),
  image: imageReference.optional(),
  env: z.array(envVar).optional(),
  containers: z.array(containerOverride).optional(),
  patches: z.array(patchOp).optional(),
});
export type ForkWorkload = z.infer<typeof forkWorkload>;

/** A base ConfigMap copied as `<name>-<id>` with these keys replaced or added (src/generate/configmap.ts). */
export const configMapOverride = z.strictObject({
  name: objectName,
  namespace: dnsLabel.optional(),
  data: z.record(z.string().regex(/^[-._a-zA-Z0-9]+$/, "must be a ConfigMap key: letters, digits, '-', '_' and '.'"), z.string()),
});
export type ConfigMapOverride = z.infer<typeof configMapOverride>;

/** References to Secret `from` in the fork's workloads point at the existing Secret `to` instead. */
export const secretRef = z.strictObject({ from: objectName, to: objectName });
export type SecretRef = z.infer<typeof secretRef>;

export const forkSpec = z.strictObject({
  expires: rfc3339.optional(),
  owner: z.string().min(1).optional(),
  env: z.array(envVar).optional(),
  workloads: z.array(forkWorkload).min(1, "a fork needs at least one workload"),
  configMaps: z.array(configMapOverride).optional(),
  secretRefs: z.array(secretRef).optional(),
});

export const forkSchema = z.strictObject({
  apiVersion: z.literal(FORK_API_VERSION),
  kind: z.literal("Fork"),
  metadata: z.strictObject({
    name: forkIdentifier,
    labels: labelMap.optional(),
    annotations: labelMap.optional(),
  }),
  spec: forkSpec,
});
export type Fork = z.infer<typeof forkSchema>;
