// The one expiry rule, for the render, the plan, policy, gc, list, explain, new and the render
// cache: a fork is expired at `now` when its spec.expires is not after now; a fork without
// spec.expires never expires. spec.expires is read with the one RFC 3339 parser (common.ts).
import { parseRfc3339 } from "./formats.ts";
import type { Fork } from "./fork.ts";

/** When the fork expires, in ms since the epoch; undefined when it never does. */
export function expiresAt(fork: Fork): number | undefined {
  const e = fork.spec.expires;
  return e === undefined ? undefined : parseRfc3339(e);
}

/** Has the fork expired at `now`? */
export function isExpired(f: { fork: Fork }, now: number): boolean {
  const at = expiresAt(f.fork);
  return at !== undefined && at <= now;
}
