// Text → documents that remember where they came from.
//
// Two parsers, one contract. Fork files and kubefork.yaml are small and every error in them must
// point at a field, so they go through the `yaml` package, which keeps a node for every value.
// The base can be megabytes; it goes through js-yaml (several times faster), split into documents
// at their `---` lines so each document still knows its first line. Only when a base document has
// a problem that needs a field's line is that one document parsed again with positions.
import * as jsyaml from "js-yaml";
import { LineCounter, parseAllDocuments, isAlias, isMap, isSeq, isPair, isScalar, visit, type Node as YamlNode, type Document } from "yaml";
import { error, type PathSegment, type Problem, type ProblemCode } from "../problems.ts";
import { LIMITS } from "../model/limits.ts";
import type { Position, SourceDoc, TextFile } from "../model/source.ts";
import { GO_YAML_SCHEMA, goFloatKey, goYamlTags, resolvePlain, unrepresentableResolved, InexactInteger } from "./yaml11.ts";
import { eventLocator } from "./event-positions.ts";

export interface ParseLimits {
  /** Most aliases (`*ref`) a document may use. */
  maxAliases: number;
  /** Deepest nesting of collections. */
  maxDepth: number;
  /** Most documents in one file. */
  maxDocuments: number;
  /** Most values one document may expand to through aliases: refuses billion-laughs documents. */
  maxNodes: number;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxAliases: LIMITS.aliases,
  maxDepth: LIMITS.depth,
  maxDocuments: LIMITS.documentsPerFile,
  maxNodes: LIMITS.expandedNodes,
};

/**
 * Above this size a file with a syntax error is not parsed a second time by the `yaml` package
 * just to place the error: js-yaml's first error (with its line) is reported. The `yaml` package
 * recovers from every error, so a garbled 600 KB fork file once cost it 6 s and 770 MB.
 */
const REPARSE_FOR_POSITION_BYTES = 128 * 1024;

type Parsed = { docs: SourceDoc[]; problems: Problem[] };

// ---------------------------------------------------------------- exact integers

/** The 1-based line and column of `offset` in `text`; a line ends at \n, \r\n or \r. */
function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r")) + 1;
  return { line: before.split(/\r\n|\r|\n/).length, column: offset - lineStart + 1 };
}

/** A parse of `file`, refused where Kubernetes would read it otherwise than kubefork could print it. */
function checked(file: TextFile, parse: () => Parsed): Parsed {
  const bom = lineBom(file) ?? yaml11Break(file);
  if (bom) return { docs: [], problems: [bom] };
  const parsed = representable(parse);
  return SURROGATE_ESCAPE.test(file.text) ? withoutLoneSurrogates(parsed) : parsed;
}

/**
 * A raw NEL (U+0085), LS (U+2028) or PS (U+2029) in a YAML file: a line break for go-yaml v2 (YAML
 * 1.1), which folds or splits the scalar there, and a plain character for YAML 1.2 readers. JSON
 * reads them as characters, as Go's JSON does.
 */
function yaml11Break(file: TextFile): Problem | undefined {
  if (file.path.endsWith(".json")) return undefined;
  const at = file.text.search(/[\u0085\u2028\u2029]/);
  if (at < 0) return undefined;
  const name = ({ "\u0085": "NEL (U+0085)", "\u2028": "LS (U+2028)", "\u2029": "PS (U+2029)" } as Record<string, string>)[file.text[at]!];
  return error({
    code: "KF1001",
    file: file.path,
    ...positionAt(file.text, at),
    message: `malformed YAML: a raw ${name}, a line break for Kubernetes' reader (YAML 1.1) and not for kubefork's`,
    hint: "write it as an escape in a double-quoted string (\\N, \\L, \\P), or remove it",
  });
}

/** A `\uD800`-`\uDFFF` escape: the only way a lone surrogate gets into a string (the bytes are valid UTF-8). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/**
 * Refused where a string (or key) holds a lone surrogate: go-yaml v2 refuses the escape ("found
 * invalid Unicode character escape code"), Go's JSON reads U+FFFD; kubefork would print an escape
 * that go-yaml then refuses in its output.
 */
