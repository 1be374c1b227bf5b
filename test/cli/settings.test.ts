import { describe, expect, it } from "vitest";
import { isRfc3339, paramEnvName, resolveSettings } from "../../src/cli/settings.ts";
import type { SettingFlags, Env, RenderSettings } from "../../src/cli/settings.ts";

interface Case {
  name: string;
  flags?: SettingFlags;
  env?: Env;
  /** Expected settings (a subset is compared). */
  want?: Partial<RenderSettings>;
  /** Each string must appear in one error message, in order; `[]` means no error. */
  errors?: string[];
  /** Each string must appear in one warning message. */
  warnings?: string[];
}

const params = (...entries: unknown[]): string => JSON.stringify(entries);

const cases: Case[] = [
  // ---- the default output: json under Argo CD (ARGOCD_APP_NAME, stdout a pipe), yaml otherwise
  { name: "output: json by default under Argo CD", env: { ARGOCD_APP_NAME: "shop" }, want: { output: "json", sources: { scope: "default", output: "default" } }, errors: [] },
  { name: "output: a set output beats the Argo CD default", env: { ARGOCD_APP_NAME: "shop", KUBEFORK_OUTPUT: "yaml" }, want: { output: "yaml" }, errors: [] },
  // ---- the render cache
  { name: "cache: on by default, off from the Application's env", env: { ARGOCD_ENV_KUBEFORK_CACHE: "off" }, want: { cache: "off", sources: { scope: "default", output: "default", cache: "ARGOCD_ENV_KUBEFORK_CACHE" } }, errors: [] },
  { name: "cache: --no-cache beats the sidecar env", flags: { cache: "off" }, env: { KUBEFORK_CACHE: "on" }, want: { cache: "off" }, errors: [] },
  { name: "cache: neither on nor off is an error", env: { KUBEFORK_CACHE: "no" }, errors: ['KUBEFORK_CACHE: cache must be "on" or "off"'] },
  // ---- defaults and the order of sources
  {
    name: "nothing set: scope all, output yaml, fork and now unset",
    want: { scope: "all", output: "yaml", fork: undefined, now: undefined, sources: { scope: "default", output: "default" } },
    errors: [],
  },
  {
    name: "sidecar env alone",
    env: { KUBEFORK_FORK: "alice", KUBEFORK_NOW: "2026-11-23T12:00:00Z", KUBEFORK_OUTPUT: "json" },
    want: { fork: "alice", now: "2026-11-23T12:00:00Z", output: "json", sources: { fork: "KUBEFORK_FORK", scope: "default", now: "KUBEFORK_NOW", output: "KUBEFORK_OUTPUT" } },
    errors: [],
  },
  {
    name: "Application env beats sidecar env",
    env: { KUBEFORK_FORK: "sidecar", ARGOCD_ENV_KUBEFORK_FORK: "app", KUBEFORK_SCOPE: "all", ARGOCD_ENV_KUBEFORK_OUTPUT: "json", KUBEFORK_OUTPUT: "yaml" },
    want: { fork: "app", output: "json", sources: { fork: "ARGOCD_ENV_KUBEFORK_FORK", scope: "KUBEFORK_SCOPE", output: "ARGOCD_ENV_KUBEFORK_OUTPUT" } },
    errors: [],
  },
  {
    name: "PARAM_ beats Application env and sidecar env",
    env: { PARAM_FORK: "param", ARGOCD_ENV_KUBEFORK_FORK: "app", KUBEFORK_FORK: "sidecar" },
    want: { fork: "param", sources: { fork: "PARAM_FORK", scope: "default", output: "default" } },
    errors: [],
  },
  {
    name: "ARGOCD_APP_PARAMETERS beats Application env",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "now", string: "2026-01-01T00:00:00Z" }), ARGOCD_ENV_KUBEFORK_NOW: "2027-01-01T00:00:00Z" },
    want: { now: "2026-01-01T00:00:00Z", sources: { now: "ARGOCD_APP_PARAMETERS", scope: "default", output: "default" } },
    errors: [],
  },
  {
    name: "flag beats every env source",
    flags: { fork: "flagged", output: "json" },
    env: {
      ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "param" }, { name: "output", string: "yaml" }),
      PARAM_FORK: "param",
      PARAM_OUTPUT: "yaml",
      ARGOCD_ENV_KUBEFORK_FORK: "app",
      KUBEFORK_FORK: "sidecar",
    },
    want: { fork: "flagged", output: "json", sources: { fork: "--fork", scope: "default", output: "--output" } },
    errors: [],
    warnings: [],
  },
  {
    name: "flag scope shared",
    flags: { scope: "shared" },
    env: { KUBEFORK_SCOPE: "all" },
    want: { scope: "shared", sources: { scope: "--shared/--scope", output: "default" } },
    errors: [],
  },
  {
    name: "each setting resolved from its own source",
    flags: { output: "json" },
    env: { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "bob" }), ARGOCD_ENV_KUBEFORK_NOW: "2026-11-23T12:00:00+09:00", KUBEFORK_SCOPE: "all" },
    want: { fork: "bob", now: "2026-11-23T12:00:00+09:00", scope: "all", output: "json", sources: { fork: "ARGOCD_APP_PARAMETERS", now: "ARGOCD_ENV_KUBEFORK_NOW", scope: "KUBEFORK_SCOPE", output: "--output" } },
    errors: [],
  },

  // ---- empty strings are unset
  {
    name: "empty flag and empty env values fall through",
    flags: { fork: "" },
    env: { PARAM_FORK: "", ARGOCD_ENV_KUBEFORK_FORK: "", KUBEFORK_FORK: "carol", KUBEFORK_SCOPE: "" },
    want: { fork: "carol", scope: "all", sources: { fork: "KUBEFORK_FORK", scope: "default", output: "default" } },
    errors: [],
  },
  {
    name: "empty string parameter in ARGOCD_APP_PARAMETERS is unset",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "" }), ARGOCD_ENV_KUBEFORK_FORK: "dave" },
    want: { fork: "dave" },
    errors: [],
  },

  // ---- ARGOCD_APP_PARAMETERS parsing
  {
    name: "ARGOCD_APP_PARAMETERS null (plugin section without parameters)",
    env: { ARGOCD_APP_PARAMETERS: "null", KUBEFORK_FORK: "erin" },
    want: { fork: "erin" },
    errors: [],
  },
  {
    name: "ARGOCD_APP_PARAMETERS empty array",
    env: { ARGOCD_APP_PARAMETERS: "[]" },
    want: { scope: "all" },
    errors: [],
  },
  {
    name: "ARGOCD_APP_PARAMETERS with all four settings",
    env: {
      ARGOCD_APP_PARAMETERS: params(
        { name: "scope", string: "shared" },
        { name: "now", string: "2026-11-23T12:00:00.5Z" },
        { name: "output", string: "json" },
      ),
    },
    want: { scope: "shared", now: "2026-11-23T12:00:00.5Z", output: "json", fork: undefined },
    errors: [],
  },
  {
    name: "malformed ARGOCD_APP_PARAMETERS is an error, not a crash",
    env: { ARGOCD_APP_PARAMETERS: "[{name: fork}", PARAM_FORK: "frank" },
    want: { fork: "frank" },
    errors: ["ARGOCD_APP_PARAMETERS: not valid JSON"],
  },
  {
    name: "ARGOCD_APP_PARAMETERS that is not an array",
    env: { ARGOCD_APP_PARAMETERS: '{"fork":"x"}' },
    errors: ["ARGOCD_APP_PARAMETERS: expected a JSON array or null, got an object"],
  },
  {
    name: "entry without a name",
    env: { ARGOCD_APP_PARAMETERS: params({ string: "x" }, "fork") },
    errors: ['ARGOCD_APP_PARAMETERS[0]: expected an object with a non-empty "name"', 'ARGOCD_APP_PARAMETERS[1]: expected an object with a non-empty "name"'],
  },
  {
    name: "array-typed fork parameter is an error",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "fork", array: ["a", "b"] }), PARAM_FORK_0: "a" },
    errors: ['ARGOCD_APP_PARAMETERS[0]: parameter "fork" must be a string, got an array'],
  },
  {
    name: "map-typed scope parameter is an error",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "scope", map: { a: "b" } }) },
    errors: ['parameter "scope" must be a string, got a map'],
  },
  {
    name: "unknown parameter is a warning",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "values-files", array: ["x"] }, { name: "fork", string: "gina" }) },
    want: { fork: "gina" },
    errors: [],
    warnings: ['unknown parameter "values-files"'],
  },
  {
    name: "duplicate entries with different values are an error",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "a" }, { name: "fork", string: "b" }) },
    errors: ['parameter "fork" is set twice with different values'],
  },
  {
    name: "duplicate entries with the same value are fine",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "a" }, { name: "fork", string: "a" }) },
    want: { fork: "a" },
    errors: [],
  },

  // ---- ARGOCD_APP_PARAMETERS against PARAM_<NAME>
  {
    name: "both agree: ARGOCD_APP_PARAMETERS is named as the source, no warning",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "hank" }), PARAM_FORK: "hank" },
    want: { fork: "hank", sources: { fork: "ARGOCD_APP_PARAMETERS", scope: "default", output: "default" } },
    errors: [],
    warnings: [],
  },
  {
    name: "disagreement: the exact JSON entry wins, with a warning",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "ivy" }, { name: "FORK", string: "jack" }), PARAM_FORK: "jack" },
    want: { fork: "ivy", sources: { fork: "ARGOCD_APP_PARAMETERS", scope: "default", output: "default" } },
    errors: [],
    warnings: ['PARAM_FORK="jack" disagrees with ARGOCD_APP_PARAMETERS fork="ivy"', 'parameter "FORK" is not "fork"'],
  },
  {
    name: "JSON present without the entry: PARAM_ still read (mis-cased parameter)",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "Fork", string: "kim" }), PARAM_FORK: "kim", KUBEFORK_FORK: "sidecar" },
    want: { fork: "kim", sources: { fork: "PARAM_FORK", scope: "default", output: "default" } },
    errors: [],
    warnings: ['parameter "Fork" is not "fork"'],
  },

  // ---- invalid values
  {
    name: "invalid scope names its source",
    env: { PARAM_SCOPE: "everything" },
    want: { scope: "all" },
    errors: ['PARAM_SCOPE: scope must be "all" or "shared", not "everything"'],
  },
  {
    name: "scope is case-sensitive",
    env: { ARGOCD_ENV_KUBEFORK_SCOPE: "Shared" },
    errors: ['ARGOCD_ENV_KUBEFORK_SCOPE: scope must be "all" or "shared"'],
  },
  {
    name: "invalid output from a flag",
    flags: { output: "toml" },
    want: { output: "yaml" },
    errors: ['--output: output must be "yaml" or "json", not "toml"'],
  },
  {
    name: "invalid output from ARGOCD_APP_PARAMETERS",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "output", string: "JSON" }) },
    errors: ['ARGOCD_APP_PARAMETERS: output must be "yaml" or "json", not "JSON"'],
  },
  {
    name: "invalid now",
    env: { KUBEFORK_NOW: "tomorrow" },
    want: { now: undefined },
    errors: ['KUBEFORK_NOW: now "tomorrow" is not an RFC 3339 date-time'],
  },
  {
    name: "now without a zone is invalid",
    flags: { now: "2026-11-23T12:00:00" },
    errors: ["--now: now"],
  },
  {
    name: "invalid fork identifier (upper case)",
    env: { ARGOCD_ENV_KUBEFORK_FORK: "Alice" },
    want: { fork: undefined },
    errors: ['ARGOCD_ENV_KUBEFORK_FORK: fork "Alice" is not a fork identifier'],
  },
  {
    name: "invalid fork identifier (path traversal)",
    flags: { fork: "../etc" },
    errors: ['--fork: fork "../etc" is not a fork identifier'],
  },
  {
    name: "fork with scope shared from one source",
    env: { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "lee" }, { name: "scope", string: "shared" }) },
    errors: ['ARGOCD_APP_PARAMETERS: scope "shared" cannot be combined with fork "lee" (from ARGOCD_APP_PARAMETERS)'],
  },
  {
    name: "fork with scope shared from different sources",
    flags: { fork: "mia" },
    env: { KUBEFORK_SCOPE: "shared" },
    errors: ['KUBEFORK_SCOPE: scope "shared" cannot be combined with fork "mia" (from --fork)'],
  },
  {
    name: "fork with explicit scope all is fine",
    env: { PARAM_FORK: "ned", PARAM_SCOPE: "all" },
    want: { fork: "ned", scope: "all" },
    errors: [],
  },
  {
    name: "several problems are all reported",
    env: { PARAM_SCOPE: "x", PARAM_OUTPUT: "y", PARAM_NOW: "z" },
    errors: ["PARAM_SCOPE", "PARAM_NOW", "PARAM_OUTPUT"],
  },
];

