// The part of a copied workload an RFC 6902 operation can change, widened to the unit the guard
// rails compare (src/policy/allowlist.ts): one label or annotation key, one other metadata field,
// one spec field, one pod template field, one pod spec field (a whole container or volume list,
// compared by name). An operation on one volume (`/spec/template/spec/volumes/-`, `.../volumes/3`,
// `.../volumes/3/secret/secretName`) is snapshotted as that volume alone, before and after it, with
// its index (volumeView): the judge keeps the rest of the list (src/policy/copies.ts
// VolumeTracker). An operation inside one field of one container (`/spec/template/spec/containers/0/env/-`)
// is snapshotted as a view of its container list instead: every container reduced to its name and
// image (what names it and what the image rule reads), with the one field it touches, or for
// env, args and command the one element. The workload generator snapshots these scopes around each
// operation, and the policy judges each operation by them alone, so patches are judged in time
// linear in their number, an env or volume list of any length included.
import type { PatchOp } from "./fork.ts";
import { asRecord, clone } from "./k8s.ts";

// RFC 6901 pointers: the one reader and writer (src/util/paths.ts).
import { pointerSegments } from "../util/paths.ts";
export { pointerOf, pointerSegments } from "../util/paths.ts";

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

/**
 * One field of one container an operation touches: the field as a whole, or one element of it
 * (inserted, removed, or changed in place).
 */
export interface FieldTouch {
  item: number;
  field: string;
  element?: { index: number; mode: "insert" | "remove" | "set" };
}

/**
 * One volume an operation touches: inserted at `index` (of the list after it), removed from it
 * (of the list before it), or changed at it, whole or below (`set`, the same index on both sides).
 */
export interface VolumeTouch {
  index: number;
  mode: Mode;
}

/**
 * A scope of an operation: the value at `at`, or with `touches` a view of the container list there
 * (see containerListView), or with `volume` a view of the one volume of the volume list there
 * (see volumeView).
 */
export interface Scope {
  at: string[];
  touches?: FieldTouch[];
  volume?: VolumeTouch;
}

/** Where the pod's volume list is. */
export const VOLUMES: readonly string[] = ["spec", "template", "spec", "volumes"];

const CONTAINER_LISTS = new Set(["initContainers", "containers", "ephemeralContainers"]);

/**
 * Container fields whose elements are snapshotted alone. Each must be one the allowlist skips in a
 * container the reference has (ALLOWED_CONTAINER_FIELDS of src/policy/allowlist.ts, which the
 * property test holds this to): there only the Secrets an element references count, and in a new
 * container only whether the container changed, which an element's insertion, removal or change
 * decides.
 */
export const ELEMENT_FIELDS: ReadonlySet<string> = new Set(["env", "args", "command"]);

/** The scopes an operation may change, read on the document before it: its path's, and for `move` its from's; none for `test`. */
export function operationScopes(op: Pick<PatchOp, "op" | "path" | "from">, doc: unknown): Scope[] {
  if (op.op === "test") return [];
  const writes: [string, Mode][] = [[op.path, op.op === "remove" ? "remove" : op.op === "replace" ? "set" : "insert"]];
  if (op.op === "move" && op.from !== undefined) writes.push([op.from, "remove"]);
  const out: Scope[] = [];
  for (const [pointer, mode] of writes) {
    const s = pointerSegments(pointer);
    const volume = volumeTouch(doc, s, mode);
    if (volume) {
      out.push({ at: s.slice(0, 4), volume });
      continue;
    }
    const touch = fieldTouch(doc, s, mode);
    if (!touch) {
      out.push({ at: s.slice(0, scopeDepth(s)) });
      continue;
    }
    const at = s.slice(0, 4);
    const view = out.find((o) => o.touches && sameSegments(o.at, at));
    if (view) view.touches = addTouch(view.touches!, touch);
    else out.push({ at, touches: [touch] });
  }
  // Two volumes of one operation (a `move` within the list): the whole list, whose indices the
  // first write shifts under the second.
  if (out.filter((o) => o.volume).length > 1) {
    const rest = out.filter((o) => !o.volume);
    rest.push({ at: [...VOLUMES] });
    return rest.filter((o) => !o.touches || !rest.some((w) => isWhole(w) && sameSegments(w.at, o.at)));
  }
  // A list both viewed and taken whole: whole.
  return out.filter((o) => isWhole(o) || !out.some((w) => isWhole(w) && sameSegments(w.at, o.at)));
}

function isWhole(o: Scope): boolean {
  return !o.touches && !o.volume;
}

type Mode = "insert" | "remove" | "set";

/**
 * The volume a pointer writes, if it writes one of the pod's volume list (an array): the item at
 * a plain index (or `-` to append), itself (`mode`) or something below it (`set`).
 */
