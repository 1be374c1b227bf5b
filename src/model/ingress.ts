// spec.ingress entries of kubefork.yaml: one strict object per ingress kind, discriminated by
// `kind`. Which fields a kind takes is written once, in its member here: a field of another kind
// is refused as an unknown field, with a hint naming the kind it belongs to (src/model/validate.ts),
// and a required field of the kind (the Gateway of istio and gateway-api) is missing for it.
//
// Adding a kind: a member here, and its adapter in src/generate/ingress.ts's table (the compiler
// refuses a kind without one: test/generate/ingress-kinds.test.ts), a fixture, the README.
import * as z from "zod/mini";

/** The longest DNS label and the longest DNS name (RFC 1123). */
export const MAX_DNS_LABEL = 63;
export const MAX_DNS_NAME = 253;

/** A DNS name whose labels are at most 63 characters and which is at most 253 characters long. */
const domainName = z
  .string()
  .check(
    z.regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS domain such as bookshop.example.com"),
    z.refine((d) => d.split(".").every((l) => l.length <= MAX_DNS_LABEL), `every label of a domain must be at most ${MAX_DNS_LABEL} characters`),
    z.refine((d) => d.length <= MAX_DNS_NAME - 2, `must leave room for the fork identifier: a host name is at most ${MAX_DNS_NAME} characters`),
  );

/** namespace/name of the Istio Gateway or the Gateway API Gateway the fork hosts attach to. */
const gatewayRef = z
  .string()
  .check(z.regex(/^([a-z0-9-]+\/)?[a-z0-9.-]+$/, "must be namespace/name of the Gateway"))
  .register(z.globalRegistry, { description: "namespace/name of the Gateway the fork hosts attach to" });

/** The fields every kind takes. */
const common = {
  domain: domainName,
  /** namespace/name of the Service requests to the fork host reach when the base routes none for `domain`. */
  service: z.optional(z.string().check(z.regex(/^([a-z0-9-]+\/)?[a-z0-9-]+$/, "must be namespace/name of the entry Service"))),
  port: z.optional(z.number().check(z.int(), z.gte(1), z.lte(65535))),
};

export const EMISSARY_API_VERSIONS = ["getambassador.io/v3alpha1", "getambassador.io/v2"] as const;

export const istioIngressEntry = z.strictObject({
  kind: z.literal("istio"),
  ...common,
  gateway: gatewayRef,
});

export const gatewayApiIngressEntry = z.strictObject({
  kind: z.literal("gateway-api"),
  ...common,
  gateway: gatewayRef,
  /** The listener of the Gateway to attach to (parentRefs[].sectionName). */
  sectionName: z.optional(z.string().check(z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be the name of a listener of the Gateway"))),
});

export const emissaryIngressEntry = z.strictObject({
  kind: z.literal("emissary"),
  ...common,
  /** The Mapping apiVersion; v2 for clusters still on Ambassador 1.x. */
  apiVersion: z.optional(z.enum(EMISSARY_API_VERSIONS)),
  /** ambassador_id of the Emissary installation that should serve the fork hosts. */
  ambassadorId: z.optional(z.union([z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1))).check(z.minLength(1))])),
});

const MEMBERS = [istioIngressEntry, gatewayApiIngressEntry, emissaryIngressEntry] as const;
export const ingressEntry = z.discriminatedUnion("kind", MEMBERS);

export type IngressEntry = z.infer<typeof ingressEntry>;
/** The ingress kinds: the enum every table over them (src/generate/ingress.ts) is keyed by. */
export type IngressKind = IngressEntry["kind"];
/** The entry of one kind. */
export type IngressEntryOf<K extends IngressKind> = Extract<IngressEntry, { kind: K }>;

/** The kinds, read from the union itself (tests compare them with the adapter table's keys). */
export const INGRESS_KINDS: readonly IngressKind[] = MEMBERS.map((m) => m.shape.kind._zod.def.values[0]!);

/**
 * The fork's host under an entry's domain, `<id>.<domain>`: the one place it is written. With
 * `invalid`, why it would not be a DNS name (a label over 63 characters, a name over 253): a
 * truncated host would route a different name than the user types.
 */
export function forkHostOf(id: string, domain: string): { host: string; invalid?: string } {
  const host = `${id}.${domain}`;
  if (id.length > MAX_DNS_LABEL) return { host, invalid: `its first label '${id}' has ${id.length} characters (at most ${MAX_DNS_LABEL})` };
  if (host.length > MAX_DNS_NAME) return { host, invalid: `it has ${host.length} characters (at most ${MAX_DNS_NAME})` };
  return { host };
}
