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

  const pick = (name: SettingName): Candidate | undefined => {
    const flag = flags[name];
    if (isSet(flag)) return { value: flag, source: FLAG_LABEL[name] };

    const paramVar = paramEnvName(name);
    const fromJson = params.values.get(name);
    const fromVar = env[paramVar];
    if (fromJson !== undefined) {
      if (isSet(fromVar) && fromVar !== fromJson) {
        problems.push(
          warning({
            message: `${paramVar}=${JSON.stringify(fromVar)} disagrees with ${APP_PARAMETERS_VAR} ${name}=${JSON.stringify(fromJson)}; using ${APP_PARAMETERS_VAR}`,
            hint: `Argo CD derives ${paramVar} from every parameter whose name upper-cases to ${name.toUpperCase()} (e.g. "${capitalize(name)}"), and the sidecar's own env may set it too; keep one parameter named exactly "${name}"`,
          }),
        );
      }
      return { value: fromJson, source: APP_PARAMETERS_VAR };
    }
    if (isSet(fromVar)) return { value: fromVar, source: paramVar };

    const appVar = appEnvName(name);
    const fromApp = env[appVar];
    if (isSet(fromApp)) return { value: fromApp, source: appVar };

    const sideVar = sidecarEnvName(name);
    const fromSide = env[sideVar];
    if (isSet(fromSide)) return { value: fromSide, source: sideVar };
    return undefined;
  };

  const sources: Record<string, string> = {};
  const settings: RenderSettings = { scope: DEFAULTS.scope, output: defaultOutput(env, terminal), cache: DEFAULTS.cache, sources };

  const fork = pick("fork");
  if (fork) {
    sources.fork = fork.source;
    if (isForkId(fork.value)) settings.fork = fork.value;
    else
      problems.push(
        error({
          message: `${fork.source}: fork ${JSON.stringify(fork.value)} is not a fork identifier`,
          hint: `a fork identifier is ${FORK_ID_RULE}, the base name of its file forks/<id>.yaml`,
        }),
      );
  }

  const scope = pick("scope");
  sources.scope = scope ? scope.source : "default";
  if (scope) {
    if (scope.value === "all" || scope.value === "shared") settings.scope = scope.value;
    else
      problems.push(
        error({
          message: `${scope.source}: scope must be "all" or "shared", not ${JSON.stringify(scope.value)}`,
          hint: 'use "all" (base and every live fork; the default) or "shared" (base and merged routing, for the one Application that owns them next to per-fork Applications)',
        }),
      );
  }

  const now = pick("now");
  if (now) {
    sources.now = now.source;
    const read = readNow(now.value, now.source)!;
    if ("at" in read) settings.now = now.value;
    else problems.push(read.problem);
  }

  const output = pick("output");
  sources.output = output ? output.source : "default";
  if (output) {
    if (output.value === "yaml" || output.value === "json") settings.output = output.value;
    else
      problems.push(
        error({
          message: `${output.source}: output must be "yaml" or "json", not ${JSON.stringify(output.value)}`,
          hint: 'use "yaml" (a multi-document YAML stream; the default on a terminal) or "json" (concatenated JSON objects; the default under Argo CD)',
        }),
      );
  }

  const cache = pick("cache");
  if (cache) {
    sources.cache = cache.source;
    if (cache.value === "on" || cache.value === "off") settings.cache = cache.value;
    else
      problems.push(
        error({
          message: `${cache.source}: cache must be "on" or "off", not ${JSON.stringify(cache.value)}`,
          hint: 'use "off" to render from scratch every time (the same output, more work), or leave it unset',
        }),
      );
  }

  if (fork && scope?.value === "shared") {
    problems.push(
      error({
        message: `${scope.source}: scope "shared" cannot be combined with fork ${JSON.stringify(fork.value)} (from ${fork.source})`,
        hint: "a render is either one fork's part (fork) or the shared part (scope: shared): their union is the whole render. Unset one of them",
      }),
    );
  }

  return { settings, problems };
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

/** Reads ARGOCD_APP_PARAMETERS: `[{"name":"fork","string":"alice"}, ...]` or `null`. */
function readAppParameters(raw: string | undefined, problems: Problem[]): AppParameters {
  const values = new Map<SettingName, string>();
  if (!isSet(raw)) return { present: false, values };
  const hint = `Argo CD sets ${APP_PARAMETERS_VAR} from the Application's spec.source.plugin.parameters; by hand, give a JSON array such as [{"name":"fork","string":"alice"}] or null`;

  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    problems.push(
      error({
        message: `${APP_PARAMETERS_VAR}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
        hint,
      }),
    );
    return { present: false, values };
  }
  if (parsed === null) return { present: true, values };
  if (!Array.isArray(parsed)) {
    problems.push(error({ message: `${APP_PARAMETERS_VAR}: expected a JSON array or null, got ${typeName(parsed)}`, hint }));
    return { present: false, values };
  }

  const known = new Set<string>(SETTING_NAMES);
  const seen = new Map<SettingName, number>();
  parsed.forEach((entry: unknown, i) => {
    const at = `${APP_PARAMETERS_VAR}[${i}]`;
    if (!isRecord(entry) || typeof entry.name !== "string" || entry.name === "") {
      problems.push(error({ message: `${at}: expected an object with a non-empty "name"`, hint }));
      return;
    }
    const name = entry.name;
    if (!known.has(name)) {
      const lookalike = SETTING_NAMES.find((s) => paramEnvName(s) === paramEnvName(name));
      problems.push(
        warning({
          message: lookalike
            ? `${at}: parameter ${JSON.stringify(name)} is not ${JSON.stringify(lookalike)} (names are case-sensitive); Argo CD still exports it as ${paramEnvName(name)}, which is read only when no "${lookalike}" parameter is set`
            : `${at}: unknown parameter ${JSON.stringify(name)}, ignored`,
          hint: `kubefork reads the parameters ${SETTING_NAMES.map((s) => `"${s}"`).join(", ")}`,
        }),
      );
      return;
    }
    const setting = name as SettingName;
    const value = entry.string;
    if (typeof value !== "string") {
      const got = "array" in entry ? "an array" : "map" in entry ? "a map" : value === undefined ? "no value" : typeName(value);
      problems.push(
        error({
          message: `${at}: parameter "${setting}" must be a string, got ${got}`,
          hint: `write it as {name: ${setting}, string: <value>} under spec.source.plugin.parameters`,
        }),
      );
      return;
    }
    const prev = seen.get(setting);
    if (prev !== undefined) {
      if ((values.get(setting) ?? "") !== value) {
        problems.push(
          error({
            message: `${at}: parameter "${setting}" is set twice with different values (see ${APP_PARAMETERS_VAR}[${prev}])`,
            hint: `keep one "${setting}" entry in spec.source.plugin.parameters`,
          }),
        );
      }
      return;
    }
    seen.set(setting, i);
    if (value !== "") values.set(setting, value);
  });
  return { present: true, values };
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
