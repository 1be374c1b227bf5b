// Positions in a plain YAML file (./documents.ts parsePlain) from js-yaml's event stream, the
// parse js-yaml's loadAll is made of (js-yaml 5: loadAll = constructFromEvents(parseEvents(text))).
// A problem asking for a line used to re-parse the file with the `yaml` package, about 1.3 s for a
// 1 MB fork file (more than ten times js-yaml's parseEvents); the events are taken again only when
// a position is asked (keeping them for every fork file would hold about a hundred bytes per
// value). The answer is the one locateInYamlDoc (./documents.ts) gives on the `yaml` package's
// nodes, which test/load/parse-small.test.ts checks field by field; where the events do not say
// it plainly (a block scalar's header, an empty value) this returns undefined and the caller asks
// the `yaml` package. A collection is indexed on its first lookup (a sequence's items, a mapping's
// keys), so that a problem per patch operation of a long list is located in time linear in their
// number.
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, type Event } from "js-yaml";
import type { Position } from "../model/source.ts";
import type { PathSegment } from "../problems.ts";
import { resolvePlain } from "./yaml11.ts";

interface EventIndex {
  events: Event[];
  /** For each event, the index just past its node (past the POP of a collection). */
  end: Int32Array;
  /** The event index of each document's root node. */
  roots: number[];
  /** Offsets where lines start. */
  lines: number[];
  /** Of each collection looked into: a sequence's item events, a mapping's key events by key (the first of each), built on its first lookup. */
  items: Map<number, Int32Array>;
  keys: Map<number, Map<string, number>>;
}

/** Locates `path` in document `doc` of a plain YAML text; undefined when the events cannot say it as the `yaml` package would. */
export function eventLocator(text: string): (doc: number, path: readonly PathSegment[]) => Position | undefined {
  let index: EventIndex | null | undefined;
  return (doc, path) => {
    if (index === undefined) index = indexEvents(text);
    const root = index?.roots[doc];
    if (!index || root === undefined) return undefined;
    const at = locateEvent(index, text, root, path);
    const offset = at === undefined ? undefined : nodeOffset(index.events[at]!);
    return offset === undefined ? undefined : position(index.lines, offset);
  };
}

function indexEvents(text: string): EventIndex | null {
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return null;
  }
  const end = new Int32Array(events.length);
  const open: number[] = [];
  const roots: number[] = [];
  events.forEach((e, i) => {
    if (e.type === EVENT_ID.DOCUMENT) roots.push(i + 1);
    if (e.type === EVENT_ID.DOCUMENT || e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) open.push(i);
    else if (e.type === EVENT_ID.POP) end[open.pop()!] = i + 1;
    else end[i] = i + 1;
  });
  const lines = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines.push(i + 1);
  return { events, end, roots, lines, items: new Map(), keys: new Map() };
}

/** The event locateInYamlDoc would point at: the key of the last field found, else the last node found. */
function locateEvent(index: EventIndex, text: string, root: number, path: readonly PathSegment[]): number | undefined {
  const { events, end } = index;
  let node = root;
  let key: number | undefined;
  for (const seg of path) {
    key = undefined;
    const e = events[node]!;
    let next = -1;
    if (e.type === EVENT_ID.MAPPING) {
      const k = mappingKeys(index, text, node).get(String(seg));
      if (k !== undefined) {
        key = k;
        next = end[k]!;
      }
    } else if (e.type === EVENT_ID.SEQUENCE && typeof seg === "number") {
      const items = sequenceItems(index, node);
      // As a walk of `seg` items has it: a fraction rounds up, a negative index is the first item.
      const n = seg > 0 ? Math.ceil(seg) : 0;
      if (n < items.length) next = items[n]!;
    }
    if (next < 0) break;
    node = next;
  }
  return key ?? node;
}

/** The key events of a mapping, by key as the `yaml` package compares them; the first of a key repeated. */
function mappingKeys({ events, end, keys }: EventIndex, text: string, node: number): Map<string, number> {
  let m = keys.get(node);
  if (!m) {
    m = new Map();
    const last = end[node]! - 1; // the mapping's POP
    for (let k = node + 1; k < last; k = end[end[k]!]!) {
      const s = keyString(events[k]!, text);
      if (s !== undefined && !m.has(s)) m.set(s, k);
    }
    keys.set(node, m);
  }
  return m;
}

/** The item events of a sequence, in order. */
function sequenceItems({ end, items }: EventIndex, node: number): Int32Array {
  let a = items.get(node);
  if (!a) {
    const last = end[node]! - 1; // the sequence's POP
    let n = 0;
    for (let i = node + 1; i < last; i = end[i]!) n++;
    a = new Int32Array(n);
    n = 0;
    for (let i = node + 1; i < last; i = end[i]!) a[n++] = i;
    items.set(node, a);
  }
  return a;
}

/** A mapping key as the `yaml` package compares it (String of its resolved value); undefined for a key that is not a scalar. */
function keyString(e: Event, text: string): string | undefined {
  if (e.type !== EVENT_ID.SCALAR) return undefined;
  const raw = getScalarValue(text, e);
  return e.style === SCALAR_STYLE.PLAIN ? String(resolvePlain(raw).value) : raw;
}

/** Where the `yaml` package's node starts: a collection at its start, a scalar at its first character (a quoted one at its quote). */
function nodeOffset(e: Event): number | undefined {
  if (e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) return e.start;
  if (e.type !== EVENT_ID.SCALAR || e.valueStart < 0) return undefined;
  if (e.style === SCALAR_STYLE.PLAIN) return e.valueStart;
  if (e.style === SCALAR_STYLE.SINGLE_QUOTED || e.style === SCALAR_STYLE.DOUBLE_QUOTED) return e.valueStart - 1;
  return undefined;
}

function position(lines: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lines[lo]! + 1 };
}
