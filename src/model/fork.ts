// The Fork file: forks/<id>.yaml. One Fork per file; the identifier is metadata.name.
import * as z from "zod/mini";
import { WORKLOAD_KINDS } from "./kinds.ts";
import { dnsLabel, envVar, forkIdentifier, imageReference, labelMap, objectName, rfc3339 } from "./common.ts";

export const FORK_API_VERSION = "kubefork.dev/v1alpha1";

/** RFC 6902 operation on the copied workload. */
export const patchOp = z
  .strictObject({
    op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
    path: z.string().check(z.regex(/^(\/.*)?$/, "must be a JSON Pointer starting with '/'")),
    value: z.optional(z.unknown()),
    from: z.optional(z.string()),
  })
  .check(
    z.superRefine((op, ctx) => {
      if ((op.op === "add" || op.op === "replace" || op.op === "test") && !("value" in op)) {
        ctx.addIssue({ code: "custom", message: `op '${op.op}' needs a value`, path: ["value"] });
      }
      if ((op.op === "move" || op.op === "copy") && op.from === undefined) {
        ctx.addIssue({ code: "custom", message: `op '${op.op}' needs from`, path: ["from"] });
      }
    }),
  );
export type PatchOp = z.infer<typeof patchOp>;

export const containerOverride = z.strictObject({
  name: z.string().check(z.minLength(1)),
  image: z.optional(imageReference),
  env: z.optional(z.array(envVar)),
  args: z.optional(z.array(z.string())),
  command: z.optional(z.array(z.string())),
});
export type ContainerOverride = z.infer<typeof containerOverride>;

export const forkWorkload = z.strictObject({
  name: objectName,
  kind: z._default(z.enum(WORKLOAD_KINDS), "Deployment"),
  namespace: z.optional(dnsLabel),
  replicas: z._default(z.number().check(z.int(), z.gte(0)), 1),
  image: z.optional(imageReference),
  env: z.optional(z.array(envVar)),
  containers: z.optional(z.array(containerOverride)),
  patches: z.optional(z.array(patchOp)),
});
export type ForkWorkload = z.infer<typeof forkWorkload>;

/** A base ConfigMap copied as `<name>-<id>` with these keys replaced or added (src/generate/configmap.ts). */
export const configMapOverride = z.strictObject({
  name: objectName,
  namespace: z.optional(dnsLabel),
  data: z.record(z.string().check(z.regex(/^[-._a-zA-Z0-9]+$/, "must be a ConfigMap key: letters, digits, '-', '_' and '.'")), z.string()),
});
export type ConfigMapOverride = z.infer<typeof configMapOverride>;

/** References to Secret `from` in the fork's workloads point at the existing Secret `to` instead. */
export const secretRef = z.strictObject({ from: objectName, to: objectName });
export type SecretRef = z.infer<typeof secretRef>;

export const forkSpec = z.strictObject({
  expires: z.optional(rfc3339),
  owner: z.optional(z.string().check(z.minLength(1))),
  env: z.optional(z.array(envVar)),
  workloads: z.array(forkWorkload).check(z.minLength(1, "a fork needs at least one workload")),
  configMaps: z.optional(z.array(configMapOverride)),
  secretRefs: z.optional(z.array(secretRef)),
});

export const forkSchema = z.strictObject({
  apiVersion: z.literal(FORK_API_VERSION),
  kind: z.literal("Fork"),
  metadata: z.strictObject({
    name: forkIdentifier,
    labels: z.optional(labelMap),
    annotations: z.optional(labelMap),
  }),
  spec: forkSpec,
});
export type Fork = z.infer<typeof forkSchema>;