function withoutLoneSurrogates(parsed: Parsed): Parsed {
  const found = parsed.docs.flatMap((doc) => {
    const path = loneSurrogateAt(doc.value)?.path;
    if (!path) return [];
    return [
      error({
        code: "KF1001",
        file: doc.file,
        ...doc.locate(path),
        doc: doc.index,
        message: "malformed YAML: a \\u escape of a lone surrogate (U+D800-U+DFFF), which Kubernetes' reader refuses",
        hint: "write the character itself, or the escape of a whole code point (\\U0001F600)",
      }),
    ];
  });
  return found.length ? { docs: [], problems: [...parsed.problems, ...found] } : parsed;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const loneSurrogateAt = (v: unknown) => firstPath(v, (x) => typeof x === "string" && LONE_SURROGATE.test(x), (k) => LONE_SURROGATE.test(k));

/**
 * The first value (depth first, in key order) that `hit` holds, or the value of the first key
 * `hitKey` holds, with its path. Over a parsed document, whose expanded size the readers bound (ParseLimits.maxNodes).
 */
function firstPath(v: unknown, hit: (v: unknown) => boolean, hitKey: (k: string) => boolean = () => false, path: PathSegment[] = []): { path: PathSegment[]; value: unknown } | undefined {
  if (hit(v)) return { path, value: v };
  if (v === null || typeof v !== "object") return undefined;
  const entries: [PathSegment, unknown][] = Array.isArray(v) ? v.map((c, i) => [i, c]) : Object.entries(v);
  for (const [k, c] of entries) {
    if (typeof k === "string" && hitKey(k)) return { path: [...path, k], value: c };
    const found = firstPath(c, hit, hitKey, [...path, k]);
    if (found) return found;
  }
  return undefined;
}

/**
 * A byte-order mark at the start of a line after the first (files joined with `cat`): go-yaml v2
 * skips it there (scan_to_next_token), JavaScript readers keep it in the key or value that
 * follows, so `<BOM>data:` would lose `data`. Refused, with its line; a leading BOM is dropped
 * when the file is decoded.
 */
function lineBom(file: TextFile): Problem | undefined {
  const at = file.text.search(/[\n\r]\uFEFF/);
  if (at < 0) return undefined;
  return error({
    code: "KF1001",
    file: file.path,
    ...positionAt(file.text, at + 1),
    message: "malformed YAML: a byte-order mark (U+FEFF) at the start of this line",
    hint: "remove it (files joined with cat keep each one's mark): Kubernetes' reader skips it, kubefork would read it as part of a key",
  });
}

/**
 * A parse, refused where it holds a value no render can print as Kubernetes reads it: an integer
 * past 2^53 (an InexactInteger; Kubernetes keeps the int64 exactly) or .inf/.nan (no JSON holds
 * them). Free when the parse resolved none, which is every real manifest.
 */
function representable(parse: () => Parsed): Parsed {
  const before = unrepresentableResolved();
  const parsed = parse();
  if (unrepresentableResolved() === before) return parsed;
  const found = parsed.docs.flatMap((doc) => {
    const found = firstPath(doc.value, unrepresentable);
    if (!found) return [];
    const value = found.value as InexactInteger | number;
    const where = { ...doc.locate(found.path), doc: doc.index };
    return [value instanceof InexactInteger ? inexactProblem(doc.file, value.text, where) : nonFiniteProblem(doc.file, value, where)];
  });
  return found.length ? { docs: [], problems: [...parsed.problems, ...found] } : parsed;
}

const unrepresentable = (v: unknown): v is InexactInteger | number => v instanceof InexactInteger || (typeof v === "number" && !Number.isFinite(v));

function nonFiniteProblem(file: string, v: number, at: { line: number; column?: number; doc?: number }): Problem {
  return error({
    code: "KF1008",
    file,
    ...at,
    message: `the value ${Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf"} is a float no JSON can hold: the API server refuses the object (kubefork would print null in JSON)`,
    hint: "quote it if it is meant as a string, or write a finite number",
  });
}

function inexactProblem(file: string, text: string, at: { line: number; column?: number; doc?: number }): Problem {
  return error({
    code: "KF1007",
    file,
    ...at,
    message: `the integer ${text} is past 2^53: Kubernetes keeps it exactly (int64), kubefork cannot, and would print another number`,
    hint: "quote it if it is meant as a string; kubefork carries integers up to 9007199254740991 exactly",
  });
}

// ---------------------------------------------------------------- positioned (yaml package)

/** Parses every document of a file keeping positions. For fork files and kubefork.yaml. */
export function parsePositioned(file: TextFile, limits: ParseLimits = DEFAULT_LIMITS): Parsed {
  return checked(file, () => positionedRaw(file, limits));
}

function positionedRaw(file: TextFile, limits: ParseLimits = DEFAULT_LIMITS): Parsed {
  const lineCounter = new LineCounter();
  const problems: Problem[] = [];
  const docs: SourceDoc[] = [];
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(file.text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false, schema: "failsafe", customTags: goYamlTags as never, merge: true }) as Document.Parsed[];
  } catch (e) {
    return { docs, problems: [error({ code: "KF1001", file: file.path, line: 1, message: `cannot parse: ${(e as Error).message}` })] };
  }
  if (!Array.isArray(parsed)) parsed = [parsed as unknown as Document.Parsed];
  if (parsed.length > limits.maxDocuments) {
    const pos = lineCounter.linePos(parsed[limits.maxDocuments]!.range[0]);
    return { docs, problems: [tooManyDocuments(file.path, pos.line, parsed.length, limits)] };
  }
  for (const [index, doc] of parsed.entries()) {
    const one = positionedDoc(file, doc, index, lineCounter, limits);
    if ("problems" in one) for (const p of one.problems) problems.push(p);
    else if (one.doc) docs.push(one.doc);
  }
  return { docs, problems: capped(file, problems) };
}