describe("resolveSettings", () => {
  it.each(cases)("$name", (c) => {
    const { settings, problems } = resolveSettings(c.flags ?? {}, c.env ?? {}, { stdoutIsTTY: false });
    if (c.want) {
      for (const [key, value] of Object.entries(c.want)) {
        if (key === "sources") expect(settings.sources).toEqual(value);
        else expect(settings[key as keyof RenderSettings], key).toEqual(value);
      }
    }
    const errors = problems.filter((p) => p.severity === "error");
    const warnings = problems.filter((p) => p.severity === "warning");
    if (c.errors) {
      expect(errors.map((p) => p.message)).toHaveLength(c.errors.length);
      c.errors.forEach((text, i) => expect(errors[i]?.message).toContain(text));
      for (const p of errors) {
        expect(p.kind).toBe("invalid");
        expect(p.hint, `hint for: ${p.message}`).toBeTruthy();
      }
    }
    if (c.warnings) {
      expect(warnings).toHaveLength(c.warnings.length);
      for (const text of c.warnings) expect(warnings.some((w) => w.message.includes(text)), text).toBe(true);
    }
  });

  it("does not read process.env", () => {
    const saved = process.env.KUBEFORK_FORK;
    process.env.KUBEFORK_FORK = "from-process";
    try {
      expect(resolveSettings({}, {}).settings.fork).toBeUndefined();
      expect(resolveSettings({}, { ARGOCD_APP_NAME: "shop" }, { stdoutIsTTY: true }).settings.output).toBe("yaml");
    } finally {
      if (saved === undefined) delete process.env.KUBEFORK_FORK;
      else process.env.KUBEFORK_FORK = saved;
    }
  });
});

