// Plain scalars as Kubernetes reads them. kubectl and the API server read YAML with
// sigs.k8s.io/yaml, which decodes with its copy of go-yaml v2 and then converts to JSON. go-yaml v2
// resolves untagged scalars by YAML 1.1 rules of its own (resolve.go, go-yaml/yaml branch v2,
// commit 7649d4548cb53a614db133b2a8ac1f31859dda8c): `yes`/`on`/`y` are true, `0400` is octal 256,
// `1_000` is 1000, `08` is the float 8, there is no base 60. This module is that resolver, once,
// for every YAML input (the js-yaml schema and the `yaml` package tags below both call it) and for
// the emitter, which quotes any string this resolver would read as something else.
import { defineScalarTag, FAILSAFE_SCHEMA, mergeTag, NOT_RESOLVED, DUMP_SCHEMA, type Schema as JsYamlSchema } from "js-yaml";
import type { ScalarTag } from "yaml";

export type ScalarKind = "null" | "bool" | "int" | "float" | "str";

export interface Resolved {
  kind: ScalarKind;
  value: null | boolean | number | string | InexactInteger;
}

// resolve.go resolveMapList: exact spellings only (`yES` is a string).
const WORDS: Record<string, Resolved> = Object.assign(Object.create(null) as Record<string, Resolved>, {
  ...words("bool", true, ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]),
  ...words("bool", false, ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]),
  ...words("null", null, ["", "~", "null", "Null", "NULL"]),
  ...words("float", NaN, [".nan", ".NaN", ".NAN"]),
  ...words("float", Infinity, [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]),
  ...words("float", -Infinity, ["-.inf", "-.Inf", "-.INF"]),
});

function words(kind: ScalarKind, value: Resolved["value"], list: string[]): Record<string, Resolved> {
  return Object.fromEntries(list.map((w) => [w, { kind, value }]));
}

const STR = (s: string): Resolved => ({ kind: "str", value: s });

/** resolveTable's hints: S sign, D digit, M a word of the map, `.` a float. Others are strings. */
function hint(c: string): "S" | "D" | "M" | "." | undefined {
  if (c === "+" || c === "-") return "S";
  if (c >= "0" && c <= "9") return "D";
  if (c === ".") return ".";
  return "yYnNtTfFoO~".includes(c) ? "M" : undefined;
}

/** go-yaml v2 `resolve("", s)` for a plain (untagged) scalar, with the value sigs.k8s.io/yaml keeps. */
export function resolvePlain(s: string): Resolved {
  if (s === "") return WORDS[""]!;
  const h = hint(s[0]!);
  if (h === undefined) return STR(s);
  const word = WORDS[s];
  if (word) {
    if (word.kind === "float") unrepresentable++; // .inf, .nan: no JSON for them
    return word;
  }
  if (h === "M") return STR(s);
  if (h === ".") return goFloatDot(s) ?? STR(s);
  // A timestamp (`2001-12-14`) resolves to !!timestamp, but go-yaml v2 decodes it into interface{}
  // as the original string (decode.go), and no timestamp is also an int or a float: a string.
  const plain = s.includes("_") ? s.replace(/_/g, "") : s;
  return goInt(plain) ?? goYamlStyleFloat(plain) ?? goBinaryQuirk(plain) ?? STR(s);
}

// strconv.ParseInt(s, 0, 64) syntax: a sign, then 0x / 0o / 0b with digits, 0 with octal digits, or decimal.
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|(0|[1-9][0-9]*))$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt(plain, 0, 64), then ParseUint(plain, 0, 64) (which takes no sign) above int64. */
function goInt(plain: string): Resolved | undefined {
  const m = GO_INT.exec(plain);
  if (!m) return undefined;
  const [, sign, hex, oct, bin, oct0, dec] = m;
  const magnitude = hex ? BigInt(`0x${hex}`) : oct ? BigInt(`0o${oct}`) : bin ? BigInt(`0b${bin}`) : oct0 ? BigInt(`0o${oct0}`) : BigInt(dec!);
  return int64(sign === "-" ? -magnitude : magnitude, sign !== "", plain);
}

