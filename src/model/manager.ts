// The ForkManager: kubefork.yaml at the root of the app directory.
import * as z from "zod/mini";
import { carrierIssues, carrierList } from "./carriers.ts";
import { dnsLabel, duration, labelMap } from "./common.ts";
import { ingressEntry } from "./ingress.ts";

export { EMISSARY_API_VERSIONS, type IngressEntry, type IngressKind } from "./ingress.ts";

/** The cluster DNS domain when the ForkManager sets no `clusterDomain` (Kubernetes' default). */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

export const MANAGER_API_VERSION = "kubefork.dev/v1alpha1";

const headerName = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]*$/, "must be a lower-case HTTP header name (Istio matches header keys in lower case)"));


/** An image pattern: `*` (anything), or `host[:port]/path` globs naming the registry host (see policy.ts). */
const imagePattern = z
  .string()
  .check(
    z.minLength(1),
    z.refine((s) => s === "*" || s.includes("/"), "must name the registry host, e.g. registry.example.com/* or docker.io/library/nginx:* ('*' alone allows every image)"),
  );

export const policySchema = z.strictObject({
  namespaces: z.optional(z.array(dnsLabel)),
  images: z.optional(z.array(imagePattern)),
  /** JSON Pointer prefixes (a `*` segment matches any one segment) that patches may change although restricted. */
  allowPatchPaths: z.optional(z.array(z.string().check(z.regex(/^\/.*$/, "must be a JSON Pointer such as /spec/template/spec/securityContext")))),
  /** Secret names (globs) a fork may reference beyond those its base workload references. */
  allowSecretRefs: z.optional(z.array(z.string().check(z.minLength(1)))),
  /** PersistentVolumeClaim names (globs) a fork's copies may mount beside the baseline although ReadWriteOnce or ReadWriteOncePod. */
  allowSharedClaims: z.optional(z.array(z.string().check(z.minLength(1)))),
  maxReplicas: z.optional(z.number().check(z.int(), z.gte(0))),
  maxForks: z.optional(z.number().check(z.int(), z.gte(0))),
  maxLifetime: z.optional(duration),
});
export type Policy = z.infer<typeof policySchema>;

/**
 * The mesh routing flavours: Istio VirtualServices, or Gateway API HTTPRoutes on Services (GAMMA).
 * The base decides per host (src/plan/routing.ts); `spec.routing` only for hosts it routes with
 * neither. Every flavour has a claim finder (plan/routing.ts) and generators (generate/routing.ts).
 */
export const ROUTING_FLAVOURS = ["istio", "gateway-api"] as const;
export type RoutingFlavour = (typeof ROUTING_FLAVOURS)[number];

export const managerSpec = z.strictObject({
  header: z._default(headerName, "x-fork-identifier"),
  baggage: z.optional(z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be a W3C baggage key (an HTTP token)"))),
  identifierEnv: z._default(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")), "FORK_IDENTIFIER"),
  forksDir: z._default(
    z
      .string()
      .check(
        z.regex(/^[^/.][^\0]*$/, "must be a relative directory inside the app directory"),
        z.refine((s) => !s.split("/").includes(".."), "must not leave the app directory"),
      ),
    "forks",
  ),
  clusterDomain: z._default(z.string(), DEFAULT_CLUSTER_DOMAIN),
  base: z.optional(
    z
      .strictObject({
        paths: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
        command: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
      })
      .check(z.refine((b) => !(b.paths && b.command), "set either base.paths or base.command, not both")),
  ),
  routing: z._default(z.enum(ROUTING_FLAVOURS), "istio"),
  ingress: z.optional(z.array(ingressEntry)),
  /** How a request names its fork (src/model/carriers.ts); default: the header, plus baggage when set. */
  carriers: z.optional(carrierList),
  policy: z.optional(policySchema),
});

export const managerSchema = z.strictObject({
  apiVersion: z.literal(MANAGER_API_VERSION),
  kind: z.literal("ForkManager"),
  metadata: z.strictObject({
    name: dnsLabel,
    namespace: z.optional(dnsLabel),
    labels: z.optional(labelMap),
    annotations: z.optional(labelMap),
  }),
  spec: z._default(managerSpec, () => managerSpec.parse({})),
}).check(
  z.superRefine((m, ctx) => {
    for (const i of carrierIssues(m.spec)) ctx.addIssue({ code: "custom", path: ["spec", ...i.path], message: i.message });
  }),
);
export type ForkManager = z.infer<typeof managerSchema>;
export type ManagerSpec = ForkManager["spec"];
