// zod issues → Problems that name the file, the line, the field and the fix.
import * as z from "zod/mini";
import type { SourceDoc } from "./source.ts";
import { error, formatPath, type PathSegment, type Problem } from "../problems.ts";
import { didYouMean } from "../util/suggest.ts";

/** Parses a positioned document with a schema; every issue becomes a Problem at its line. */
export function validateDoc<S extends z.ZodMiniType>(
  schema: S,
  doc: SourceDoc,
  what: string,
): { value?: z.infer<S>; problems: Problem[] } {
  const result = schema.safeParse(doc.value);
  if (result.success) return { value: keepProtoKeys(doc.value, result.data) as z.infer<S>, problems: [] };
  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    problems.push(...issueToProblems(schema, doc, issue as unknown as ZodIssueLike, what));
  }
  return { problems };
}

/**
 * zod builds its output objects by assignment, so a key `__proto__` of the input (a ConfigMap
 * key, a label) is lost on the way. Puts each one back, as an own property, where the output
 * kept the object around it.
 */
function keepProtoKeys(input: unknown, output: unknown): unknown {
  if (input === null || typeof input !== "object" || output === null || typeof output !== "object") return output;
  const inp = input as Record<string, unknown>;
  const out = output as Record<string, unknown>;
  for (const k of Object.keys(inp)) {
    if (k === "__proto__") {
      if (!Object.prototype.hasOwnProperty.call(out, k)) Object.defineProperty(out, k, { value: inp[k], enumerable: true, writable: true, configurable: true });
    } else if (Object.prototype.hasOwnProperty.call(out, k)) keepProtoKeys(inp[k], out[k]);
  }
  return output;
}

interface ZodIssueLike {
  code: string;
  path: PathSegment[];
  message: string;
  keys?: string[];
  expected?: string;
  values?: unknown[];
  options?: unknown[];
  input?: unknown;
  /** invalid_union of a discriminated union: the discriminator's field name. */
  discriminator?: string;
}

/** One zod issue, with what every handler reads: the path as field segments and a positioner. */
interface IssueContext {
  schema: z.ZodMiniType;
  doc: SourceDoc;
  issue: ZodIssueLike;
  what: string;
  path: PathSegment[];
  at: (p: PathSegment[]) => { file: string; line: number; column: number; doc: number };
}

/** The problems of a zod issue, by issue code; undefined (or a code not listed) falls back to the issue's own message. */
const ISSUE_PROBLEMS: Partial<Record<string, (c: IssueContext) => Problem[] | undefined>> = {
  unrecognized_keys: unknownKeyProblems,
  invalid_type: wrongTypeProblems,
  invalid_union: noVariantProblems,
  invalid_value: notAllowedProblems,
};

function issueToProblems(schema: z.ZodMiniType, doc: SourceDoc, issue: ZodIssueLike, what: string): Problem[] {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const at = (p: PathSegment[]) => {
    const pos = doc.locate(p);
    return { file: doc.file, line: pos.line, column: pos.column, doc: doc.index };
  };
  const c: IssueContext = { schema, doc, issue, what, path, at };
  return ISSUE_PROBLEMS[issue.code]?.(c) ?? [error({ ...at(path), code: "KF2005", path: formatPath(path), message: cleanMessage(issue.message) })];
}

/** Fields the schema does not know, or that only another variant of a discriminated union takes. */
function unknownKeyProblems({ schema, doc, issue, what, path, at }: IssueContext): Problem[] {
  const known = knownKeys(schema, path, doc.value);
  const variant = variantAt(schema, path, doc.value);
  return (issue.keys ?? []).map((key) => {
    // A field of another variant of a discriminated union (`apiVersion` on a kind istio entry).
    const owners = variant?.others.filter((o) => o.keys.includes(key)).map((o) => o.value) ?? [];
    if (variant && owners.length > 0)
      return error({
        ...at([...path, key]),
        code: "KF2006",
        path: formatPath([...path, key]),
        message: `${key} only applies to ${variant.discriminator} ${owners.join(", ")}`,
        hint: `known fields for ${variant.discriminator} ${variant.value}: ${known.join(", ")}`,
      });
    const suggestion = didYouMean(key, known);
    return error({
      ...at([...path, key]),
      code: "KF2001",
      path: formatPath([...path, key]),
      message: `unknown field '${key}' in ${what}`,
      hint: [suggestion, known.length ? `known fields here: ${known.join(", ")}` : undefined].filter(Boolean).join("; "),
    });
  });
}

/** A value of the wrong type, or a required field that is missing. */
function wrongTypeProblems({ schema, doc, issue, what, path, at }: IssueContext): Problem[] {
  const actual = valueAt(doc.value, path);
  if (actual !== undefined)
    return [error({ ...at(path), code: "KF2003", path: formatPath(path), message: `expected ${issue.expected ?? "another type"}, got ${typeName(actual)}`, hint: quoteHint(issue.expected, actual) })];
  // A field one variant of a discriminated union requires (the gateway of kind istio), and what it is when the schema says.
  const variant = variantAt(schema, path.slice(0, -1), doc.value);
  const description = z.globalRegistry.get(schemaAt(schema, path, doc.value) as z.ZodMiniType)?.description;
  return [
    error({
      ...at(path),
      code: "KF2002",
      path: formatPath(path),
      message: variant ? `${variant.discriminator} ${variant.value} needs ${String(path[path.length - 1])}` : "required field is missing",
      hint: `add ${formatPath(path)} to the ${what}${description ? `: ${description}` : ""}`,
    }),
  ];
}