/** At most this many syntax problems are reported of one file: the first ones say what is wrong. */
const MAX_PROBLEMS_PER_FILE = 20;

/** The first MAX_PROBLEMS_PER_FILE problems, and one that counts the rest (a garbled file can have one per line). */
function capped(file: TextFile, problems: Problem[]): Problem[] {
  if (problems.length <= MAX_PROBLEMS_PER_FILE) return problems;
  const shown = problems.slice(0, MAX_PROBLEMS_PER_FILE - 1);
  const next = problems[shown.length]!;
  shown.push(
    error({
      code: "KF1001",
      file: file.path,
      ...(next.line === undefined ? {} : { line: next.line }),
      ...(next.column === undefined ? {} : { column: next.column }),
      message: `${problems.length - shown.length} more problems in this file from here, not listed`,
      hint: "fix the first ones: a YAML syntax error often makes every line after it an error",
    }),
  );
  return shown;
}

/** One parsed document as a SourceDoc, nothing for an empty one, or its syntax, alias or shape problems. */
function positionedDoc(file: TextFile, doc: Document.Parsed, index: number, lineCounter: LineCounter, limits: ParseLimits): { doc?: SourceDoc } | { problems: Problem[] } {
  if (doc.errors.length > 0) return { problems: syntaxProblems(file, doc, index, lineCounter) };
  if (doc.contents === null) return {}; // an empty document: `---` with nothing after it
  const key = keyProblem(doc);
  if (key) {
    const pos = lineCounter.linePos(key.node?.range?.[0] ?? doc.range[0]);
    return { problems: [error({ file: file.path, line: pos.line, column: pos.col, doc: index, code: key.code, message: key.message, hint: key.hint })] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliases });
  } catch (e) {
    const pos = lineCounter.linePos(doc.range[0]);
    return {
      problems: [
        error({
          file: file.path,
          line: pos.line,
          column: pos.col,
          doc: index,
          code: "KF1006",
          message: `cannot load document: ${firstLine((e as Error).message)}`,
          hint: `YAML aliases are limited (at most ${limits.maxAliases} per document, expanding to at most ${limits.maxNodes} values) to keep expansion bounded; write the values out`,
        }),
      ],
    };
  }
  // A document of comments only (Helm's `# Source:` of an empty template, a trailing `---`) is no
  // object, as in the fast path.
  if (value === null || value === undefined) return {};
  const shape = shapeProblem(value, limits);
  if (shape) {
    const pos = lineCounter.linePos(doc.range[0]);
    return { problems: [error({ file: file.path, line: pos.line, column: pos.col, doc: index, ...shape })] };
  }
  const start = lineCounter.linePos(doc.contents.range[0]);
  return { doc: { file: file.path, index, line: start.line, value, locate: (path) => locateInYamlDoc(doc, lineCounter, path) } };
}

/** What go-yaml v2 reads otherwise than kubefork would in a document's keys, where: the first of the key checks that finds something. */
interface KeyFinding {
  node: YamlNode | null;
  code: ProblemCode;
  message: string;
  hint: string;
}

/** The key checks, in order: merge order, float and null keys, collections as keys. */
const KEY_CHECKS: readonly ((doc: Document.Parsed) => KeyFinding | undefined)[] = [
  (doc) => {
    const m = mergeOrderConflict(doc);
    return m && {
      node: m.node,
      code: "KF1009",
      message: `the \`<<\` merge here sets '${m.key}', which ${m.why}: Kubernetes (go-yaml v2) takes the value set last in the mapping, YAML 1.2 readers the one set first`,
      hint: "put the `<<` merge first in the mapping, before the keys that override it",
    };
  },
  (doc) => {
    const k = floatOrNullKey(doc);
    return k && {
      node: k.node,
      code: "KF1001",
      message: `malformed YAML: the key ${k.text === "" ? "(empty)" : `'${k.text}'`} resolves to ${k.kind === "null" ? "null, which Kubernetes' reader refuses as a key" : "a float, which Kubernetes' reader writes as text otherwise (1000000.0 as 1e+06, at float32 precision)"}`,
      hint: "quote the key: a key is a string",
    };
  },
  (doc) => {
    const node = collectionKey(doc);
    return node && {
      node,
      code: "KF1001",
      message: "malformed YAML: a mapping or sequence used as a key",
      hint: "Kubernetes' reader (go-yaml v2) refuses a collection as a mapping key: write the key as a string",
    };
  },
];

function keyProblem(doc: Document.Parsed): KeyFinding | undefined {
  for (const check of KEY_CHECKS) {
    const found = check(doc);
    if (found) return found;
  }
  return undefined;
}