function volumeTouch(doc: unknown, s: readonly string[], mode: Mode): VolumeTouch | undefined {
  if (s.length < 5 || !VOLUMES.every((x, i) => s[i] === x)) return undefined;
  const list = valueAt(doc, VOLUMES);
  if (!Array.isArray(list)) return undefined;
  const m: Mode = s.length === 5 ? mode : "set";
  const index = m === "insert" && s[4] === "-" ? list.length : arrayIndex(s[4]!, m === "insert" ? list.length + 1 : list.length);
  return index === undefined ? undefined : { index, mode: m };
}

/**
 * The container field a pointer writes in, if it is in one: the item must be a record at a plain
 * index of an array, and the field not `name` (which is the container's identity: the whole list).
 * An element when the field is an array and the pointer names an element of it: `mode` for the
 * element itself, `set` for anything below it.
 */
function fieldTouch(doc: unknown, s: readonly string[], mode: Mode): FieldTouch | undefined {
  if (s.length < 6 || s[0] !== "spec" || s[1] !== "template" || s[2] !== "spec" || !CONTAINER_LISTS.has(s[3]!) || s[5] === "name") return undefined;
  const list = valueAt(doc, s.slice(0, 4));
  if (!Array.isArray(list)) return undefined;
  const item = arrayIndex(s[4]!, list.length);
  const container = item === undefined ? undefined : asRecord(list[item]);
  if (item === undefined || !container) return undefined;
  const field = s[5]!;
  const value = Object.prototype.hasOwnProperty.call(container, field) ? container[field] : undefined;
  if (s.length === 6 || !ELEMENT_FIELDS.has(field) || !Array.isArray(value)) return { item, field };
  const m: Mode = s.length === 7 ? mode : "set";
  const index = m === "insert" && s[6] === "-" ? value.length : arrayIndex(s[6]!, m === "insert" ? value.length + 1 : value.length);
  return index === undefined ? { item, field } : { item, field, element: { index, mode: m } };
}

/** Two touches of one field of one item: the whole field. */
function addTouch(touches: FieldTouch[], t: FieldTouch): FieldTouch[] {
  const same = touches.findIndex((x) => x.item === t.item && x.field === t.field);
  if (same < 0) return [...touches, t];
  return touches.map((x, i) => (i === same ? { item: t.item, field: t.field } : x));
}

/** A plain array index below `bound` (no sign, no leading zero), or undefined. */
function arrayIndex(seg: string, bound: number): number | undefined {
  if (!/^(0|[1-9][0-9]{0,8})$/.test(seg)) return undefined;
  const n = Number(seg);
  return n < bound ? n : undefined;
}

function sameSegments(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What an operation's snapshot holds at a scope, `when` before or after it: a deep copy of the value, or the view. */
export function snapshot(doc: unknown, scope: Scope, when: "before" | "after"): unknown {
  const v = valueAt(doc, scope.at);
  if (scope.volume && Array.isArray(v)) return volumeView(v, scope.volume, when);
  return scope.touches && Array.isArray(v) ? containerListView(v, scope.touches, when) : clone(v);
}

/**
 * A volume list as the judge needs it around an operation on one of its volumes: that volume
 * alone (a copy), on the side where it is (an insertion's after it, a removal's before it, a
 * change's on both), or nothing.
 */
export function volumeView(list: readonly unknown[], touch: VolumeTouch, when: "before" | "after"): unknown[] {
  const present = touch.mode === "set" || (touch.mode === "insert") === (when === "after");
  return present && touch.index < list.length ? [clone(list[touch.index])] : [];
}

/**
 * A container list as the judge needs it around an operation inside its items' fields: every item
 * a record of its `name` and (string) `image` only, in the item's own key order, the touched items
 * with their touched fields too, whole or as a one-element array (an empty one on the side of an
 * insertion or removal where the element is not). Items that are not records are empty records,
 * as the allowlist reads them.
 */
export function containerListView(list: readonly unknown[], touches: readonly FieldTouch[], when: "before" | "after"): unknown[] {
  return list.map((x, i) => {
    const r = asRecord(x);
    const out: Record<string, unknown> = {};
    if (!r) return out;
    const mine = touches.filter((t) => t.item === i);
    for (const k of Object.keys(r)) {
      const t = mine.find((m) => m.field === k);
      if (t) put(out, k, t.element ? elementView(r[k], t.element, when) : clone(r[k]));
      else if (k === "name" || (k === "image" && typeof r[k] === "string")) put(out, k, clone(r[k]));
    }
    return out;
  });
}

function elementView(v: unknown, e: NonNullable<FieldTouch["element"]>, when: "before" | "after"): unknown[] {
  const present = e.mode === "set" || (e.mode === "insert") === (when === "after");
  return present && Array.isArray(v) && e.index < v.length ? [clone(v[e.index])] : [];
}

/** Own properties whatever the key (`__proto__` is data here). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
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
