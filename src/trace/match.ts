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

function translate(pattern: string): CompiledRegex | RegexError {
  let flags = "";
  let rest = pattern;
  // Leading flag groups: (?i) (?s) (?m) (?is) ...
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(rest);
    if (!m) break;
    for (const f of m[1] ?? "") {
      if (f === "U") return { ok: false, message: "the RE2 flag (?U) (ungreedy) has no JavaScript equivalent" };
      if (!flags.includes(f)) flags += f;
    }
    rest = rest.slice(m[0].length);
  }
  const dotAll = flags.includes("s");
  let out = "";
  let unicode = false;
  let inClass = false;
  let classStart = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i] as string;
    if (c === "\\") {
      const n = rest[i + 1];
      if (n === undefined) return { ok: false, message: "trailing backslash" };
      i++;
      if (n >= "1" && n <= "9") return { ok: false, message: `backreference \\${n} is not RE2 (Istio rejects it)` };
      if (n === "k" && rest[i + 1] === "<") return { ok: false, message: "named backreference \\k<...> is not RE2 (Istio rejects it)" };
      if (n === "C") return { ok: false, message: "\\C (any byte) cannot be evaluated in JavaScript" };
      if (n === "Q") {
        const end = rest.indexOf("\\E", i + 1);
        const lit = end < 0 ? rest.slice(i + 1) : rest.slice(i + 1, end);
        out += escapeLiteral(lit);
        i = end < 0 ? rest.length : end + 1;
        classStart = false;
        continue;
      }
      if (n === "E") continue; // stray \E is ignored by RE2
      if (n === "A" && !inClass) {
        out += "^";
        continue;
      }
      if (n === "z" && !inClass) {
        out += "$";
        continue;
      }
      if (n === "Z") return { ok: false, message: "\\Z is not RE2 (use \\z)" };
      if (n === "s") {
        out += inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
        classStart = false;
        continue;
      }
      if (n === "S" && !inClass) {
        out += "[^\\t\\n\\f\\r ]";
        continue;
      }
      if (n === "p" || n === "P") {
        unicode = true;
        const nn = rest[i + 1];
        if (nn === "{") {
          const end = rest.indexOf("}", i + 1);
          if (end < 0) return { ok: false, message: "unterminated \\p{...}" };
          out += `\\${n}${rest.slice(i + 1, end + 1)}`;
          i = end;
        } else if (nn !== undefined) {
          out += `\\${n}{${nn}}`;
          i++;
        }
        classStart = false;
        continue;
      }
      if (n === "x" && rest[i + 1] === "{") {
        const end = rest.indexOf("}", i + 1);
        if (end < 0) return { ok: false, message: "unterminated \\x{...}" };
        unicode = true;
        out += `\\u{${rest.slice(i + 2, end)}}`;
        i = end;
        classStart = false;
        continue;
      }
      // Other escapes (\d \w \b \. \- ...) mean the same in both; under the `u` flag JS rejects
      // identity escapes of non-syntax characters, which we re-check when compiling.
      out += `\\${n}`;
      classStart = false;
      continue;
    }
    if (inClass) {
      if (c === "]" && classStart) {
        out += "\\]";
        classStart = false;
        continue;
      }
      if (c === "[" && rest[i + 1] === ":") {
        const end = rest.indexOf(":]", i + 2);
        if (end > 0) {
          let name = rest.slice(i + 2, end);
          const neg = name.startsWith("^");
          if (neg) name = name.slice(1);
          const range = POSIX[name];
          if (!range) return { ok: false, message: `unknown POSIX class [:${name}:]` };
          if (neg) return { ok: false, message: `negated POSIX class [:^${name}:] is not supported here` };
          out += range;
          i = end + 1;
          classStart = false;
          continue;
        }
      }
      if (c === "[") {
        out += "\\[";
        classStart = false;
        continue;
      }
      if (c === "^" && classStart && out.endsWith("[")) {
        out += "^";
        continue; // still at class start: a following ] is literal
      }
      if (c === "]") inClass = false;
      out += c;
      classStart = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      classStart = true;
      out += "[";
      continue;
    }
    if (c === "(" && rest[i + 1] === "?") {
      const tail = rest.slice(i + 2);
      if (tail.startsWith("=") || tail.startsWith("!")) {
        return { ok: false, message: "lookahead (?= / (?! is not RE2 (Istio rejects it)" };
      }
      if (tail.startsWith("<=") || tail.startsWith("<!")) {
        return { ok: false, message: "lookbehind (?<= / (?<! is not RE2 (Istio rejects it)" };
      }
      if (tail.startsWith("P<")) {
        out += "(?<";
        i += 3;
        continue;
      }
      if (tail.startsWith(":") || tail.startsWith("<")) {
        out += "(?";
        i += 1;
        continue;
      }
      return { ok: false, message: `inline flag group "(?${tail.slice(0, 4)}..." is not supported here (only leading (?i)/(?s)/(?m))` };
    }
    if (c === ".") {
      out += dotAll ? "[^]" : "[^\\n]";
      continue;
    }
    out += c;
  }
  if (inClass) return { ok: false, message: "missing closing ]" };
  const jsFlags = flags.replace("s", "") + (unicode ? "u" : "");
  try {
    const re = new RegExp(`^(?:${out})$`, jsFlags);
    return { ok: true, re, source: `^(?:${out})$` };
  } catch (e) {
    return { ok: false, message: `invalid regular expression: ${(e as Error).message}` };
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