describe("paramEnvName (Argo CD's escaping)", () => {
  it.each([
    ["fork", "PARAM_FORK"],
    ["Fork", "PARAM_FORK"],
    ["values-files", "PARAM_VALUES_FILES"],
    ["image.tag", "PARAM_IMAGE_TAG"],
  ])("%s → %s", (name, env) => expect(paramEnvName(name)).toBe(env));
});

describe("isRfc3339", () => {
  it.each([
    ["2026-11-23T12:00:00Z", true],
    ["2026-11-23t12:00:00z", true],
    ["2026-11-23T12:00:00.123456+05:30", true],
    ["2024-02-29T00:00:00Z", true],
    ["2026-02-29T00:00:00Z", false],
    ["2026-13-01T00:00:00Z", false],
    ["2026-11-23T24:00:00Z", false],
    ["2026-11-23 12:00:00Z", false],
    ["2026-11-23T12:00Z", false],
    ["2026-11-23", false],
    ["72h", false],
  ])("%s → %s", (s, ok) => expect(isRfc3339(s)).toBe(ok));
});

describe("the fork identifier check of the settings", () => {
  // settings.ts checks --fork without zod (a render served from the cache initialises none): it
  // must accept exactly what the Fork schema's identifier accepts.
  it("agrees with the zod schema forkIdentifier", async () => {
    const { forkIdentifier, FORK_ID_MAX } = await import("../../src/model/common.ts");
    const { isForkId } = await import("../../src/cli/settings.ts");
    const ids = ["alice", "a", "a-b", "a1", "1a", "-a", "a-", "A", "a_b", "a.b", "", "ä", "a b", "x".repeat(FORK_ID_MAX), "x".repeat(FORK_ID_MAX + 1), "a--b", "0"];
    for (const id of ids) expect(isForkId(id), JSON.stringify(id)).toBe(forkIdentifier.safeParse(id).success);
    expect(ids.filter((id) => isForkId(id)).length).toBeGreaterThan(5);
    expect(ids.filter((id) => !isForkId(id)).length).toBeGreaterThan(5);
  });
});

