// Render settings (`fork`, `scope`, `now`, `output`, `cache`) and where they come from.
//
// Pure: it reads only its arguments, never `process`. The CLI passes its parsed flags and
// `process.env`; tests pass tables.
//
// Order (SPEC "Commands"), first set source wins, per setting:
//   1. a flag                                  --fork, --shared/--scope, --now, --output, --no-cache
//   2. the plugin parameter                    spec.source.plugin.parameters[] of the Application,
//        exactly named entry in ARGOCD_APP_PARAMETERS, else PARAM_<NAME>
//   3. the Application's env                   spec.source.plugin.env[] → ARGOCD_ENV_KUBEFORK_<NAME>
//   4. the sidecar's env                       KUBEFORK_<NAME>
//   5. the default                             scope: all, output: yaml (json as Argo CD's plugin:
//                                              ARGOCD_APP_NAME set and stdout not a terminal),
//                                              cache: on; fork and now unset
// An empty string counts as unset at every level (Argo CD itself drops empty env values on the
// way to the plugin, so `PARAM_FORK=` never arrives while `{"name":"fork","string":""}` does).
//
// ARGOCD_APP_PARAMETERS against PARAM_<NAME>. Argo CD builds both from the same list
// (pkg/apis/application/v1alpha1/types.go, ApplicationSourcePluginParameters.Environ): the JSON is
// the list itself; PARAM_<NAME> is derived from it by upper-casing the name and replacing every
// character outside [A-Z0-9_] with `_` (arrays become PARAM_<NAME>_<i>, maps PARAM_<NAME>_<KEY>).
// The derivation is lossy: `fork`, `Fork` and `FORK` all give PARAM_FORK (the last one wins), an
// array-typed `fork` gives no PARAM_FORK at all, and the cmp-server starts the command with the
// sidecar's own environment underneath, so a PARAM_FORK in the sidecar's env looks the same as a
// parameter. So the exact `fork` entry of ARGOCD_APP_PARAMETERS wins; PARAM_FORK is read only when
// that entry is missing (ARGOCD_APP_PARAMETERS absent, e.g. a hand-run or another CMP harness, or
// the parameter was spelt differently). When both are set and differ, the JSON entry is used and a
// warning names the other. Malformed ARGOCD_APP_PARAMETERS, or a `fork` entry that is not a
// string, is an error: guessing the scope of a render risks pruning what another Application owns.

// model/formats.ts, not the schemas: a render served from the cache initialises no zod.
import { FORK_ID_RULE, isForkIdentifier, isRfc3339, parseRfc3339 } from "../model/formats.ts";
import { error, warning } from "../problems.ts";
import type { Problem } from "../problems.ts";

export const SETTING_NAMES = ["fork", "scope", "now", "output", "cache"] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export type Scope = "all" | "shared";
export type OutputFormat = "yaml" | "json";

export interface RenderSettings {
  /** Render only this fork's part (SPEC invariant 10). */
  fork?: string;
  /** `all`: base + every live fork; `shared`: base + merged routing, no fork-only objects. */
  scope: Scope;
  /** RFC 3339 instant used as "now" for expiry. */
  now?: string;
  output: OutputFormat;
  /** The render cache (src/cli/render-cache.ts): on unless set to "off". */
  cache: "on" | "off";
  /** Per setting, the source it came from: `--fork`, `ARGOCD_APP_PARAMETERS`, `PARAM_FORK`,
   *  `ARGOCD_ENV_KUBEFORK_FORK`, `KUBEFORK_FORK` or `default`. Unset settings have no entry. */
  sources: Record<string, string>;
}

export interface ResolvedSettings {
  settings: RenderSettings;
  problems: Problem[];
}

export type SettingFlags = Partial<Record<SettingName, string | undefined>>;
export type Env = Record<string, string | undefined>;

const DEFAULTS = { scope: "all", output: "yaml", cache: "on" } as const;

