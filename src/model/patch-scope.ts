// The part of a copied workload an RFC 6902 operation can change, widened to the unit the guard
// rails compare (src/policy/allowlist.ts): one label or annotation key, one other metadata field,
// one spec field, one pod template field, one pod spec field (a whole container or volume list,
// compared by name). The workload generator snapshots these scopes around each operation, and the
// policy judges each operation by them alone, so patches are judged in time linear in their number.
import type { PatchOp } from "./fork.ts";
import { asRecord } from "./k8s.ts";

/** RFC 6901: a pointer's segments, unescaped. */
export function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

const escape = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** The pointer of `segments`. */
export function pointerOf(segments: readonly string[]): string {
  return segments.map((s) => `/${escape(s)}`).join("");
}

/** How many leading segments of a pointer make its scope, after what they are. */
function scopeDepth(s: readonly string[]): number {
  const meta = (at: number) => (s.length <= at + 1 ? s.length : s[at + 1] === "labels" || s[at + 1] === "annotations" ? Math.min(s.length, at + 3) : at + 2);
  if (s.length === 0) return 0;
  if (s[0] === "metadata") return meta(0);
  if (s[0] !== "spec") return 1;
  if (s.length === 1) return 1;
  if (s[1] !== "template") return 2;
  if (s.length === 2) return 2;
  if (s[2] === "metadata") return meta(2);
  if (s[2] !== "spec") return 3;
  return Math.min(s.length, 4);
}

/** The scope of a pointer: an ancestor of it (or itself) holding everything a change at it can affect. */
export function scopeOf(pointer: string): string[] {
  const s = pointerSegments(pointer);
  return s.slice(0, scopeDepth(s));
}

/** The scopes an operation may change: its path's, and for `move` its from's; none for `test`. */
export function operationScopes(op: Pick<PatchOp, "op" | "path" | "from">): string[][] {
  if (op.op === "test") return [];
  const out = [scopeOf(op.path)];
  if (op.op === "move" && op.from !== undefined) out.push(scopeOf(op.from));
  return out;
}

/**
 * The value at a pointer (as segments), walking records only: undefined when a step is missing or
 * not a record (an array or a scalar on the way hides what is below it, as the guard rails read it).
 */
export function valueAt(doc: unknown, segments: readonly string[]): unknown {
  let v: unknown = doc;
  for (const seg of segments) {
    const r = asRecord(v);
    if (!r || !Object.prototype.hasOwnProperty.call(r, seg)) return undefined;
    v = r[seg];
  }
  return v;
}