describe("each settings problem has its code (src/codes.ts KF6001-KF6010)", () => {
  it.each<[string, SettingFlags, Env, string]>([
    ["now not RFC 3339", {}, { KUBEFORK_NOW: "tomorrow" }, "KF6001"],
    ["fork not an identifier", { fork: "Alice" }, {}, "KF6002"],
    ["scope neither all nor shared", {}, { PARAM_SCOPE: "some" }, "KF6003"],
    ["output neither yaml nor json", { output: "xml" }, {}, "KF6003"],
    ["cache neither on nor off", {}, { KUBEFORK_CACHE: "no" }, "KF6003"],
    ["fork and shared at once", { fork: "alice", scope: "shared" }, {}, "KF6004"],
    ["PARAM_FORK disagrees with the JSON", {}, { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "alice" }), PARAM_FORK: "bob" }, "KF6005"],
    ["the JSON is not JSON", {}, { ARGOCD_APP_PARAMETERS: "[{" }, "KF6006"],
    ["the JSON is an object", {}, { ARGOCD_APP_PARAMETERS: "{}" }, "KF6006"],
    ["an entry without a name", {}, { ARGOCD_APP_PARAMETERS: params({ string: "alice" }) }, "KF6007"],
    ["an unknown parameter", {}, { ARGOCD_APP_PARAMETERS: params({ name: "colour", string: "red" }) }, "KF6008"],
    ["a parameter in another case", {}, { ARGOCD_APP_PARAMETERS: params({ name: "Fork", string: "alice" }) }, "KF6008"],
    ["an array parameter", {}, { ARGOCD_APP_PARAMETERS: params({ name: "fork", array: ["a"] }) }, "KF6009"],
    ["a parameter set twice", {}, { ARGOCD_APP_PARAMETERS: params({ name: "fork", string: "a" }, { name: "fork", string: "b" }) }, "KF6010"],
  ])("%s: %s", (_name, flags, env, code) => {
    const { problems } = resolveSettings(flags, env, { stdoutIsTTY: false });
    expect(problems.map((p) => p.code)).toEqual([code]);
  });
});
