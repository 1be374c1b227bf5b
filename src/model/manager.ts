// The ForkManager: kubefork.yaml at the root of the app directory.
import * as z from "zod";
import { dnsLabel, duration, labelMap } from "./common.ts";

export const MANAGER_API_VERSION = "kubefork.dev/v1alpha1";

const headerName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be a lower-case HTTP header name (Istio matches header keys in lower case)");

/** A DNS name whose labels are at most 63 characters and which is at most 253 characters long. */
const domainName = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS domain such as bookshop.example.com")
  .refine((d) => d.split(".").every((l) => l.length <= 63), "every label of a domain must be at most 63 characters")
  .refine((d) => d.length <= 253 - 2, "must leave room for the fork identifier: a host name is at most 253 characters");

export const EMISSARY_API_VERSIONS = ["getambassador.io/v3alpha1", "getambassador.io/v2"] as const;

export const ingressEntry = z
  .strictObject({
    kind: z.enum(["istio", "gateway-api", "emissary"]),
    domain: domainName,
    /** namespace/name of the Istio Gateway or the Gateway API Gateway (required for istio and gateway-api). */
    gateway: z.string().regex(/^([a-z0-9-]+\/)?[a-z0-9.-]+$/, "must be namespace/name of the Gateway").optional(),
    /** gateway-api: the listener of the Gateway to attach to (parentRefs[].sectionName). */
    sectionName: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be the name of a listener of the Gateway").optional(),
    service: z.string().regex(/^([a-z0-9-]+\/)?[a-z0-9-]+$/, "must be namespace/name of the entry Service").optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** emissary: the Mapping apiVersion; v2 for clusters still on Ambassador 1.x. */
    apiVersion: z.enum(EMISSARY_API_VERSIONS).optional(),
    /** emissary: ambassador_id of the Emissary installation that should serve the fork hosts. */
    ambassadorId: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.kind !== "emissary" && !e.gateway)
      ctx.addIssue({ code: "custom", path: ["gateway"], message: `kind ${e.kind} needs gateway: namespace/name of the Gateway the fork hosts attach to` });
    if (e.kind === "emissary" && e.gateway)
      ctx.addIssue({ code: "custom", path: ["gateway"], message: "kind emissary has no gateway (Mappings attach to the Emissary installation; use ambassadorId to pick one)" });
    if (e.kind !== "emissary" && e.apiVersion)
      ctx.addIssue({ code: "custom", path: ["apiVersion"], message: "apiVersion only applies to kind emissary" });
    if (e.kind !== "emissary" && e.ambassadorId)
      ctx.addIssue({ code: "custom", path: ["ambassadorId"], message: "ambassadorId only applies to kind emissary" });
    if (e.kind !== "gateway-api" && e.sectionName)
      ctx.addIssue({ code: "custom", path: ["sectionName"], message: "sectionName only applies to kind gateway-api" });
  });
export type IngressEntry = z.infer<typeof ingressEntry>;

/** An image pattern: `*` (anything), or `host[:port]/path` globs naming the registry host (see policy.ts). */
const imagePattern = z
  .string()
  .min(1)
  .refine((s) => s === "*" || s.includes("/"), "must name the registry host, e.g. registry.example.com/* or docker.io/library/nginx:* ('*' alone allows every image)");

export const policySchema = z.strictObject({
  namespaces: z.array(dnsLabel).optional(),
  images: z.array(imagePattern).optional(),
  /** JSON Pointer prefixes (a `*` segment matches any one segment) that patches may change although restricted. */
  allowPatchPaths: z.array(z.string().regex(/^\/.*$/, "must be a JSON Pointer such as /spec/template/spec/securityContext")).optional(),
  /** Secret names (globs) a fork may reference beyond those its base workload references. */
  allowSecretRefs: z.array(z.string().min(1)).optional(),
  maxReplicas: z.number().int().min(0).optional(),
  maxForks: z.number().int().min(0).optional(),
  maxLifetime: duration.optional(),
});
export type Policy = z.infer<typeof policySchema>;

export const managerSpec = z.strictObject({
  header: headerName.default("x-fork-identifier"),
  baggage: z
    .string()
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be a W3C baggage key (an HTTP token)")
    .optional(),
  identifierEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
    .default("FORK_IDENTIFIER"),
  forksDir: z
    .string()
    .regex(/^[^/.][^\0]*$/, "must be a relative directory inside the app directory")
    .refine((s) => !s.split("/").includes(".."), "must not leave the app directory")
    .default("forks"),
  clusterDomain: z.string().default("cluster.local"),
  base: z
    .strictObject({
      paths: z.array(z.string().min(1)).min(1).optional(),
      command: z.array(z.string().min(1)).min(1).optional(),
    })
    .refine((b) => !(b.paths && b.command), "set either base.paths or base.command, not both")
    .optional(),
  routing: z.enum(["istio", "gateway-api"]).default("istio"),
  ingress: z.array(ingressEntry).optional(),
  policy: policySchema.optional(),
});

export const managerSchema = z.strictObject({
  apiVersion: z.literal(MANAGER_API_VERSION),
  kind: z.literal("ForkManager"),
  metadata: z.strictObject({
    name: dnsLabel,
    namespace: dnsLabel.optional(),
    labels: labelMap.optional(),
    annotations: labelMap.optional(),
  }),
  spec: managerSpec.default(() => managerSpec.parse({})),
});
export type ForkManager = z.infer<typeof managerSchema>;
export type ManagerSpec = ForkManager["spec"];
