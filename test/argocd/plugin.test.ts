// plugin.yaml against what Argo CD reads. The field lists come from the Argo CD source:
// cmpserver/plugin/config.go (PluginConfig, PluginConfigSpec, Discover, Find, Command,
// Parameters, ValidatePluginConfig) and reposerver/repository/repository.proto
// (ParameterAnnouncement, the type of parameters.static[]).
import { readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { resolveSettings, SETTING_NAMES } from "../../src/cli/settings.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const doc = parseDocument(readFileSync(join(ROOT, "plugin.yaml"), "utf8"));
const plugin = doc.toJS() as Record<string, any>;

const TOP_LEVEL = ["apiVersion", "kind", "metadata", "spec"];
const SPEC = ["version", "init", "generate", "discover", "parameters", "preserveFileMode", "provideGitCreds"];
const COMMAND = ["command", "args"];
const DISCOVER = ["fileName", "find"];
const FIND = ["command", "args", "glob"];
const PARAMETERS = ["static", "dynamic"];
const ANNOUNCEMENT = ["name", "title", "tooltip", "required", "itemType", "collectionType", "string", "array", "map"];

const keysOf = (o: unknown): string[] => Object.keys((o ?? {}) as object);

describe("plugin.yaml", () => {
  it("is one YAML document without errors", () => {
    expect(doc.errors).toEqual([]);
    expect(doc.warnings).toEqual([]);
  });

  it("passes Argo CD's ValidatePluginConfig and names the plugin kubefork-v1", () => {
    expect(plugin.apiVersion).toBe("argoproj.io/v1alpha1");
    expect(plugin.kind).toBe("ConfigManagementPlugin");
    expect(plugin.metadata).toEqual({ name: "kubefork" });
    expect(plugin.spec.version).toBe("v1");
    expect(`${plugin.metadata.name}-${plugin.spec.version}`).toBe("kubefork-v1");
    expect(plugin.spec.generate.command.length).toBeGreaterThan(0);
  });

  it("has no field Argo CD does not read", () => {
    expect(keysOf(plugin).filter((k) => !TOP_LEVEL.includes(k))).toEqual([]);
    expect(keysOf(plugin.spec).filter((k) => !SPEC.includes(k))).toEqual([]);
    expect(keysOf(plugin.spec.generate).filter((k) => !COMMAND.includes(k))).toEqual([]);
    expect(keysOf(plugin.spec.discover).filter((k) => !DISCOVER.includes(k))).toEqual([]);
    expect(keysOf(plugin.spec.discover.find).filter((k) => !FIND.includes(k))).toEqual([]);
    expect(keysOf(plugin.spec.parameters).filter((k) => !PARAMETERS.includes(k))).toEqual([]);
    for (const p of plugin.spec.parameters.static) expect(keysOf(p).filter((k) => !ANNOUNCEMENT.includes(k)), p.name).toEqual([]);
  });

  it("generates with the bundled CLI directly, no shell", () => {
    expect(plugin.spec.generate).toEqual({ command: ["kubefork", "render"] });
    expect(plugin.spec.init).toBeUndefined();
    expect(plugin.spec.preserveFileMode ?? false).toBe(false);
    expect(plugin.spec.provideGitCreds ?? false).toBe(false);
  });

  it("discovers an app path by the kubefork.yaml at its top (one rule only)", () => {
    // Only the first of fileName, find.glob, find.command is evaluated: keep exactly one.
    expect(plugin.spec.discover).toEqual({ fileName: "./kubefork.yaml" });
    // A Go filepath.Glob joined to the app path: no wildcard, no subfolder.
    expect(posix.normalize(plugin.spec.discover.fileName)).toBe("kubefork.yaml");
    expect(plugin.spec.discover.fileName).not.toMatch(/[*?[\\]/);
  });

  it("announces exactly the settings kubefork reads, as string parameters", () => {
    const statics = plugin.spec.parameters.static as Array<Record<string, any>>;
    expect(statics.map((p) => p.name)).toEqual([...SETTING_NAMES]);
    for (const p of statics) {
      expect(p.title, p.name).toBeTypeOf("string");
      expect(p.tooltip, p.name).toBeTypeOf("string");
      expect(p.tooltip.length, p.name).toBeGreaterThan(20);
      expect(p.required ?? false, p.name).toBe(false);
      expect(p.collectionType ?? "string", p.name).toBe("string");
      expect(p.itemType ?? "string", p.name).toBe("string");
      expect(p.array, p.name).toBeUndefined();
      expect(p.map, p.name).toBeUndefined();
    }
    expect(plugin.spec.parameters.dynamic).toBeUndefined();
  });

  it("announces the defaults kubefork applies itself (Argo CD never sends announced defaults)", () => {
    // As the cmp-server runs it: ARGOCD_APP_NAME set, stdout a pipe.
    const { settings, problems } = resolveSettings({}, { ARGOCD_APP_PARAMETERS: "null", ARGOCD_APP_NAME: "shop" }, { stdoutIsTTY: false });
    expect(problems).toEqual([]);
    const announced = Object.fromEntries(
      (plugin.spec.parameters.static as Array<Record<string, any>>).map((p) => [p.name, p.string as string | undefined]),
    );
    expect(announced).toEqual({ fork: undefined, scope: settings.scope, now: undefined, output: settings.output, cache: settings.cache });
    expect(announced.scope).toBe("all");
    expect(announced.output).toBe("json");
  });

  it("documents the argo-cd #13034 pitfall next to the discovery rule", () => {
    expect(readFileSync(join(ROOT, "plugin.yaml"), "utf8")).toContain("#13034");
  });
});
