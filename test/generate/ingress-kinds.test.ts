// The table of ingress kinds: every kind of the schema has its adapter, checked by the compiler
// (`npm test` runs tsc over test/: an unused @ts-expect-error fails it) and again at run time.
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { INGRESS_ADAPTERS, type IngressAdapter } from "../../src/generate/ingress.ts";
import { emissaryAdapter } from "../../src/generate/ingress-emissary.ts";
import { INGRESS_KINDS, emissaryIngressEntry, gatewayApiIngressEntry, istioIngressEntry, type IngressKind } from "../../src/model/ingress.ts";

// The schema with one more kind, as someone adding `traefik` to src/model/ingress.ts would write it.
const withTraefik = z.discriminatedUnion("kind", [
  istioIngressEntry,
  gatewayApiIngressEntry,
  emissaryIngressEntry,
  z.strictObject({ kind: z.literal("traefik"), domain: z.string() }),
]);
type KindsWithTraefik = z.infer<typeof withTraefik>["kind"];
type Table<K extends string> = { readonly [P in K]: P extends IngressKind ? IngressAdapter<P> : unknown };

// @ts-expect-error: the adapter table has no adapter for "traefik", so a kind added to the schema alone does not compile
export const traefikWithoutAdapter: Table<KindsWithTraefik> = INGRESS_ADAPTERS;

// @ts-expect-error: an adapter of one kind is no adapter of another (its entries have other fields)
export const swapped: typeof INGRESS_ADAPTERS = { ...INGRESS_ADAPTERS, istio: emissaryAdapter };

// The table as it is fills the schema's kinds exactly.
export const exact: Table<IngressKind> = INGRESS_ADAPTERS;

describe("ingress kinds", () => {
  it("every kind of the schema has an adapter, and every adapter a kind of the schema", () => {
    expect(Object.keys(INGRESS_ADAPTERS).sort()).toEqual([...INGRESS_KINDS].sort());
    expect(INGRESS_KINDS).toEqual(["istio", "gateway-api", "emissary"]);
  });

  it.each(Object.entries(INGRESS_ADAPTERS))("%s: names the routes it writes", (_kind, a) => {
    expect(a.routeKind.endsWith(`/${a.routeLabel}`)).toBe(true);
  });
});
