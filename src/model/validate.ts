// zod issues → Problems that name the file, the line, the field and the fix.
import type * as z from "zod/mini";
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
}

function issueToProblems(schema: z.ZodMiniType, doc: SourceDoc, issue: ZodIssueLike, what: string): Problem[] {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const at = (p: PathSegment[]) => {
    const pos = doc.locate(p);
    return { file: doc.file, line: pos.line, column: pos.column, doc: doc.index };
  };
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(schema, path);
      return (issue.keys ?? []).map((key) => {
        const suggestion = didYouMean(key, known);
        return error({
          ...at([...path, key]),
          path: formatPath([...path, key]),
          message: `unknown field '${key}' in ${what}`,
          hint: [suggestion, known.length ? `known fields here: ${known.join(", ")}` : undefined].filter(Boolean).join("; "),
        });
      });
    }
    case "invalid_type": {
      const actual = valueAt(doc.value, path);
      const missing = actual === undefined;
      return [
        error({
          ...at(path),
          path: formatPath(path),
          message: missing ? `required field is missing` : `expected ${issue.expected ?? "another type"}, got ${typeName(actual)}`,
          hint: missing ? `add ${formatPath(path)} to the ${what}` : quoteHint(issue.expected, actual),
        }),
      ];
    }
    case "invalid_value": {
      const allowed = (issue.values ?? []).map((v) => JSON.stringify(v));
      return [
        error({
          ...at(path),
          path: formatPath(path),
          message: allowed.length === 1 ? `must be ${allowed[0]}` : `must be one of ${allowed.join(", ")}`,
          hint:
            typeof issue.input === "string" && issue.values?.every((v) => typeof v === "string")
              ? didYouMean(issue.input, issue.values as string[])
              : undefined,
        }),
      ];
    }
    default:
      return [error({ ...at(path), path: formatPath(path), message: cleanMessage(issue.message) })];
  }
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

/** The field names the schema accepts at `path` (for "known fields" hints). */
export function knownKeys(schema: z.ZodMiniType, path: readonly PathSegment[]): string[] {
  let s: unknown = schema;
  for (const seg of path) {
    s = unwrap(s);
    const def = defOf(s);
    if (!def) return [];
    if (def.type === "object" && typeof seg === "string") s = (def.shape as Record<string, unknown>)[seg];
    else if (def.type === "array" && typeof seg === "number") s = def.element;
    else if (def.type === "record") s = def.valueType;
    else return [];
  }
  const def = defOf(unwrap(s));
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
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
