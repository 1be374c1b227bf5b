// String matching as the data plane does it: Istio StringMatch (exact | prefix | regex, `{}` =
// present) and Gateway API Exact / RegularExpression matches.
//
// Regexes: Istio hands `regex` to Envoy as a `safe_regex` (Google RE2), and Envoy matches it
// against the WHOLE value (RE2::FullMatch), not a substring. We evaluate with a JS RegExp
// anchored as `^(?:...)$` after translating the RE2 syntax JS lacks. RE2 vs JS differences
// handled here:
//   - `\s` in RE2 is ASCII `[\t\n\f\r ]` (JS also matches \v and Unicode spaces): rewritten;
//   - `.` in RE2 excludes only `\n` (JS also excludes `\r`, U+2028, U+2029): rewritten to
//     `[^\n]` (or `[^]` under the `s` flag);
//   - `\A`, `\z` (text anchors) become `^`, `$` (we never set the JS `m` flag unless `(?m)`);
//   - `(?P<name>…)` becomes `(?<name>…)`; `\Q…\E` becomes escaped literal text;
//   - POSIX classes `[[:alpha:]]` inside brackets become ASCII ranges;
//   - a leading `]` in a class (`[]a]`) is literal in RE2 and an empty class in JS: escaped;
//   - `\pL` becomes `\p{L}`, `\x{41}` becomes `\u{41}`, both with the JS `u` flag;
//   - leading flag groups `(?i)`, `(?s)`, `(?m)`, `(?U)` are turned into JS flags (`U` has no
//     JS equivalent and is a problem).
// RE2 has no lookarounds (`(?=`, `(?!`, `(?<=`, `(?<!`), no backreferences (`\1`, `\k<n>`) and
// no `\C` semantics we can mirror: Istio's validation rejects such patterns (Go regexp is RE2),
// so they are reported as problems and the match is treated as failing.
// Remaining known differences (not rewritten): `\S` inside a bracket class keeps JS meaning;
// RE2 works on UTF-8 bytes and JS on UTF-16 code units, which only matters for `\C`-like tricks.

export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface CompiledRegex {
  ok: true;
  re: RegExp;
  source: string;
}
export interface RegexError {
  ok: false;
  message: string;
}

const cache = new Map<string, CompiledRegex | RegexError>();

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, (c) => `\\${c}`);
}

/** Translate an RE2 pattern to a JS RegExp that matches the whole value. */
export function compileRe2(pattern: string): CompiledRegex | RegexError {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const result = translate(pattern);
  cache.set(pattern, result);
  return result;
}

/** The translation under way: the RE2 text after its flag groups, where we are, what is written. */
interface Re2Scan {
  readonly rest: string;
  readonly dotAll: boolean;
  /** Index of the character being translated; a step leaves it on the last character it used. */
  i: number;
  out: string;
  unicode: boolean;
  inClass: boolean;
  /** Just after `[` (or `[^`): a `]` here is literal in RE2. */
  classStart: boolean;
}

/** One translation step: undefined when done, the problem when the pattern cannot be evaluated. */
type Re2Step = RegexError | undefined;

const fail = (message: string): RegexError => ({ ok: false, message });

function translate(pattern: string): CompiledRegex | RegexError {
  const lead = leadingFlags(pattern);
  if ("ok" in lead) return lead;
  const s: Re2Scan = { rest: lead.rest, dotAll: lead.flags.includes("s"), i: 0, out: "", unicode: false, inClass: false, classStart: false };
  for (; s.i < s.rest.length; s.i++) {
    const problem = translateChar(s, s.rest[s.i] as string);
    if (problem) return problem;
  }
  if (s.inClass) return fail("missing closing ]");
  return compileWhole(s.out, lead.flags.replace("s", "") + (s.unicode ? "u" : ""));
}

/** Leading flag groups (`(?i)`, `(?s)`, `(?m)`, `(?is)` ...) as JS flags, and the pattern after them. */
function leadingFlags(pattern: string): { flags: string; rest: string } | RegexError {
  let flags = "";
  let rest = pattern;
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(rest);
    if (!m) return { flags, rest };
    for (const f of m[1] ?? "") {
      if (f === "U") return fail("the RE2 flag (?U) (ungreedy) has no JavaScript equivalent");
      if (!flags.includes(f)) flags += f;
    }
    rest = rest.slice(m[0].length);
  }
}

function translateChar(s: Re2Scan, c: string): Re2Step {
  if (c === "\\") return translateEscape(s);
  if (s.inClass) return translateInClass(s, c);
  if (c === "[") {
    s.inClass = true;
    s.classStart = true;
    s.out += "[";
    return undefined;
  }
  if (c === "(" && s.rest[s.i + 1] === "?") return translateGroupOpen(s);
  s.out += c === "." ? (s.dotAll ? "[^]" : "[^\\n]") : c;
  return undefined;
}