/** How a flag is named in messages. `scope` is set by `--shared` on the command line. */
const FLAG_LABEL: Record<SettingName, string> = {
  fork: "--fork",
  scope: "--shared/--scope",
  now: "--now",
  output: "--output",
  cache: "--no-cache",
};

export const APP_PARAMETERS_VAR = "ARGOCD_APP_PARAMETERS";

/** Argo CD's escaping of a parameter name into PARAM_<NAME> (types.go `escaped`). */
export function paramEnvName(name: string): string {
  return `PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}`;
}

export function appEnvName(name: SettingName): string {
  return `ARGOCD_ENV_KUBEFORK_${name.toUpperCase()}`;
}

export function sidecarEnvName(name: SettingName): string {
  return `KUBEFORK_${name.toUpperCase()}`;
}

interface Candidate {
  value: string;
  source: string;
}

/** Where the render's stdout goes: Argo CD's cmp-server reads it through a pipe. */
export interface Terminal {
  stdoutIsTTY?: boolean;
}

/**
 * The default output: JSON for Argo CD (it reads concatenated JSON objects, and writing YAML is a
 * third of a large render), YAML for a person. Argo CD sets ARGOCD_APP_NAME for every plugin run.
 */
export function defaultOutput(env: Env, terminal: Terminal): OutputFormat {
  return isSet(env.ARGOCD_APP_NAME) && !terminal.stdoutIsTTY ? "json" : DEFAULTS.output;
}

export function resolveSettings(flags: SettingFlags, env: Env, terminal: Terminal = {}): ResolvedSettings {
  const problems: Problem[] = [];
  const params = readAppParameters(env[APP_PARAMETERS_VAR], problems);
  const settings: RenderSettings = { scope: DEFAULTS.scope, output: defaultOutput(env, terminal), cache: DEFAULTS.cache, sources: {} };
  const picked: Partial<Record<SettingName, Candidate>> = {};
  for (const name of SETTING_NAMES) {
    const candidate = pickSetting(name, flags, env, params, problems);
    if (candidate) picked[name] = candidate;
    if (candidate || DEFAULTED_SOURCE.has(name)) settings.sources[name] = candidate ? candidate.source : "default";
    const problem = candidate && APPLY[name](settings, candidate);
    if (problem) problems.push(problem);
  }
  const conflict = forkAndSharedConflict(picked.fork, picked.scope);
  if (conflict) problems.push(conflict);
  return { settings, problems };
}

/** Settings whose source reads "default" when no source sets them (scope and output always have a value that matters). */
const DEFAULTED_SOURCE: ReadonlySet<SettingName> = new Set(["scope", "output"]);

/** A setting's value from the first source that sets it (see the order above), or undefined. */
function pickSetting(name: SettingName, flags: SettingFlags, env: Env, params: AppParameters, problems: Problem[]): Candidate | undefined {
  const flag = flags[name];
  if (isSet(flag)) return { value: flag, source: FLAG_LABEL[name] };
  const param = pickParameter(name, env, params, problems);
  if (param) return param;
  for (const variable of [appEnvName(name), sidecarEnvName(name)]) {
    const value = env[variable];
    if (isSet(value)) return { value, source: variable };
  }
  return undefined;
}

/** The plugin parameter: the exact entry of ARGOCD_APP_PARAMETERS, else PARAM_<NAME> (a warning when both are set and differ). */
function pickParameter(name: SettingName, env: Env, params: AppParameters, problems: Problem[]): Candidate | undefined {
  const paramVar = paramEnvName(name);
  const fromJson = params.values.get(name);
  const fromVar = env[paramVar];
  if (fromJson === undefined) return isSet(fromVar) ? { value: fromVar, source: paramVar } : undefined;
  if (isSet(fromVar) && fromVar !== fromJson) {
    problems.push(
      warning({
        code: "KF6005",
        message: `${paramVar}=${JSON.stringify(fromVar)} disagrees with ${APP_PARAMETERS_VAR} ${name}=${JSON.stringify(fromJson)}; using ${APP_PARAMETERS_VAR}`,
        hint: `Argo CD derives ${paramVar} from every parameter whose name upper-cases to ${name.toUpperCase()} (e.g. "${capitalize(name)}"), and the sidecar's own env may set it too; keep one parameter named exactly "${name}"`,
      }),
    );
  }
  return { value: fromJson, source: APP_PARAMETERS_VAR };
}

