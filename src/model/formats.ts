// The formats of kubefork's own fields, as plain functions and patterns: no zod, so that what
// needs them alone (the settings of a render served from the cache, src/cli/settings.ts) does not
// initialise the schemas. The schemas (src/model/common.ts) are built from these.
import { LIMITS } from "./limits.ts";

/** DNS-1123 label: what a fork identifier, a namespace and most generated names must be. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A fork identifier: a DNS-1123 label of at most LIMITS.identifierLength characters, short enough
 * for every name, label value and host built from it (see src/model/limits.ts).
 */
export const FORK_ID_MAX = LIMITS.identifierLength;
/** The rule, as hints state it wherever an identifier is refused. */
export const FORK_ID_RULE = `a DNS-1123 label of at most ${FORK_ID_MAX} characters: lower-case letters, digits and '-', starting and ending with a letter or digit`;

export function isForkIdentifier(s: string): boolean {
  return s.length <= FORK_ID_MAX && DNS1123_LABEL.test(s);
}

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

/** A time as RFC 3339 in UTC to the second, `2026-11-26T12:00:00Z`: the one writer, as parseRfc3339 is the one reader. */
export function formatRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A Go-style duration: 168h, 90m, 1h30m, 7d (days accepted for convenience). */
export const DURATION = /^(\d+(\.\d+)?(d|h|m|s|ms))+$/;

export function parseDuration(s: string): number | undefined {
  if (!DURATION.test(s)) return undefined;
  const unit: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}
