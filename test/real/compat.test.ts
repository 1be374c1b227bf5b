// The original kubefork's Fork: errors positioned in the original file, and `kubefork import`
// through the bundled CLI (its output renders exactly as the original file does).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyApp, ROOT, runCli } from "../helpers/cli.ts";
import { parseStream } from "../helpers/stream.ts";
import { codesOf, errorsOf, renderFiles } from "../helpers/inprocess.ts";

const APP = join(ROOT, "fixtures/kubefork-compat/app");
const BASE = readFileSync(join(APP, "base/app.yaml"), "utf8");
const SEED = readFileSync(join(APP, "forks/some-identifier.yaml"), "utf8");
const NOW = "2022-08-01T00:00:00Z";

describe("original kubefork Fork files", () => {
  it("a selector that matches no Deployment is an error at deployments.selector", () => {
    const fork = SEED.replace("key: some-key", "key: other-key");
    const r = renderFiles({ "base/app.yaml": BASE, "forks/some-identifier.yaml": fork }, { now: NOW });
    expect(errorsOf(r)).toEqual([
      {
        file: "forks/some-identifier.yaml",
        line: 16,
        message: "deployments.selector matches no Deployment in namespace some-namespace of the base (it is matched against the Deployments' own labels, as the original did)",
      },
    ]);
    expect(r.problems.find((p) => p.severity === "error")?.hint).toBe(
      "Deployments in namespace some-namespace and their labels: frontend {app: frontend, some-key: true}; backend {app: backend}",
    );
    expect(codesOf(r)).toEqual(["KF4042"]);
    expect(r.objects).toEqual([]);
  });

  it("a services.selector that matches no Service is an error at services.selector", () => {
    const fork = SEED.replace("some-label: value2", "some-label: nope");
    const r = renderFiles({ "base/app.yaml": BASE, "forks/some-identifier.yaml": fork }, { now: NOW });
    expect(errorsOf(r)).toEqual([{ file: "forks/some-identifier.yaml", line: 48, message: "services.selector matches no Service in namespace some-namespace of the base" }]);
    expect(codesOf(r)).toEqual(["KF4044"]);
  });

  it("the notes of the seed Fork (what it ignores, how copies are named and which Services are copied) carry codes, lines and the Service concerned", () => {
    const r = renderFiles({ "base/app.yaml": BASE, "forks/some-identifier.yaml": SEED }, { now: NOW });
    expect(errorsOf(r)).toEqual([]);
    const notes = r.problems.filter((p) => p.code?.startsWith("KF4")).map((p) => [p.code, p.line, p.ref?.name]);
    expect(notes).toEqual([
      ["KF4052", 45, undefined],
      ["KF4055", 7, undefined],
      ["KF4047", 48, "backend"],
      ["KF4048", 48, "frontend-admin"],
      ["KF4051", 24, undefined],
    ]);
  });

  it("the identifier must equal the file name", () => {
    const r = renderFiles({ "base/app.yaml": BASE, "forks/other.yaml": SEED }, { now: NOW });
    expect(errorsOf(r)).toEqual([{ file: "forks/other.yaml", line: 43, message: "identifier 'some-identifier' does not match the file name 'other'" }]);
  });

  it("unknown fields of the original are errors, not ignored", () => {
    const r = renderFiles({ "base/app.yaml": BASE, "forks/some-identifier.yaml": SEED.replace("  identifier: some-identifier", "  identifier: some-identifier\n  identifer: typo") }, { now: NOW });
    expect(errorsOf(r)).toEqual([{ file: "forks/some-identifier.yaml", line: 44, message: "unknown field 'identifer' in kubefork Fork" }]);
  });

  it("manager and gatewayOptions give notes, not silence", () => {
    const fork = SEED.replace("  identifier: some-identifier\n", '  identifier: some-identifier\n  gatewayOptions:\n    addRequestHeaders: {x-debug: "1"}\n    allowUpgrade: [websocket]\n');
    const r = renderFiles({ "base/app.yaml": BASE, "forks/some-identifier.yaml": fork }, { now: NOW });
    expect(errorsOf(r)).toEqual([]);
    const msgs = r.problems.filter((p) => p.severity !== "error").map((p) => `${p.line}: ${p.message}`);
    expect(msgs).toContain("48: manager 'manager-namespace/manager-name' is ignored: kubefork.yaml is the ForkManager of this app");
    expect(msgs).toContain("45: gatewayOptions.addRequestHeaders (x-debug) has no equivalent: kubefork's ingress adds only the fork header");
    expect(msgs).toContain("46: gatewayOptions.allowUpgrade (websocket) is ignored: Istio and Gateway API pass WebSocket upgrades through by default");
  });

  it("a workload problem of the translated fork points into the original file", () => {
    // The template's labels become patches on the copy; `app: frontend` would put fork pods back behind the base Services.
    const r = renderFiles({ "base/app.yaml": BASE, "forks/some-identifier.yaml": SEED.replace("app: some-identifier", "app: frontend") }, { now: NOW });
    expect(errorsOf(r)).toEqual([
      {
        file: "forks/some-identifier.yaml",
        line: 20,
        message: "after the patches, fork pods are selected by Deployment some-namespace/frontend, Service some-namespace/frontend, Service some-namespace/frontend-admin",
      },
    ]);
  });
});