/** A two-valued setting: stores the value, or gives the problem naming both values. */
function choice<K extends "scope" | "output" | "cache">(name: K, values: readonly [RenderSettings[K], RenderSettings[K]], hint: string) {
  return (settings: RenderSettings, c: Candidate): Problem | undefined => {
    const value = values.find((v) => v === c.value);
    if (value !== undefined) {
      settings[name] = value;
      return undefined;
    }
    return error({ code: "KF6003", message: `${c.source}: ${name} must be "${values[0]}" or "${values[1]}", not ${JSON.stringify(c.value)}`, hint });
  };
}

/** Per setting: checks the value a source gave and stores it in the settings, or gives the problem. */
const APPLY: Record<SettingName, (settings: RenderSettings, c: Candidate) => Problem | undefined> = {
  fork: (settings, c) => {
    if (isForkId(c.value)) {
      settings.fork = c.value;
      return undefined;
    }
    return error({
      code: "KF6002",
      message: `${c.source}: fork ${JSON.stringify(c.value)} is not a fork identifier`,
      hint: `a fork identifier is ${FORK_ID_RULE}, the base name of its file forks/<id>.yaml`,
    });
  },
  scope: choice("scope", ["all", "shared"], 'use "all" (base and every live fork; the default) or "shared" (base and merged routing, for the one Application that owns them next to per-fork Applications)'),
  now: (settings, c) => {
    const read = readNow(c.value, c.source)!;
    if ("problem" in read) return read.problem;
    settings.now = c.value;
    return undefined;
  },
  output: choice("output", ["yaml", "json"], 'use "yaml" (a multi-document YAML stream; the default on a terminal) or "json" (concatenated JSON objects; the default under Argo CD)'),
  cache: choice("cache", ["on", "off"], 'use "off" to render from scratch every time (the same output, more work), or leave it unset'),
};

/** A render is one fork's part or the shared part, never both. */
function forkAndSharedConflict(fork: Candidate | undefined, scope: Candidate | undefined): Problem | undefined {
  if (!fork || scope?.value !== "shared") return undefined;
  return error({
    code: "KF6004",
    message: `${scope.source}: scope "shared" cannot be combined with fork ${JSON.stringify(fork.value)} (from ${fork.source})`,
    hint: "a render is either one fork's part (fork) or the shared part (scope: shared): their union is the whole render. Unset one of them",
  });
}

/**
 * The `now` setting, read strictly (model/formats.ts): every command's --now and render's `now`
 * from any source go through here. `source` names where it came from in the message.
 */
export function readNow(value: string | undefined, source: string): { at: number } | { problem: Problem } | undefined {
  if (!isSet(value)) return undefined;
  const at = parseRfc3339(value);
  if (at !== undefined) return { at };
  return {
    problem: error({
      code: "KF6001",
      message: `${source}: now ${JSON.stringify(value)} is not an RFC 3339 date-time`,
      hint: 'write a full date-time with a zone, e.g. "2026-11-23T12:00:00Z" or "2026-11-23T13:00:00+01:00"; leave it unset to use the clock',
    }),
  };
}

/** The instant a render judges expiry by: its `now` setting, or the clock. */
export function clockOf(settings: Pick<RenderSettings, "now">, clock: () => number): number {
  return settings.now !== undefined ? parseRfc3339(settings.now)! : clock();
}

interface AppParameters {
  /** The JSON was present and readable (an array or null). */
  present: boolean;
  /** Non-empty string values of the known settings, by exact name. */
  values: Map<SettingName, string>;
}

const PARAMETERS_HINT = `Argo CD sets ${APP_PARAMETERS_VAR} from the Application's spec.source.plugin.parameters; by hand, give a JSON array such as [{"name":"fork","string":"alice"}] or null`;