/** A discriminated union whose discriminator matches no variant: like an enum. Other unions fall back. */
function noVariantProblems({ doc, issue, path, at }: IssueContext): Problem[] | undefined {
  if (!issue.discriminator || !issue.options) return undefined;
  const input = valueAt(doc.value, path);
  const allowed = issue.options.map((v) => JSON.stringify(v));
  return [
    error({
      ...at(path),
      code: input === undefined ? "KF2002" : "KF2004",
      path: formatPath(path),
      message: input === undefined ? "required field is missing" : `must be one of ${allowed.join(", ")}`,
      hint: typeof input === "string" ? didYouMean(input, issue.options.map(String)) : `add ${formatPath(path)}: one of ${allowed.join(", ")}`,
    }),
  ];
}

/** A value outside an enum or a literal. */
function notAllowedProblems({ issue, path, at }: IssueContext): Problem[] {
  const allowed = (issue.values ?? []).map((v) => JSON.stringify(v));
  return [
    error({
      ...at(path),
      code: "KF2004",
      path: formatPath(path),
      message: allowed.length === 1 ? `must be ${allowed[0]}` : `must be one of ${allowed.join(", ")}`,
      hint: typeof issue.input === "string" && issue.values?.every((v) => typeof v === "string") ? didYouMean(issue.input, issue.values as string[]) : undefined,
    }),
  ];
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function cleanMessage(m: string): string {
  return m.replace(/^Invalid input: /, "");
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

function quoteHint(expected: string | undefined, input: unknown): string | undefined {
  if (expected === "string" && (typeof input === "number" || typeof input === "boolean"))
    return `quote the value: "${String(input)}" (YAML reads it as a ${typeof input})`;
  if ((expected === "number" || expected === "int") && typeof input === "string" && input.trim() !== "" && !Number.isNaN(Number(input)))
    return `write the number without quotes: ${input}`;
  if (expected === "boolean" && (input === "true" || input === "false")) return `write the boolean without quotes: ${input}`;
  return undefined;
}

/**
 * The field names the schema accepts at `path` (for "known fields" hints). With the document's
 * value `root`, a discriminated union on the way is followed into the variant the value selects.
 */
export function knownKeys(schema: z.ZodMiniType, path: readonly PathSegment[], root?: unknown): string[] {
  const def = defOf(schemaAt(schema, path, root));
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

/** The schema at `path`, unwrapped (optional, default...), in the variant `root` selects there. */
function schemaAt(schema: unknown, path: readonly PathSegment[], root: unknown): unknown {
  const s = walk(schema, path, root);
  return selectVariant(s, valueAt(root, path)) ?? s;
}

/** The schema at `path`, unwrapped, following on the way the variants of discriminated unions that `root` selects. */
function walk(schema: unknown, path: readonly PathSegment[], root: unknown): unknown {
  let s: unknown = unwrap(schema);
  for (let i = 0; i < path.length; i++) {
    s = selectVariant(s, valueAt(root, path.slice(0, i))) ?? s;
    const seg = path[i]!;
    const def = defOf(s);
    if (def?.type === "object" && typeof seg === "string") s = (def.shape as Record<string, unknown>)[seg];
    else if (def?.type === "array" && typeof seg === "number") s = def.element;
    else if (def?.type === "record") s = def.valueType;
    else return undefined;
    s = unwrap(s);
  }
  return s;
}

/** The discriminated union at `path` and the variant the document's value there selects, with the other variants' fields. */
function variantAt(schema: z.ZodMiniType, path: readonly PathSegment[], root: unknown): { discriminator: string; value: string; others: { value: string; keys: string[] }[] } | undefined {
  const def = defOf(walk(schema, path, root));
  const value = valueAt(root, path);
  if (def?.type !== "union" || typeof def.discriminator !== "string" || value === null || typeof value !== "object") return undefined;
  const discriminator = def.discriminator;
  const selected = String((value as Record<string, unknown>)[discriminator]);
  const others: { value: string; keys: string[] }[] = [];
  for (const o of def.options as unknown[]) {
    const v = literalOf(o, discriminator);
    if (v !== undefined && v !== selected) others.push({ value: v, keys: Object.keys(defOf(o)?.shape as object) });
  }
  return { discriminator, value: selected, others };
}

/** The variant of a discriminated union `s` that `value` selects, if `s` is one and one matches. */
function selectVariant(s: unknown, value: unknown): unknown {
  const def = defOf(s);
  if (def?.type !== "union" || typeof def.discriminator !== "string" || value === null || typeof value !== "object") return undefined;
  const want = (value as Record<string, unknown>)[def.discriminator];
  return (def.options as unknown[]).find((o) => literalOf(o, def.discriminator as string) === want);
}

/** The literal value of an object schema's `field` (a discriminator), as a string. */
function literalOf(o: unknown, field: string): string | undefined {
  const lit = defOf((defOf(o)?.shape as Record<string, unknown> | undefined)?.[field]);
  const v = lit?.type === "literal" ? (lit.values as unknown[])[0] : undefined;
  return typeof v === "string" ? v : undefined;
}

type Def = { type: string; [k: string]: unknown };

function defOf(s: unknown): Def | undefined {
  return (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

function unwrap(s: unknown): unknown {
  for (let i = 0; i < 10; i++) {
    const def = defOf(s);
    if (!def) return s;
    if (["optional", "default", "nullable", "readonly", "catch", "prefault", "nonoptional"].includes(def.type)) s = def.innerType;
    else if (def.type === "pipe") s = def.in;
    else return s;
  }
  return s;
}