/**
 * Where go-yaml v2 and the `yaml` package disagree on a `<<` merge: go-yaml applies a mapping's
 * pairs in order, each setting its keys (a later one wins; within one `<<: [a, b]`, the earlier
 * source wins), the `yaml` package never lets a merge replace a key already set. They differ when
 * a merge sets a key that an explicit pair before it already set.
 */
function mergeOrderConflict(doc: Document.Parsed): { node: YamlNode; key: string; why: string } | undefined {
  let found: { node: YamlNode; key: string; why: string } | undefined;
  const keysOf = mergedKeys(doc);
  visit(doc, {
    Map(_, map) {
      // (Two `<<` in one mapping are a duplicate key to the `yaml` package: refused before this.)
      const explicit = new Set<string>();
      for (const pair of map.items) {
        if (isMergeKey(pair.key)) {
          const clash = [...keysOf(pair.value)].find((k) => explicit.has(k));
          if (clash !== undefined) {
            found = { node: pair.key as YamlNode, key: clash, why: "a key before it in the mapping sets too" };
            return visit.BREAK;
          }
        } else explicit.add(keyText(pair.key));
      }
      return undefined;
    },
  });
  return found;
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key) || (key.type !== undefined && key.type !== "PLAIN")) return false;
  const v = key.value;
  return v === "<<" || (typeof v === "symbol" && v.description === "<<");
}

/** A key as a JavaScript object holds it: the resolved scalar's text (`yes:` is "true"). */
function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/**
 * The keys a `<<` value sets: those of its mapping (or of each mapping of its list), their own
 * merges too. Each mapping's set is computed once: merges of merges of aliases are no way to make
 * this exponential (a 1 KB fork of 13 levels of 8 aliases each once ran past Argo CD's deadline).
 * Aliases resolve through one table of the document's anchors, not a walk of it per alias.
 */
function mergedKeys(doc: Document.Parsed): (value: unknown) => ReadonlySet<string> {
  const anchors = new Map<string, unknown[]>();
  visit(doc, {
    Node(_, node) {
      if (!node.anchor) return;
      const list = anchors.get(node.anchor);
      if (list) list.push(node);
      else anchors.set(node.anchor, [node]);
    },
  });
  const memo = new Map<unknown, ReadonlySet<string>>();
  const none: ReadonlySet<string> = new Set();
  const keysOf = (value: unknown): ReadonlySet<string> => {
    // An anchor defined twice: the yaml package finds the one an alias means (the last before it).
    const source = isAlias(value) ? (anchors.get(value.source)?.length === 1 ? anchors.get(value.source)![0] : value.resolve(doc)) : value;
    const known = memo.get(source);
    if (known) return known;
    memo.set(source, none); // a cycle, were the yaml package to allow one, sets nothing more
    const keys = new Set<string>();
    const add = (more: Iterable<string>) => {
      for (const k of more) keys.add(k);
    };
    if (isSeq(source)) for (const it of source.items) add(keysOf(it));
    if (isMap(source)) for (const pair of source.items) add(isMergeKey(pair.key) ? keysOf(pair.value) : [keyText(pair.key)]);
    memo.set(source, keys);
    return keys;
  };
  return keysOf;
}

/**
 * The first plain key that go-yaml v2 resolves to null, or to a float that sigs.k8s.io/yaml writes
 * otherwise than JavaScript (strconv.FormatFloat(k, 'g', -1, 32): 1000000.0 as 1e+06, 0.1 as 0.1
 * but 0.3333333333333333 as 0.33333334); it refuses a nil key. Integer and boolean keys are
 * written alike by both ("8080", "true").
 */