/** Reads ARGOCD_APP_PARAMETERS: `[{"name":"fork","string":"alice"}, ...]` or `null`. */
function readAppParameters(raw: string | undefined, problems: Problem[]): AppParameters {
  const values = new Map<SettingName, string>();
  if (!isSet(raw)) return { present: false, values };
  const entries = parseAppParameters(raw, problems);
  if (entries === undefined) return { present: false, values };
  const seen = new Map<SettingName, number>();
  entries.forEach((entry, i) => {
    const read = readParameterEntry(entry, `${APP_PARAMETERS_VAR}[${i}]`);
    if ("problem" in read) return void problems.push(read.problem);
    const { setting, value } = read;
    const prev = seen.get(setting);
    if (prev === undefined) {
      seen.set(setting, i);
      if (value !== "") values.set(setting, value);
    } else if ((values.get(setting) ?? "") !== value) {
      problems.push(
        error({
          code: "KF6010",
          message: `${APP_PARAMETERS_VAR}[${i}]: parameter "${setting}" is set twice with different values (see ${APP_PARAMETERS_VAR}[${prev}])`,
          hint: `keep one "${setting}" entry in spec.source.plugin.parameters`,
        }),
      );
    }
  });
  return { present: true, values };
}

/** The JSON: its entries (none for `null`), or undefined after an error when it is not JSON or not an array. */
function parseAppParameters(raw: string, problems: Problem[]): unknown[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    problems.push(error({ code: "KF6006", message: `${APP_PARAMETERS_VAR}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, hint: PARAMETERS_HINT }));
    return undefined;
  }
  if (parsed === null) return [];
  if (Array.isArray(parsed)) return parsed;
  problems.push(error({ code: "KF6006", message: `${APP_PARAMETERS_VAR}: expected a JSON array or null, got ${typeName(parsed)}`, hint: PARAMETERS_HINT }));
  return undefined;
}

/** One entry of the JSON: a known setting with a string value, or the problem (an error, or a warning for a name kubefork does not read). */
function readParameterEntry(entry: unknown, at: string): { setting: SettingName; value: string } | { problem: Problem } {
  if (!isRecord(entry) || typeof entry.name !== "string" || entry.name === "") return { problem: error({ code: "KF6007", message: `${at}: expected an object with a non-empty "name"`, hint: PARAMETERS_HINT }) };
  const name = entry.name;
  if (!isSettingName(name)) {
    const lookalike = SETTING_NAMES.find((s) => paramEnvName(s) === paramEnvName(name));
    return {
      problem: warning({
        code: "KF6008",
        message: lookalike
          ? `${at}: parameter ${JSON.stringify(name)} is not ${JSON.stringify(lookalike)} (names are case-sensitive); Argo CD still exports it as ${paramEnvName(name)}, which is read only when no "${lookalike}" parameter is set`
          : `${at}: unknown parameter ${JSON.stringify(name)}, ignored`,
        hint: `kubefork reads the parameters ${SETTING_NAMES.map((s) => `"${s}"`).join(", ")}`,
      }),
    };
  }
  const value = entry.string;
  if (typeof value === "string") return { setting: name, value };
  const got = "array" in entry ? "an array" : "map" in entry ? "a map" : value === undefined ? "no value" : typeName(value);
  return {
    problem: error({
      code: "KF6009",
      message: `${at}: parameter "${name}" must be a string, got ${got}`,
      hint: `write it as {name: ${name}, string: <value>} under spec.source.plugin.parameters`,
    }),
  };
}

function isSettingName(s: string): s is SettingName {
  return (SETTING_NAMES as readonly string[]).includes(s);
}

function isSet(v: string | undefined): v is string {
  return v !== undefined && v !== "";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** DNS-1123 label. */
export function isForkId(s: string): boolean {
  return isForkIdentifier(s);
}

/** The one RFC 3339 parser lives in model/formats.ts. */
export { isRfc3339 };
