// Carriers: the ways a request says which fork it belongs to (`spec.carriers` of kubefork.yaml).
//
// Each carrier is one more match block per fork route; which apps it serves depends on what they
// forward on their outgoing calls:
//   header      the fork header (`spec.header: <id>`), forwarded only by apps that are told to;
//   baggage     the W3C baggage entry `<spec.baggage>=<id>` (OpenTelemetry propagates baggage);
//   tracestate  the W3C tracestate entry `kubefork=<id>` (propagated with traceparent by every
//               W3C trace-context implementation; receivers discard a tracestate without a
//               traceparent: trace-context spec/30-processing-model.md, step 3);
//   traceId     the fork's identity in the trace id itself: a fork owns a fixed 64-bit prefix of
//               the 128-bit trace id, derived from its identifier; routes match `traceparent` and
//               `x-b3-traceid` with that prefix. Any app that propagates trace context keeps it;
//   source      calls from a fork's own pods (Istio `sourceLabels`), with no forwarding at all.
//
// The W3C facts are from w3c/trace-context @acab820b (spec/20-http_request_header_format.md):
// traceparent = version "-" trace-id "-" parent-id "-" trace-flags, 2/32/16/2 lower-case hex
// (lines 74-96), a higher version may append "-..." fields (lines 234-241); a trace id of all
// zeros is invalid (line 103); the right-most 7 bytes SHOULD be random and the random flag 0x02
// says so (lines 107-108, 183-191); tracestate keys are `(lcalpha / DIGIT) 0*255(keychar)`
// (lines 298-303), list members are separated by "," with optional spaces or tabs around them,
// at most 32 (lines 273-284).
import * as z from "zod/mini";

export const CARRIERS = ["header", "baggage", "tracestate", "traceId", "source"] as const;
export type Carrier = (typeof CARRIERS)[number];

/** `spec.carriers`: a list of carrier names, each at most once. */
export const carrierList = z.array(z.enum(CARRIERS));

/** The tracestate key of the `tracestate` carrier (a valid W3C key: lower-case letters). */
export const TRACESTATE_KEY = "kubefork";
/** The baggage key when the `baggage` carrier is chosen without `spec.baggage`. */
export const DEFAULT_BAGGAGE_KEY = "kubefork";

/**
 * Hex characters of the trace id a fork owns: 16 = 64 bits. A random 128-bit trace id starts with
 * one given fork's prefix with probability 2^-64 (5.4e-20), so with 1,000 live forks a request
 * with a random trace id reaches a fork with probability 5.4e-17; at a million requests a second
 * for a year (3.2e13 requests), 1.7e-3 such requests in all. The other 64 bits stay random, which
 * satisfies the W3C random flag (right-most 7 bytes random) and keeps minted ids unique (a
 * repeat is expected only after about 2^32 = 4.3e9 ids minted for one fork).
 */
export const TRACE_ID_PREFIX_HEX = 16;

/** What the render needs to know about the carriers: every decision made once, from the spec. */
export interface CarrierSpec {
  /** The chosen carriers, in canonical order (CARRIERS). */
  carriers: readonly Carrier[];
  header: string;
  /** The baggage key, when `baggage` is a carrier. */
  baggageKey?: string;
}

interface CarrierFields {
  header: string;
  baggage?: string | undefined;
  carriers?: readonly Carrier[] | undefined;
}

/** The carriers in force: `spec.carriers`, else the header, plus baggage when `spec.baggage` is set. */
export function carriersOf(spec: CarrierFields): CarrierSpec {
  const chosen = new Set<Carrier>(spec.carriers ?? ["header", ...(spec.baggage ? (["baggage"] as const) : [])]);
  const carriers = CARRIERS.filter((c) => chosen.has(c));
  const out: CarrierSpec = { carriers, header: spec.header };
  if (chosen.has("baggage")) out.baggageKey = spec.baggage ?? DEFAULT_BAGGAGE_KEY;
  return out;
}

export function hasCarrier(cs: CarrierSpec, c: Carrier): boolean {
  return cs.carriers.includes(c);
}

/**
 * Cross-field rules of `spec.carriers`, as zod issues (path relative to spec). Whether `source`
 * can apply depends on the flavour each forked host is routed with, which the plan decides from
 * the base (src/plan/routing.ts), not on `spec.routing`: the render checks it (src/generate/carriers.ts
 * sourceCarrierProblems).
 */
export function carrierIssues(spec: CarrierFields): { path: (string | number)[]; message: string }[] {
  const list = spec.carriers;
  if (list === undefined) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<Carrier>();
  list.forEach((c, i) => {
    if (seen.has(c)) issues.push({ path: ["carriers", i], message: `carrier '${c}' is listed twice` });
    seen.add(c);
  });
  if (!seen.has("header"))
    issues.push({ path: ["carriers"], message: "spec.carriers must include 'header': per-fork hosts set the fork header, and every other carrier is matched alongside it" });
  if (spec.baggage !== undefined && !seen.has("baggage"))
    issues.push({ path: ["baggage"], message: "spec.baggage is set but spec.carriers does not list 'baggage': add 'baggage' to spec.carriers, or remove spec.baggage" });
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Trace ids.

/** The 64-bit trace-id prefix (16 lower-case hex characters) that fork `id` owns. */
export function traceIdPrefix(id: string): string {
  // Loaded on first use, as in plan/names.ts: most commands never need node:crypto.
  const { createHash } = process.getBuiltinModule("node:crypto");
  return createHash("sha256").update(`kubefork.dev/trace-id:${id}`).digest("hex").slice(0, TRACE_ID_PREFIX_HEX);
}

/**
 * Why a prefix cannot be a fork's, if it cannot: all zeros is what tracers with 64-bit ids send
 * as the high half of a W3C trace id (left-padded), so it would catch every such trace.
 */
export function unusablePrefix(prefix: string): string | undefined {
  return /^0+$/.test(prefix) ? "it is all zeros, the high half of every 64-bit trace id padded to 128 bits" : undefined;
}

export interface MintedTrace {
  traceId: string;
  spanId: string;
  traceparent: string;
}

/**
 * A trace context under fork `id`'s prefix, from 16 random bytes (the caller's: a generator never
 * draws randomness itself). The random half of the trace id and the span id come from them; the
 * flags are 03 (sampled, and random-trace-id: the right-most 8 bytes are random).
 */
export function mintTrace(id: string, random: Uint8Array): MintedTrace {
  if (random.length < 16) throw new Error("mintTrace needs 16 random bytes");
  const hex = Buffer.from(random.subarray(0, 16)).toString("hex");
  const traceId = traceIdPrefix(id) + hex.slice(0, 32 - TRACE_ID_PREFIX_HEX);
  let spanId = hex.slice(16, 32);
  if (/^0+$/.test(spanId)) spanId = "0000000000000001"; // all zeros is an invalid parent-id
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-03` };
}

/** The 32-hex trace id in a traceparent (any version but ff), or undefined. */
export function traceIdOfTraceparent(value: string): string | undefined {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/.exec(value.trim());
  if (!m || m[1] === "ff" || (m[1] === "00" && m[5] !== undefined)) return undefined;
  return m[2];
}
