// Times as people read them in a fork list: "in 3d 4h", "expired 2h ago".
import { formatRfc3339, parseDuration, parseRfc3339 } from "../model/formats.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A positive span, its two largest units: `3d 4h`, `4h 5m`, `12m`, `<1m`. */
export function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return "<1m";
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  const m = Math.floor((abs % HOUR) / MINUTE);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return `${m}m`;
}

/**
 * When a fork expires, relative to now: `in 3d 4h`, `expired 2h ago`, `never`. A fork whose
 * `expires` is not after now is expired (as the render judges it).
 */
export function expiryText(expires: string | undefined, now: number): string {
  if (expires === undefined) return "never";
  const t = parseRfc3339(expires);
  if (t === undefined) return expires;
  return t > now ? `in ${span(t - now)}` : `expired ${span(now - t)} ago`;
}

/** RFC 3339 in UTC to the second: `2026-11-26T12:00:00Z` (model/formats.ts formatRfc3339). */
export { formatRfc3339 as rfc3339 };

/**
 * `--expires`: a duration from now (`72h`, `7d`, `1h30m`) or an RFC 3339 time. Returns the time in
 * ms, or an error message.
 */
export function parseExpires(arg: string, now: number): { at: number } | { error: string } {
  const d = parseDuration(arg);
  if (d !== undefined) return d > 0 ? { at: now + d } : { error: `--expires ${arg} is not in the future` };
  const at = parseRfc3339(arg);
  if (at !== undefined) return at > now ? { at } : { error: `--expires ${arg} is in the past` };
  return { error: `--expires ${arg} is neither a duration (72h, 7d, 1h30m) nor an RFC 3339 time (2026-12-24T00:00:00Z)` };
}
