// A structural-schema validator for custom resources, as the Kubernetes API server checks them:
// defaults applied first, then the OpenAPI v3 constraints (types, enums, lengths, patterns, item
// and property counts, required, list-type uniqueness; unknown fields rejected unless
// x-kubernetes-preserve-unknown-fields), then every x-kubernetes-validations CEL rule, evaluated
// with @bufbuild/cel on the defaulted object.
//
// Order and semantics after kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver:
// defaulting (pkg/apiserver/schema/defaulting) runs on the decoded request before validation;
// pkg/apiserver/validation validates the OpenAPI schema; pkg/apiserver/schema/cel evaluates the
// rules with `self` bound to the node, property names that are CEL keywords or contain
// characters CEL cannot name escaped (`namespace` -> `__namespace__`, `-` -> `__dash__`, ...;
// cel/model/escaping.go), integer fields as CEL int. Transition rules (those naming `oldSelf`) run
// only on update and are skipped here. A rule that fails to evaluate (e.g. a field read without
// `has()`) rejects the object, as it does in the API server.
// The schemas are transcriptions of the fields kubefork's output uses; a field that is not
// transcribed is reported as unknown, so the check errs on the side of rejecting.
// The evaluator is @bufbuild/cel (Buf's CEL for ECMAScript, devDependency): it is run against CEL's
// conformance suite (shipped as @bufbuild/cel-spec), evaluates `matches` with RE2 semantics
// (@bufbuild/re2), as Kubernetes' cel-go does, has the strings extension and durations the CRDs'
// rules use, and is the most used and most recently released of the npm CEL evaluators
// (cel-js and @marcbachmann/cel-js have no conformance suite of their own).
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/** Which Gateway API release channel a field or rule belongs to (absent: both). */
export type Channel = "standard" | "experimental";

export interface Rule {
  rule: string;
  message: string;
  /** Only in one channel's CRD (Gateway API ships two). */
  channel?: Channel;
}

interface Common {
  default?: unknown;
  cel?: Rule[];
  /** The field exists only in the experimental channel's CRD. */
  experimental?: true;
}
export interface StrSchema extends Common {
  type: "string";
  enum?: string[];
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
}
export interface IntSchema extends Common {
  type: "integer";
  enum?: number[];
  minimum?: number;
  maximum?: number;
  format?: string;
}
export interface NumSchema extends Common {
  type: "number";
  minimum?: number;
  maximum?: number;
  format?: string;
}
export interface BoolSchema extends Common {
  type: "boolean";
}
export interface ObjSchema extends Common {
  type: "object";
  properties: Record<string, Schema>;
  required?: string[];
  /** oneOf [{not: anyOf required…}, {required: [a]}, …]: at most one of these keys (Istio's protobuf oneofs). */
  atMostOne?: string[];
  maxProperties?: number;
  /** x-kubernetes-preserve-unknown-fields beside properties: other keys are kept, unchecked. */
  preserveUnknown?: true;
}
export interface MapSchema extends Common {
  type: "map";
  values: Schema;
  maxProperties?: number;
}
export interface ArrSchema extends Common {
  type: "array";
  items: Schema;
  maxItems?: number;
  minItems?: number;
  listType?: "atomic" | "set" | "map";
  listMapKeys?: string[];
}
/** x-kubernetes-preserve-unknown-fields: anything goes below. */
export interface AnySchema extends Common {
  type: "any";
}
/** x-kubernetes-int-or-string. */
export interface IntOrStringSchema extends Common {
  type: "int-or-string";
  pattern?: string;
}
/** A node checked by another validator (a core Kubernetes type inside a CRD): returns its complaint. */
export interface ExternalSchema extends Common {
  type: "external";
  name: string;
  check: (value: unknown) => string | undefined;
}
export type Schema = StrSchema | IntSchema | NumSchema | BoolSchema | ObjSchema | MapSchema | ArrSchema | AnySchema | IntOrStringSchema | ExternalSchema;

type Opts<S> = Omit<S, "type" | "properties" | "items" | "values" | "check" | "name">;
export const str = (o: Opts<StrSchema> = {}): StrSchema => ({ type: "string", ...o });
export const int = (o: Opts<IntSchema> = {}): IntSchema => ({ type: "integer", ...o });
export const num = (o: Opts<NumSchema> = {}): NumSchema => ({ type: "number", ...o });
export const bool = (o: Opts<BoolSchema> = {}): BoolSchema => ({ type: "boolean", ...o });
export const obj = (properties: Record<string, Schema>, o: Opts<ObjSchema> = {}): ObjSchema => ({ type: "object", properties, ...o });
export const map = (values: Schema, o: Opts<MapSchema> = {}): MapSchema => ({ type: "map", values, ...o });
export const arr = (items: Schema, o: Opts<ArrSchema> = {}): ArrSchema => ({ type: "array", items, ...o });
export const any = (o: Opts<AnySchema> = {}): AnySchema => ({ type: "any", ...o });
export const intOrString = (o: Opts<IntOrStringSchema> = {}): IntOrStringSchema => ({ type: "int-or-string", ...o });
export const external = (name: string, check: ExternalSchema["check"]): ExternalSchema => ({ type: "external", name, check });
export const rule = (r: string, message: string, channel?: Channel): Rule => (channel ? { rule: r, message, channel } : { rule: r, message });
/** The same schema, marked as present only in the experimental channel. */
export const experimental = <S extends Schema>(s: S): S => ({ ...s, experimental: true });