describe("kubefork import", () => {
  it("prints the equivalent kubefork.dev Fork, with the notes as comments", () => {
    const r = runCli(["import", "forks/some-identifier.yaml"], { cwd: APP });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, "fixtures/kubefork-compat/expected/import.yaml"), "utf8"));
  });

  it("resolves against --dir for a file outside the app, and renders exactly as the original", () => {
    const tmp = mkdtempSync(join(tmpdir(), "kubefork-import-"));
    const app = copyApp(APP);
    try {
      writeFileSync(join(tmp, "exported.yaml"), SEED);
      const r = runCli(["import", join(tmp, "exported.yaml"), "--dir", app]);
      expect(r.code).toBe(0);
      const original = runCli(["render", app, "--now", NOW]);
      writeFileSync(join(app, "forks/some-identifier.yaml"), r.stdout);
      const imported = runCli(["render", app, "--now", NOW]);
      expect(original.code).toBe(0);
      expect(imported.code).toBe(0);
      // The same objects; only the status ConfigMap's problems differ: the original format's notes are gone.
      const withoutProblems = (text: string) => parseStream(text).map((o) => (o.kind === "ConfigMap" && o.metadata.name.endsWith(".status") ? { ...o, data: { ...o.data, problems: undefined } } : o));
      expect(withoutProblems(imported.stdout)).toEqual(withoutProblems(original.stdout));
      expect(parseStream(original.stdout).find((o) => o.metadata.name === "kubefork-some-identifier.status")?.data.problems).toContain("spec.manager: manager 'manager-namespace/manager-name' is ignored");
      expect(parseStream(imported.stdout).find((o) => o.metadata.name === "kubefork-some-identifier.status")?.data.problems).toBeUndefined();
      expect(imported.stderr).toBe("");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(app, { recursive: true, force: true });
    }
  });

  it("fails with the file and line when the selector matches nothing, printing nothing", () => {
    const tmp = mkdtempSync(join(tmpdir(), "kubefork-import-"));
    try {
      writeFileSync(join(tmp, "f.yaml"), SEED.replace("key: some-key", "key: other-key"));
      const r = runCli(["import", join(tmp, "f.yaml"), "--dir", APP]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.split(tmp).join("<tmp>")).toContain("<tmp>/f.yaml:16:5: error: spec.deployments.selector: deployments.selector matches no Deployment in namespace some-namespace of the base");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("refuses a kubefork.dev Fork", () => {
    const r = runCli(["import", "fixtures/bookshop/app/forks/alice.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("fixtures/bookshop/app/forks/alice.yaml:2: error: this is already a kubefork.dev Fork");
  });
});