function int64(big: bigint, signed: boolean, text: string): Resolved | undefined {
  if (big < INT64_MIN || big > UINT64_MAX || (big > INT64_MAX && signed)) return undefined;
  if (big > MAX_EXACT || big < -MAX_EXACT) {
    unrepresentable++;
    return { kind: "int", value: new InexactInteger(text, big) };
  }
  return { kind: "int", value: big === 0n ? 0 : Number(big) };
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An integer Kubernetes reads exactly (int64) that a JavaScript number cannot hold: 2^53 and past.
 * The resolver gives this in place of a rounded number, and the reader refuses the document
 * (documents.ts `representable`) rather than print another value.
 */
export class InexactInteger {
  constructor(
    readonly text: string,
    readonly value: bigint,
  ) {}

  /** As a mapping key: its decimal digits, exact, as sigs.k8s.io/yaml writes an int64 key. */
  toString(): string {
    return this.value.toString();
  }
}

let unrepresentable = 0;

/**
 * How many values the resolver has given so far that a render cannot print as Kubernetes reads
 * them: InexactIntegers, and the floats .inf and .nan (go-yaml reads them, but no JSON encodes
 * them: the API server refuses the object). A reader compares it before and after a parse.
 */
export function unrepresentableResolved(): number {
  return unrepresentable;
}

// resolve.go yamlStyleFloat, checked on the text without underscores; ParseFloat must not overflow.
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function goYamlStyleFloat(plain: string): Resolved | undefined {
  if (!YAML_STYLE_FLOAT.test(plain)) return undefined;
  const v = Number(plain);
  return Number.isFinite(v) ? { kind: "float", value: v } : undefined;
}

// The `.` hint: strconv.ParseFloat(s) on the raw text, where `_` may only stand between digits.
const DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;

function goFloatDot(s: string): Resolved | undefined {
  if (!DOT_FLOAT.test(s)) return undefined;
  const v = Number(s.replace(/_/g, ""));
  return Number.isFinite(v) ? { kind: "float", value: v } : undefined;
}

/** resolve.go: `0b` then strconv.ParseInt(rest, 2, 64), which takes a sign: `0b-101` is -5. */
function goBinaryQuirk(plain: string): Resolved | undefined {
  const m = /^0b([-+]?)([01]+)$/.exec(plain);
  if (!m) return undefined;
  const magnitude = BigInt(`0b${m[2]}`);
  return int64(m[1] === "-" ? -magnitude : magnitude, m[1] !== "", plain);
}

/** An explicit `!!int`, `!!bool`... : go-yaml refuses text that resolves to another kind (`!!int` of a float becomes the float only for `!!float`). */
export function resolveTagged(kind: Exclude<ScalarKind, "str">, s: string): Resolved["value"] | typeof NOT_RESOLVED {
  const r = resolvePlain(s);
  if (r.kind === kind) return r.value;
  if (kind === "float" && r.kind === "int") return r.value;
  return NOT_RESOLVED;
}

/** True when a YAML 1.1 reader (go-yaml v2) would read the plain text `s` as something other than this string. */
export function misreadAsPlain(s: string): boolean {
  return resolvePlain(s).kind !== "str";
}

// ---------------------------------------------------------------- js-yaml

const FIRST_CHARS: Record<Exclude<ScalarKind, "str">, string[]> = {
  null: ["", "~", "n", "N"],
  bool: [..."yYnNtTfFoO"],
  int: ["+", "-", ..."0123456789"],
  float: ["+", "-", ".", ..."0123456789"],
};

function jsYamlTag(kind: Exclude<ScalarKind, "str">, identify: (v: unknown) => boolean) {
  return defineScalarTag(`tag:yaml.org,2002:${kind}`, {
    implicit: true,
    implicitFirstChars: FIRST_CHARS[kind],
    resolve: (source, isExplicit) => {
      if (isExplicit) return resolveTagged(kind, source);
      const r = resolvePlain(source);
      return r.kind === kind ? r.value : NOT_RESOLVED;
    },
    identify,
  });
}

/** js-yaml schema for every YAML input: strings, sequences, maps, go-yaml v2 scalars and `<<` merge keys. */
export const GO_YAML_SCHEMA: JsYamlSchema = FAILSAFE_SCHEMA.withTags(
  jsYamlTag("null", (v) => v === null),
  jsYamlTag("bool", (v) => typeof v === "boolean"),
  jsYamlTag("int", (v) => Number.isInteger(v)),
  jsYamlTag("float", (v) => typeof v === "number"),
  mergeTag,
);

/**
 * The dumper's schema: js-yaml's own, widest one (YAML 1.1 and 1.2 forms), plus one load-only tag
 * that claims every text go-yaml v2 would resolve (and numbers it would not), so such strings are quoted.
 */
export const EMIT_SCHEMA: JsYamlSchema = DUMP_SCHEMA.withTags(
  defineScalarTag("tag:kubefork,2026:go-yaml-v2", {
    implicit: true,
    implicitFirstChars: [...new Set(Object.values(FIRST_CHARS).flat())],
    // Also a number too large for go-yaml (`1e400`, a string there) that a YAML 1.2 reader reads as infinity.
    resolve: (source) => (misreadAsPlain(source) || YAML_STYLE_FLOAT.test(source) ? source : NOT_RESOLVED),
    identify: () => false,
  }),
);

// ---------------------------------------------------------------- yaml package

/** Tags for the `yaml` package, on top of its failsafe schema (map, seq, str). */
export function goYamlTags(failsafe: unknown[]): unknown[] {
  const plain: ScalarTag = {
    tag: "tag:kubefork,2026:go-yaml-v2",
    default: true,
    // Every plain scalar: the value is the resolver's, a string when nothing else matches.
    test: /(?:)/,
    resolve: (s) => resolvePlain(s).value,
  };
  const tagged = (["null", "bool", "int", "float"] as const).map(
    (kind): ScalarTag => ({
      tag: `tag:yaml.org,2002:${kind}`,
      resolve: (s, onError) => {
        const v = resolveTagged(kind, s);
        if (v === NOT_RESOLVED) {
          onError(`cannot decode ${resolvePlain(s).kind} \`${s}\` as a !!${kind}`);
          return s;
        }
        return v;
      },
    }),
  );
  return [...failsafe, plain, ...tagged];
}

// ---------------------------------------------------------------- keys

/**
 * A float map key as sigs.k8s.io/yaml writes it: strconv.FormatFloat(k, 'g', -1, 32), the
 * shortest decimal that reads back as the same float32, in %e form when its exponent is below -4
 * or at least 6 (Go's shortest %g uses 6 there), with a sign and at least two exponent digits.
 */
export function goFloatKey(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf"; // past float32's range
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  let digits = "";
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const e = Math.abs(f).toExponential(p - 1); // d.ddde±x
    if (Math.fround(Number(e)) === Math.abs(f)) {
      const [m, x] = e.split("e");
      digits = m!.replace(".", "");
      exp = Number(x);
      break;
    }
  }
  digits = digits.replace(/0+$/, "") || "0";
  const sign = f < 0 ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${int}${frac ? `.${frac}` : ""}`;
}