/** A backslash escape at `s.i`. */
function translateEscape(s: Re2Scan): Re2Step {
  const { rest } = s;
  const n = rest[s.i + 1];
  if (n === undefined) return fail("trailing backslash");
  s.i++;
  if (n >= "1" && n <= "9") return fail(`backreference \\${n} is not RE2 (Istio rejects it)`);
  if (n === "k" && rest[s.i + 1] === "<") return fail("named backreference \\k<...> is not RE2 (Istio rejects it)");
  if (n === "C") return fail("\\C (any byte) cannot be evaluated in JavaScript");
  if (n === "Z") return fail("\\Z is not RE2 (use \\z)");
  if (n === "E") return undefined; // stray \E is ignored by RE2
  if (n === "Q") {
    const end = rest.indexOf("\\E", s.i + 1);
    s.out += escapeLiteral(end < 0 ? rest.slice(s.i + 1) : rest.slice(s.i + 1, end));
    s.i = end < 0 ? rest.length : end + 1;
  } else if ((n === "A" || n === "z") && !s.inClass) {
    s.out += n === "A" ? "^" : "$";
    return undefined;
  } else if (n === "s") {
    s.out += s.inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
  } else if (n === "S" && !s.inClass) {
    s.out += "[^\\t\\n\\f\\r ]";
    return undefined;
  } else if (n === "p" || n === "P") {
    const problem = translateUnicodeClass(s, n);
    if (problem) return problem;
  } else if (n === "x" && rest[s.i + 1] === "{") {
    const end = rest.indexOf("}", s.i + 1);
    if (end < 0) return fail("unterminated \\x{...}");
    s.unicode = true;
    s.out += `\\u{${rest.slice(s.i + 2, end)}}`;
    s.i = end;
  } else {
    // Other escapes (\d \w \b \. \- ...) mean the same in both; under the `u` flag JS rejects
    // identity escapes of non-syntax characters, which we re-check when compiling.
    s.out += `\\${n}`;
  }
  s.classStart = false;
  return undefined;
}

/** `\pL` → `\p{L}`; `\p{Greek}` as is; both need the JS `u` flag. */
function translateUnicodeClass(s: Re2Scan, n: "p" | "P"): Re2Step {
  s.unicode = true;
  const nn = s.rest[s.i + 1];
  if (nn === "{") {
    const end = s.rest.indexOf("}", s.i + 1);
    if (end < 0) return fail("unterminated \\p{...}");
    s.out += `\\${n}${s.rest.slice(s.i + 1, end + 1)}`;
    s.i = end;
  } else if (nn !== undefined) {
    s.out += `\\${n}{${nn}}`;
    s.i++;
  }
  return undefined;
}

/** A character inside a bracket class (not an escape). */
function translateInClass(s: Re2Scan, c: string): Re2Step {
  if (c === "]" && s.classStart) {
    s.out += "\\]";
  } else if (c === "[" && s.rest[s.i + 1] === ":" && s.rest.indexOf(":]", s.i + 2) > 0) {
    const problem = translatePosixClass(s);
    if (problem) return problem;
  } else if (c === "[") {
    s.out += "\\[";
  } else if (c === "^" && s.classStart && s.out.endsWith("[")) {
    s.out += "^";
    return undefined; // still at class start: a following ] is literal
  } else {
    if (c === "]") s.inClass = false;
    s.out += c;
  }
  s.classStart = false;
  return undefined;
}

/** `[:alpha:]` inside a class at `s.i` → its ASCII range. */
function translatePosixClass(s: Re2Scan): Re2Step {
  const end = s.rest.indexOf(":]", s.i + 2);
  let name = s.rest.slice(s.i + 2, end);
  const neg = name.startsWith("^");
  if (neg) name = name.slice(1);
  const range = POSIX[name];
  if (!range) return fail(`unknown POSIX class [:${name}:]`);
  if (neg) return fail(`negated POSIX class [:^${name}:] is not supported here`);
  s.out += range;
  s.i = end + 1;
  return undefined;
}

/** `(?` at `s.i`: non-capturing and named groups pass; lookarounds and inline flags are problems. */
function translateGroupOpen(s: Re2Scan): Re2Step {
  const tail = s.rest.slice(s.i + 2);
  if (tail.startsWith("=") || tail.startsWith("!")) return fail("lookahead (?= / (?! is not RE2 (Istio rejects it)");
  if (tail.startsWith("<=") || tail.startsWith("<!")) return fail("lookbehind (?<= / (?<! is not RE2 (Istio rejects it)");
  if (tail.startsWith("P<")) {
    s.out += "(?<";
    s.i += 3;
    return undefined;
  }
  if (tail.startsWith(":") || tail.startsWith("<")) {
    s.out += "(?";
    s.i += 1;
    return undefined;
  }
  return fail(`inline flag group "(?${tail.slice(0, 4)}..." is not supported here (only leading (?i)/(?s)/(?m))`);
}

/** The translated source, anchored to match the whole value. */
function compileWhole(out: string, jsFlags: string): CompiledRegex | RegexError {
  try {
    const re = new RegExp(`^(?:${out})$`, jsFlags);
    return { ok: true, re, source: `^(?:${out})$` };
  } catch (e) {
    return fail(`invalid regular expression: ${(e as Error).message}`);
  }
}

