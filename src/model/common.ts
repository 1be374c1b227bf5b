import * as z from "zod/mini";
import { LIMITS } from "./limits.ts";

// zod/mini, not the classic API: the same parser and issues without the chainable methods that
// classic zod attaches to every schema object, so less code to load and less work to build the
// schemas at every start (issue 7). zod/mini carries no messages of its own: importing this module
// sets zod's global configuration to English messages.
z.config(z.locales.en());

/** DNS-1123 label: what a fork identifier, a namespace and most generated names must be. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const dnsLabel = z
  .string()
  .check(
    z.maxLength(63, "must be at most 63 characters (a DNS-1123 label)"),
    z.regex(DNS1123_LABEL, "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit"),
  );

/**
 * A fork identifier: a DNS-1123 label of at most LIMITS.identifierLength characters, short enough
 * for every name, label value and host built from it (see src/model/limits.ts).
 */
export const FORK_ID_MAX = LIMITS.identifierLength;
export const forkIdentifier = z
  .string()
  .check(
    z.maxLength(FORK_ID_MAX, `must be at most ${FORK_ID_MAX} characters: it appears in hosts <id>.<domain>, label values fork-<id> and names <name>-<id>`),
    z.regex(DNS1123_LABEL, "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit"),
  );

/**
 * A container image reference as the distribution/reference grammar writes it:
 * `[host[:port]/]path[:tag][@digest]`, lower-case path components.
 */
const REF_DOMAIN = String.raw`(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?`;
const REF_PATH = String.raw`[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`;
export const IMAGE_REFERENCE = new RegExp(
  String.raw`^(?:${REF_DOMAIN}/)?${REF_PATH}(?:/${REF_PATH})*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);
export const imageReference = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(4096),
    z.regex(IMAGE_REFERENCE, "must be an image reference such as registry.example.com/team/app:1.2 (host[:port]/path[:tag][@digest])"),
  );

/** A Kubernetes object name (DNS-1123 subdomain). */
export const objectName = z
  .string()
  .check(z.minLength(1), z.maxLength(253), z.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'"));

export const labelMap = z.record(z.string(), z.string());

/** Kubernetes EnvVar: `value` or `valueFrom`, never both. `valueFrom` keeps the Kubernetes shape. */
export const envVar = z
  .strictObject({
    name: z.string().check(z.minLength(1), z.regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, "must be a valid environment variable name")),
    value: z.optional(z.string()),
    valueFrom: z.optional(
      z.strictObject({
        configMapKeyRef: z.optional(z.record(z.string(), z.unknown())),
        secretKeyRef: z.optional(z.record(z.string(), z.unknown())),
        fieldRef: z.optional(z.record(z.string(), z.unknown())),
        resourceFieldRef: z.optional(z.record(z.string(), z.unknown())),
      }),
    ),
  })
  .check(
    z.refine((e) => !(e.value !== undefined && e.valueFrom !== undefined), {
      message: "set either value or valueFrom, not both",
    }),
  );
export type EnvVar = z.infer<typeof envVar>;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * The one RFC 3339 parser (section 5.6 date-time), for every file and every `--now`/`--expires`:
 * `T` between date and time (a space is refused), a real calendar date (no 2026-02-30), hours
 * 0-23, no leap second (Go's time.Parse, which Kubernetes uses, refuses those too), an offset or Z.
 * Returns ms since the epoch, or undefined.
 */
export function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > daysInMonth) return undefined;
  let offset = 0;
  if (m[9]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // years below 100 too, which Date.UTC would shift by 1900
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime() - offset;
}

export function isRfc3339(s: string): boolean {
  return parseRfc3339(s) !== undefined;
}

/** One check, one message: the shape and a real calendar date. */
export const rfc3339 = z.string().check(z.refine(isRfc3339, "must be an RFC 3339 date-time such as 2026-12-24T00:00:00Z"));

/** A Go-style duration: 168h, 90m, 1h30m, 7d (days accepted for convenience). */
export const DURATION = /^(\d+(\.\d+)?(d|h|m|s|ms))+$/;
export const duration = z.string().check(z.regex(DURATION, "must be a duration such as 72h, 90m or 7d"));

export function parseDuration(s: string): number | undefined {
  if (!DURATION.test(s)) return undefined;
  const unit: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}