export interface Violation {
  /** JSON path of the node, e.g. spec.rules[0].matches. */
  path: string;
  message: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const typeOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

// ---- defaulting --------------------------------------------------------------------------------

/** Applies the schema's defaults in place, top-down, as the API server does before validating. */
export function applyDefaults(value: Json, s: Schema, channel: Channel): void {
  if (s.type === "object" && isObject(value)) {
    for (const [k, sub] of Object.entries(s.properties)) {
      if (sub.experimental && channel === "standard") continue;
      if (!(k in value) && sub.default !== undefined) value[k] = structuredClone(sub.default) as Json;
      if (k in value) applyDefaults(value[k] as Json, sub, channel);
    }
  } else if (s.type === "map" && isObject(value)) {
    for (const v of Object.values(value)) applyDefaults(v, s.values, channel);
  } else if (s.type === "array" && Array.isArray(value)) {
    for (const v of value) applyDefaults(v, s.items, channel);
  }
}

// ---- OpenAPI constraints -----------------------------------------------------------------------

const patterns = new Map<string, RegExp>();
function pattern(p: string): RegExp {
  let re = patterns.get(p);
  if (!re) patterns.set(p, (re = new RegExp(p)));
  return re;
}
const utf8Length = (s: string): number => [...s].length;

function checkScalar(v: Json, s: Schema, path: string, out: Violation[]): void {
  const bad = (message: string): void => void out.push({ path, message });
  switch (s.type) {
    case "string":
      if (typeof v !== "string") return bad(`must be a string, not ${typeOf(v)}`);
      if (s.enum && !s.enum.includes(v)) bad(`Unsupported value: ${JSON.stringify(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
      if (s.maxLength !== undefined && utf8Length(v) > s.maxLength) bad(`may not be more than ${s.maxLength} bytes`);
      if (s.minLength !== undefined && utf8Length(v) < s.minLength) bad(`should be at least ${s.minLength} chars long`);
      if (s.pattern && !pattern(s.pattern).test(v)) bad(`should match '${s.pattern}'`);
      return;
    case "integer":
      if (typeof v !== "number" || !Number.isInteger(v)) return bad(`must be an integer, not ${typeOf(v)} ${JSON.stringify(v)}`);
      if (s.enum && !s.enum.includes(v)) bad(`Unsupported value: ${v}: supported values: ${s.enum.join(", ")}`);
      if (s.minimum !== undefined && v < s.minimum) bad(`should be greater than or equal to ${s.minimum}`);
      if (s.maximum !== undefined && v > s.maximum) bad(`should be less than or equal to ${s.maximum}`);
      return;
    case "number":
      if (typeof v !== "number") return bad(`must be a number, not ${typeOf(v)}`);
      if (s.minimum !== undefined && v < s.minimum) bad(`should be greater than or equal to ${s.minimum}`);
      if (s.maximum !== undefined && v > s.maximum) bad(`should be less than or equal to ${s.maximum}`);
      return;
    case "boolean":
      if (typeof v !== "boolean") bad(`must be a boolean, not ${typeOf(v)}`);
      return;
    case "int-or-string":
      if (typeof v === "number" ? !Number.isInteger(v) : typeof v !== "string") bad(`must be an integer or a string, not ${typeOf(v)}`);
      else if (typeof v === "string" && s.pattern && !pattern(s.pattern).test(v)) bad(`should match '${s.pattern}'`);
      return;
  }
}

function checkObject(v: Record<string, Json>, s: ObjSchema, path: string, channel: Channel, out: Violation[]): void {
  const at = (k: string) => (path ? `${path}.${k}` : k);
  for (const [k, child] of Object.entries(v)) {
    const sub = s.properties[k];
    if (!sub || (sub.experimental && channel === "standard")) {
      if (!s.preserveUnknown) out.push({ path: at(k), message: `unknown field "${k}"` });
    } else checkNode(child, sub, at(k), channel, out);
  }
  for (const k of s.required ?? []) if (!(k in v)) out.push({ path: at(k), message: "Required value" });
  const present = (s.atMostOne ?? []).filter((k) => k in v);
  if (present.length > 1) out.push({ path, message: `must validate one and only one schema (oneOf): ${present.join(" and ")} are both set` });
  if (s.maxProperties !== undefined && Object.keys(v).length > s.maxProperties) out.push({ path, message: `must have at most ${s.maxProperties} properties` });
}

function checkArray(v: Json[], s: ArrSchema, path: string, channel: Channel, out: Violation[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) out.push({ path, message: `Too many: ${v.length}: must have at most ${s.maxItems} items` });
  if (s.minItems !== undefined && v.length < s.minItems) out.push({ path, message: `should have at least ${s.minItems} items` });
  const seen = new Map<string, number>();
  v.forEach((item, i) => {
    checkNode(item, s.items, `${path}[${i}]`, channel, out);
    const key = s.listType === "set" ? JSON.stringify(item) : s.listType === "map" && isObject(item) ? JSON.stringify((s.listMapKeys ?? []).map((k) => item[k] ?? null)) : undefined;
    if (key === undefined) return;
    if (seen.has(key)) out.push({ path: `${path}[${i}]`, message: `Duplicate value: ${key}` });
    seen.set(key, i);
  });
}

function checkNode(v: Json, s: Schema, path: string, channel: Channel, out: Violation[]): void {
  if (s.type === "any") return;
  if (s.type === "external") {
    const complaint = s.check(v);
    if (complaint) out.push({ path, message: `${s.name}: ${complaint}` });
    return;
  }
  if (s.type === "object") {
    if (!isObject(v)) return void out.push({ path, message: `must be an object, not ${typeOf(v)}` });
    return checkObject(v, s, path, channel, out);
  }
  if (s.type === "map") {
    if (!isObject(v)) return void out.push({ path, message: `must be an object, not ${typeOf(v)}` });
    if (s.maxProperties !== undefined && Object.keys(v).length > s.maxProperties) out.push({ path, message: `must have at most ${s.maxProperties} properties` });
    for (const [k, child] of Object.entries(v)) checkNode(child, s.values, `${path}.${k}`, channel, out);
    return;
  }
  if (s.type === "array") {
    if (!Array.isArray(v)) return void out.push({ path, message: `must be an array, not ${typeOf(v)}` });
    return checkArray(v, s, path, channel, out);
  }
  checkScalar(v, s, path, out);
}

// ---- CEL ---------------------------------------------------------------------------------------

// cel/model/escaping.go: keywords and the characters CEL identifiers cannot hold.
const CEL_RESERVED = new Set(["true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"]);
export function escapeCelName(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__|[./-]/g, (m) => ({ __: "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__" })[m] as string);
}

/** The CEL value of a node: objects as maps with escaped keys, integer fields as int. */
function toCel(v: Json, s: Schema | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.type === "array" ? s.items : undefined));
  if (isObject(v)) {
    const m = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v)) {
      const sub = s?.type === "object" ? s.properties[k] : s?.type === "map" ? s.values : undefined;
      m.set(s?.type === "map" ? k : escapeCelName(k), toCel(x, sub));
    }
    return m;
  }
  if (typeof v === "number" && (s?.type === "integer" || s?.type === "int-or-string" || (s === undefined && Number.isInteger(v)))) return BigInt(v);
  return v;
}

const env = celEnv({ funcs: strings });
type Compiled = (ctx: { self: unknown }) => unknown;
const compiled = new Map<string, Compiled>();
function compile(expr: string): Compiled {
  let fn = compiled.get(expr);
  if (!fn) compiled.set(expr, (fn = plan(env, parse(expr)) as unknown as Compiled));
  return fn;
}

function checkRules(v: Json, s: Schema, path: string, channel: Channel, out: Violation[]): void {
  for (const r of s.cel ?? []) {
    if (r.channel && r.channel !== channel) continue;
    if (/\boldSelf\b/.test(r.rule)) continue; // transition rule: update only
    let result: unknown;
    try {
      result = compile(r.rule)({ self: toCel(v, s) });
    } catch (e) {
      result = e;
    }
    if (result === true) continue;
    const why = isCelError(result) || result instanceof Error ? ` (rule could not be evaluated: ${(result as Error).message})` : "";
    out.push({ path, message: `${r.message}${why}` });
  }
  if (s.type === "object" && isObject(v))
    for (const [k, sub] of Object.entries(s.properties)) {
      if (k in v && !(sub.experimental && channel === "standard")) checkRules(v[k] as Json, sub, path ? `${path}.${k}` : k, channel, out);
    }
  else if (s.type === "map" && isObject(v)) for (const [k, x] of Object.entries(v)) checkRules(x, s.values, `${path}.${k}`, channel, out);
  else if (s.type === "array" && Array.isArray(v)) v.forEach((x, i) => checkRules(x, s.items, `${path}[${i}]`, channel, out));
}

/**
 * Validates one object (apiVersion, kind and metadata aside) against a root schema, in one
 * channel. The object is not modified: defaults go on a copy.
 */
export function validateAgainst(object: unknown, root: ObjSchema, channel: Channel = "standard"): Violation[] {
  const body = structuredClone(object) as Record<string, Json>;
  for (const k of ["apiVersion", "kind", "metadata"]) delete body[k];
  applyDefaults(body, root, channel);
  const out: Violation[] = [];
  checkNode(body, root, "", channel, out);
  checkRules(body, root, "", channel, out);
  return out;
}