/** Whole-value RE2 match; undefined when the pattern cannot be evaluated. */
export function fullMatch(pattern: string, value: string): boolean | RegexError {
  const c = compileRe2(pattern);
  if (!c.ok) return c;
  return c.re.test(value);
}

export type StringMatchKind = "exact" | "prefix" | "regex" | "present";

export function stringMatchKind(m: StringMatch | null | undefined): StringMatchKind {
  if (!m || typeof m !== "object") return "present";
  if (typeof m.exact === "string") return "exact";
  if (typeof m.prefix === "string") return "prefix";
  if (typeof m.regex === "string") {
    // Istio turns `regex: "*"` into a present match (istio/istio#20629).
    return m.regex === "*" ? "present" : "regex";
  }
  return "present";
}

export interface MatchOutcome {
  matched: boolean;
  /** Set when the match could not be evaluated (bad regex). The match then counts as failed. */
  error?: string;
}

/**
 * Istio StringMatch against a value (undefined = header absent).
 * `{}` (or regex "*") = present; missing value never matches exact/prefix/regex.
 * `ignoreCase` applies to exact and prefix only (Istio: ignoreUriCase is ignored for regex).
 */
export function matchStringMatch(
  m: StringMatch | null | undefined,
  value: string | undefined,
  opts: { ignoreCase?: boolean } = {},
): MatchOutcome {
  const kind = stringMatchKind(m);
  if (kind === "present") return { matched: value !== undefined };
  if (value === undefined) return { matched: false };
  const ic = opts.ignoreCase === true;
  switch (kind) {
    case "exact": {
      const want = (m as StringMatch).exact as string;
      return { matched: ic ? value.toLowerCase() === want.toLowerCase() : value === want };
    }
    case "prefix": {
      const want = (m as StringMatch).prefix as string;
      return { matched: ic ? value.toLowerCase().startsWith(want.toLowerCase()) : value.startsWith(want) };
    }
    case "regex": {
      const r = fullMatch((m as StringMatch).regex as string, value);
      if (typeof r === "boolean") return { matched: r };
      return { matched: false, error: r.message };
    }
  }
}

/** Short text for a StringMatch, for notes: `exact "alice"`, `present`. */
export function describeStringMatch(m: StringMatch | null | undefined): string {
  const kind = stringMatchKind(m);
  if (kind === "present") return "present";
  const v = kind === "exact" ? m?.exact : kind === "prefix" ? m?.prefix : m?.regex;
  return `${kind} ${JSON.stringify(v)}`;
}

/** Split `/a/b?x=1&y` into path and query parameters (first value wins, as Gateway API recommends). */
export function splitPath(raw: string): { path: string; query: Map<string, string> } {
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new Map<string, string>();
  if (q >= 0) {
    for (const part of raw.slice(q + 1).split("&")) {
      if (!part) continue;
      const eq = part.indexOf("=");
      const k = decode(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? "" : decode(part.slice(eq + 1));
      if (!query.has(k)) query.set(k, v);
    }
  }
  return { path: path || "/", query };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/**
 * Gateway API PathPrefix: element-wise prefix, trailing `/` of the value ignored:
 * `/abc` matches `/abc`, `/abc/`, `/abc/def`, not `/abcd`.
 */
export function pathPrefixMatches(prefix: string, path: string): boolean {
  const p = prefix.replace(/\/+$/, "");
  if (p === "") return true;
  return path === p || path.startsWith(`${p}/`);
}

/** A label selector given as a map: every pair present in `labels`. Empty selector = everything. */
export function labelsMatch(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) {
    if ((labels ?? {})[k] !== v) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Header modification, as Envoy applies Istio `headers.request` and Gateway API
// `RequestHeaderModifier`: removals first, then `set` (overwrite or add), then `add` (append;
// an existing value gets `,value`, which is how a repeated header is read by header matchers).
// Header names are case-insensitive: everything is kept lower-case.

export interface HeaderChange {
  op: "set" | "add" | "remove";
  name: string;
  value?: string;
}

export interface HeaderOps {
  set?: Array<[string, string]>;
  add?: Array<[string, string]>;
  remove?: string[];
}

export function applyHeaderOps(
  headers: Readonly<Record<string, string>>,
  ops: HeaderOps,
): { headers: Record<string, string>; changes: HeaderChange[] } {
  const out: Record<string, string> = { ...headers };
  const changes: HeaderChange[] = [];
  for (const raw of ops.remove ?? []) {
    const name = raw.toLowerCase();
    if (name.startsWith(":") || name === "host") continue; // Istio drops internal headers
    delete out[name];
    changes.push({ op: "remove", name });
  }
  for (const [raw, value] of ops.set ?? []) {
    const name = raw.toLowerCase();
    if (name.startsWith(":") || name === "host") continue;
    out[name] = value;
    changes.push({ op: "set", name, value });
  }
  for (const [raw, value] of ops.add ?? []) {
    const name = raw.toLowerCase();
    if (name.startsWith(":") || name === "host") continue;
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
    changes.push({ op: "add", name, value });
  }
  return { headers: out, changes };
}