function floatOrNullKey(doc: Document.Parsed): { node: YamlNode | null; text: string; kind: "float" | "null" } | undefined {
  let found: { node: YamlNode | null; text: string; kind: "float" | "null" } | undefined;
  visit(doc, {
    Pair(_, pair) {
      const k = pair.key;
      if (k === null || (isScalar(k) && k.value === null && k.source === undefined)) found = { node: null, text: "", kind: "null" };
      else if (isScalar(k) && (k.type === undefined || k.type === "PLAIN") && !isMergeKey(k)) {
        const text = String(k.source ?? k.value);
        const r = resolvePlain(text);
        // A float key is fine where Go writes the text JavaScript does (`1.5`, `08` as "8").
        const v = r.value as number;
        if (r.kind === "null" || (r.kind === "float" && (!Number.isFinite(v) || goFloatKey(v) !== String(v)))) found = { node: k, text, kind: r.kind };
      }
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

/** The first key that is a mapping or a sequence (`? {a: 1} : x`), which go-yaml v2 cannot decode into a map: the `yaml` package would stringify it. */
function collectionKey(doc: Document.Parsed): YamlNode | undefined {
  let found: YamlNode | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isMap(pair.key) || isSeq(pair.key)) {
        found = pair.key;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** The `yaml` package's errors in one document, as problems. */
function syntaxProblems(file: TextFile, doc: Document.Parsed, index: number, lineCounter: LineCounter): Problem[] {
  const listed = doc.errors.slice(0, MAX_PROBLEMS_PER_FILE - 1).map((err) => {
    // An error found at the end of the file (an unclosed bracket) is reported on the last line that has content.
    const end = file.text.trimEnd().length;
    const pos = lineCounter.linePos(err.pos[0] >= end && end > 0 ? end - 1 : err.pos[0]);
    return error({
      file: file.path,
      line: pos.line,
      column: pos.col,
      doc: index,
      code: err.code === "DUPLICATE_KEY" ? "KF1003" : "KF1001",
      message: `malformed YAML: ${firstLine(err.message)}`,
      hint: yamlHint(err.code),
    });
  });
  // Counted, not listed: building a problem per error of a garbled 1 MB file is what took seconds.
  const more = doc.errors.length - listed.length;
  if (more > 0) {
    const from = lineCounter.linePos(doc.errors[listed.length]!.pos[0]);
    listed.push(error({ code: "KF1001", file: file.path, line: from.line, column: from.col, doc: index, message: `${more} more syntax errors in this document from here, not listed`, hint: "fix the first ones: a YAML syntax error often makes every line after it an error" }));
  }
  return listed;
}

function locateInYamlDoc(doc: Document.Parsed, lc: LineCounter, path: readonly PathSegment[]): Position {
  let node: unknown = doc.contents;
  let best: YamlNode | null = doc.contents as YamlNode | null;
  let keyNode: YamlNode | null = null;
  for (const seg of path) {
    keyNode = null;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      keyNode = pair.key as YamlNode;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
    } else break;
    if (node && typeof node === "object" && "range" in (node as object)) best = node as YamlNode;
    else if (keyNode) best = keyNode;
    else break;
  }
  // Point at the key of the last field found (`image: x`, `patches:` above its list); an item of
  // a list, or the document itself, at its first character.
  const at = keyNode ?? best;
  const offset = at?.range?.[0] ?? 0;
  const pos = lc.linePos(offset);
  return { line: pos.line, column: pos.col };
}

// ---------------------------------------------------------------- small files, fast when plain

/**
 * Parses a fork file or kubefork.yaml. A file written in plain YAML (no tags, anchors, aliases,
 * directives or complex keys) that js-yaml loads without complaint is taken from js-yaml, which
 * is several times cheaper than the `yaml` package on first use; its positions are found when a
 * problem asks for one (`locate`), in js-yaml's events (./event-positions.ts), else the `yaml` package. Anything else (a syntax error, a
 * duplicate key, an exotic feature, an empty document) goes through `parsePositioned`, so every
 * problem is the one it reports. Both parsers resolve scalars as Kubernetes does (./yaml11.ts).
 */
export function parseSmall(file: TextFile, limits: ParseLimits = DEFAULT_LIMITS): Parsed {
  return checked(file, () => parsePlain(file, limits) ?? positionedRaw(file, limits));
}

/**
 * YAML features the fast path leaves to the `yaml` package: tags, anchors, aliases, complex keys,
 * null keys (the two parsers name them differently), directives, tabs.
 */
// Linear on any input: the null-key branch starts only at the first blank of a run, takes the run
// at once (a lookahead capture is an atomic group) and spans one line, so no run of blanks is
// scanned once per character (a 1 MB run of spaces took hours).
const NOT_PLAIN = /(?:^|[\s[{,])[!&*]|(?:^|[\s[{,])\?(?:\s|$)|(?:^|[\n\r[{,-]|(?<![ \t])[ \t])(?=([ \t]*))\1(?:(?:~|null|Null|NULL)[ \t]*)?:(?:\s|$)|^%|\t/m;

function parsePlain(file: TextFile, limits: ParseLimits): { docs: SourceDoc[]; problems: Problem[] } | undefined {
  const text = file.text;
  if (NOT_PLAIN.test(text) || MERGE_KEY.test(text) || FLOAT_KEY.test(text)) return undefined;
  const values: unknown[] = [];
  try {
    jsyaml.loadAll(text, (v) => void values.push(v), { filename: file.path, maxAliases: limits.maxAliases, maxDepth: limits.maxDepth, schema: GO_YAML_SCHEMA });
  } catch (e) {
    return text.length > REPARSE_FOR_POSITION_BYTES ? { docs: [], problems: [jsYamlProblem(file, e, 1, undefined, limits)] } : undefined;
  }
  // Each document must be a chunk with content, numbered without gaps: then documents, indexes
  // and first lines are the ones the `yaml` package would give.
  const chunks = splitDocuments(text);
  if (chunks.length !== values.length || chunks.length > limits.maxDocuments) return undefined;
  for (let i = 0; i < chunks.length; i++) {
    const v = values[i];
    if (chunks[i]!.index !== i || v === null || v === undefined || shapeProblem(v, limits)) return undefined;
  }
  let positioned: SourceDoc[] | undefined;
  // Positions from js-yaml's events (./event-positions.ts), the `yaml` package where they cannot tell.
  const fromEvents = eventLocator(text);
  const docs = chunks.map(
    (chunk, i): SourceDoc => ({
      file: file.path,
      index: chunk.index,
      line: chunk.line,
      value: values[i],
      locate(path) {
        const p = fromEvents(i, path);
        if (p) return p;
        positioned ??= positionedRaw(file, limits).docs;
        const d = positioned[i];
        return d ? d.locate(path) : { line: chunk.line, column: 1 };
      },
    }),
  );
  return { docs, problems: [] };
}

// ---------------------------------------------------------------- fast (js-yaml), for the base

/**
 * Parses a base file: JSON (one object, or an array of objects) or a multi-document YAML stream.
 * Documents are found by their `---` marker lines, then parsed one by one with js-yaml.
 */
export function parseFast(file: TextFile, limits: ParseLimits = DEFAULT_LIMITS): Parsed {
  return checked(file, () => (file.path.endsWith(".json") ? parseJson(file, limits) : fastRaw(file, limits)));
}

/**
 * A `<<` merge key. js-yaml applies merges as YAML 1.2 readers do, which is not go-yaml v2's order:
 * a text with one goes to the `yaml` package, where mergeOrderConflict finds where they differ.
 */
const MERGE_KEY = /(?:^|[\s{,])<<[ \t]*:(?:\s|$)/m;

/**
 * A plain key that may resolve to a float (`1.5:`, `.5:`, `1e3:`, `.inf:`): js-yaml would make it
 * JavaScript's text; the `yaml` package's reading is checked (floatOrNullKey). Null keys go there
 * too (NOT_PLAIN).
 */
/**
 * A null key (`~:`, `null:`, an empty key `: x`) at a line's start, after a dash or in a flow
 * collection. Narrower than NOT_PLAIN's null-key branch and four times cheaper on a large base
 * (12 ms for 4.7 MB); a null key elsewhere is no valid YAML anyway.
 */
const NULL_KEY = /(?:^|[[{,-])[ \t]*(?:(?:~|null|Null|NULL)[ \t]*)?:(?:\s|$)/m;

const FLOAT_KEY = /(?:^|[\s{,])[-+]?(?:\d[\d_]*\.[\d_]*(?:[eE][-+]?\d+)?|\.\d[\d_]*(?:[eE][-+]?\d+)?|\d[\d_]*[eE][-+]?\d+|\.(?:inf|Inf|INF|nan|NaN|NAN))[ \t]*:(?:\s|$)/m;

function fastRaw(file: TextFile, limits: ParseLimits): Parsed {
  if (MERGE_KEY.test(file.text) || FLOAT_KEY.test(file.text) || NULL_KEY.test(file.text)) return positionedRaw(file, limits);
  const docs: SourceDoc[] = [];
  const chunks = splitDocuments(file.text);
  if (chunks.length > limits.maxDocuments) return { docs, problems: [tooManyDocuments(file.path, chunks[limits.maxDocuments]!.line, chunks.length, limits)] };
  // One js-yaml pass over the whole file is much cheaper than one per document; it is used when its
  // documents line up one to one with the chunks (no empty or null documents). Otherwise, and for
  // any error, each chunk is parsed alone, as the error reporting below expects.
  const whole = loadWhole(file, chunks, limits);
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    let value: unknown;
    const resolved = unrepresentableResolved();
    try {
      value = whole ? whole[i] : jsyaml.load(chunk.text, { filename: file.path, maxAliases: limits.maxAliases, maxDepth: limits.maxDepth, schema: GO_YAML_SCHEMA });
    } catch (e) {
      const reason = (e as { reason?: string }).reason ?? "";
      // An integer key past 2^53 is no complex key: the `yaml` package writes it as its digits.
      if (/complex keys/.test(reason) && unrepresentableResolved() !== resolved) {
        const slow = positionedRaw(file, limits);
        if (slow.problems.length === 0) return slow;
      }
      // Let the position-keeping parser explain a syntax error, with the right line for the whole
      // file; a limit (depth, aliases) is reported as it is: parsing again would only cost more.
      const limit = /maxDepth|maxAliases|maxTotalMergeKeys/.test(reason);
      if (!limit && file.text.length <= REPARSE_FOR_POSITION_BYTES) {
        const slow = positionedRaw(file, limits);
        if (slow.problems.length > 0) return slow;
      }
      return { docs: [], problems: [jsYamlProblem(file, e, chunk.textLine, chunk.index, limits)] };
    }
    if (value === null || value === undefined) continue;
    // js-yaml shares one value between an anchor and its aliases: count what it expands to.
    if (chunk.text.includes("*")) {
      const shape = shapeProblem(value, limits);
      if (shape) return { docs: [], problems: [error({ file: file.path, line: chunk.line, doc: chunk.index, ...shape })] };
    }
    docs.push(lazyDoc(file, chunk, value));
  }
  return { docs, problems: [] };
}

/** js-yaml's error as a problem: `firstLine` is the file line where the text it parsed starts. */
function jsYamlProblem(file: TextFile, e: unknown, firstLine_: number, doc: number | undefined, limits: ParseLimits = DEFAULT_LIMITS): Problem {
  const reason = (e as { reason?: string }).reason ?? "";
  const limit = /maxDepth|maxAliases|maxTotalMergeKeys/.test(reason);
  const mark = (e as { mark?: { line: number; column: number } }).mark;
  return error({
    file: file.path,
    line: firstLine_ + (mark?.line ?? 0),
    column: (mark?.column ?? 0) + 1,
    ...(doc === undefined ? {} : { doc }),
    code: !limit ? "KF1001" : /maxDepth/.test(reason) ? "KF1005" : "KF1006",
    message: `${limit ? "refused YAML" : "malformed YAML"}: ${firstLine(reason || (e as Error).message)}`,
    hint: limit ? `documents may nest at most ${limits.maxDepth} levels and use at most ${limits.maxAliases} aliases` : "check the indentation and the ':' after each key",
  });
}

function loadWhole(file: TextFile, chunks: readonly Chunk[], limits: ParseLimits): unknown[] | undefined {
  const values: unknown[] = [];
  try {
    jsyaml.loadAll(file.text, (v) => void values.push(v), { filename: file.path, maxAliases: limits.maxAliases, maxDepth: limits.maxDepth, schema: GO_YAML_SCHEMA });
  } catch {
    return undefined;
  }
  if (values.length !== chunks.length) return undefined;
  for (const v of values) if (v === null || v === undefined) return undefined;
  return values;
}

function parseJson(file: TextFile, limits: ParseLimits): { docs: SourceDoc[]; problems: Problem[] } {
  let value: unknown;
  try {
    value = JSON.parse(file.text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    return { docs: [], problems: [error({ code: "KF1002", file: file.path, ...positionAt(file.text, m ? Number(m[1]) : 0), message: `malformed JSON: ${firstLine((e as Error).message)}` })] };
  }
  // JSON.parse keeps the last of two equal keys without a word; YAML and kubectl refuse them.
  const dup = duplicateJsonKey(file.text);
  if (dup) {
    return { docs: [], problems: [error({ code: "KF1003", file: file.path, ...positionAt(file.text, dup.offset), message: `duplicate key "${dup.key}"`, hint: "a key may appear once per object; remove or rename the duplicate" })] };
  }
  const shape = shapeProblem(value, limits);
  if (shape) return { docs: [], problems: [error({ file: file.path, line: 1, ...shape })] };
  // JSON.parse rounds an integer past 2^53 without a word; Kubernetes keeps it (int64).
  const big = inexactJsonInteger(file.text);
  if (big) {
    const where = positionAt(file.text, big.offset);
    return { docs: [], problems: [Number.isFinite(Number(big.text)) ? inexactProblem(file.path, big.text, where) : nonFiniteProblem(file.path, Number(big.text), where)] };
  }
  const values = Array.isArray(value) ? value : [value];
  // JSON keeps no per-document line cheaply; positions come from a positioned re-parse on demand
  // (JSON is YAML), which is only paid when a problem is reported.
  let positioned: SourceDoc[] | undefined;
  const docs = values.map((v, index) => ({
    file: file.path,
    index,
    line: 1,
    value: v,
    locate(path: readonly PathSegment[]) {
      positioned ??= positionedRaw(file).docs;
      const d = positioned[0];
      return d ? d.locate(Array.isArray(value) ? [index, ...path] : path) : { line: 1, column: 1 };
    },
  }));
  return { docs, problems: [] };
}

function lazyDoc(file: TextFile, chunk: Chunk, value: unknown): SourceDoc {
  let positioned: SourceDoc | undefined;
  return {
    file: file.path,
    index: chunk.index,
    line: chunk.line,
    value,
    locate(path) {
      positioned ??= positionedRaw({ path: file.path, text: chunk.text }).docs[0];
      if (!positioned) return { line: chunk.line, column: 1 };
      const p = positioned.locate(path);
      return { line: p.line + chunk.textLine - 1, column: p.column };
    },
  };
}

interface Chunk {
  index: number;
  /** 1-based line in the file where `text` starts. */
  textLine: number;
  /** 1-based line of the document's first content line. */
  line: number;
  text: string;
}

/**
 * Splits a YAML stream at document markers (`---` at the start of a line) and end markers (`...`).
 * A `---` can only stand at column 0 as a marker: block scalars inside a mapping are indented.
 * Documents are numbered as the YAML spec counts them (an empty one between two markers counts;
 * comments before the first marker do not).
 */
export function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let textLine = 1;
  let index = 0;
  let line = 1;
  let pos = 0;
  let first = true;
  const flush = (end: number, explicit: boolean) => {
    const body = text.slice(start, end);
    const content = hasContent(body);
    if (content) chunks.push({ index, textLine, line: textLine + leadingBlankLines(body), text: body });
    if (content || explicit || !first) index++;
    first = false;
  };
  for (;;) {
    const nl = text.indexOf("\n", pos);
    const end = nl === -1 ? text.length : nl;
    if (isMarker(text, pos, end, "---")) {
      flush(pos, !first);
      // content after `--- ` on the same line belongs to the new document
      start = pos + 3;
      textLine = line;
    } else if (isMarker(text, pos, end, "...")) {
      flush(pos, true);
      start = end + 1;
      textLine = line + 1;
    }
    if (nl === -1) break;
    pos = nl + 1;
    line++;
  }
  if (start < text.length && hasContent(text.slice(start))) flush(text.length, true);
  return chunks;
}

function isMarker(text: string, pos: number, end: number, marker: string): boolean {
  if (!text.startsWith(marker, pos)) return false;
  const next = text[pos + 3];
  return end === pos + 3 || next === " " || next === "\t" || next === "\r";
}

function hasContent(body: string): boolean {
  for (const l of body.split("\n")) if (!/^\s*(#.*)?$/.test(l)) return true;
  return false;
}

function leadingBlankLines(text: string): number {
  let n = 0;
  for (const l of text.split("\n")) {
    if (/^\s*(#.*)?$/.test(l)) n++;
    else break;
  }
  return n;
}

// ---------------------------------------------------------------- helpers

function tooManyDocuments(file: string, line: number, count: number, limits: ParseLimits): Problem {
  return error({
    code: "KF1004",
    file,
    line,
    message: `the file holds ${count} YAML documents, more than the ${limits.maxDocuments} kubefork reads from one file`,
    hint: "split the file, or check that it is a manifest stream",
  });
}

/**
 * Depth and expanded size of a parsed value, without expanding it: a value reached through an
 * alias is the same object as its anchor, so sizes are memoised per object. Returns the problem
 * when the document nests deeper than `maxDepth` or expands to more than `maxNodes` values.
 */
export function shapeProblem(value: unknown, limits: ParseLimits): { code: ProblemCode; message: string; hint: string } | undefined {
  const size = new Map<object, number>();
  let tooDeep = false;
  const walk = (v: unknown, depth: number): number => {
    if (v === null || typeof v !== "object") return 1;
    if (depth > limits.maxDepth) {
      tooDeep = true;
      return 1;
    }
    const known = size.get(v);
    if (known !== undefined) return known;
    size.set(v, Infinity); // a cycle (only possible through a bug) counts as too large
    let n = 1;
    for (const c of Array.isArray(v) ? v : Object.values(v)) {
      n += walk(c, depth + 1);
      if (tooDeep || n > limits.maxNodes) break;
    }
    size.set(v, n);
    return n;
  };
  const n = walk(value, 0);
  if (tooDeep) return { code: "KF1005", message: `nesting is deeper than ${limits.maxDepth} levels`, hint: "flatten the document" };
  if (n > limits.maxNodes)
    return {
      code: "KF1006",
      message: `the document expands to more than ${limits.maxNodes} values through YAML aliases (a "billion laughs" document)`,
      hint: "write the values out instead of repeating aliases of aliases",
    };
  return undefined;
}

/** The first key that appears twice in one object of a valid JSON text, with its offset. */
export function duplicateJsonKey(text: string): { offset: number; key: string } | undefined {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
        } else if (d === 0x22 || Number.isNaN(d)) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.has(key)) return { offset: i, key };
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) stack.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */ && stack[stack.length - 1]) expectKey = true;
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case "DUPLICATE_KEY":
      return "a key may appear once per mapping; remove or rename the duplicate";
    case "BAD_INDENT":
    case "MISSING_CHAR":
    case "UNEXPECTED_TOKEN":
      return "check the indentation and the ':' after each key";
    case "TAB_AS_INDENT":
      return "YAML indents with spaces, not tabs";
    default:
      return undefined;
  }
}

/** The first number token of a valid JSON text, outside strings, that a render cannot keep: an integer past 2^53, or one past a float's range (Go's JSON refuses it; JSON.parse gives Infinity). */
export function inexactJsonInteger(text: string): { offset: number; text: string } | undefined {
  const token = /-?\d+(\.\d+)?([eE][-+]?\d+)?/y;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      token.lastIndex = i;
      const m = token.exec(text)!;
      const t = m[0];
      if (!Number.isFinite(Number(t))) return { offset: i, text: t };
      if (!m[1] && !m[2] && t.replace("-", "").length > 15) {
        const n = BigInt(t);
        if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) return { offset: i, text: t };
      }
      i += t.length - 1;
    }
  }
  return undefined;
}
