// Namespace defaults: a fork entry without `namespace` resolves in the render's namespace
// (src/plan/fork-resolution.ts); hints point at the namespaces where the name is, never at the
// name the user wrote; `kubefork new` writes `namespace` only outside the render's namespace.
import { describe, expect, it } from "vitest";
import { loadBase } from "../../src/load/app.ts";
import { buildIndex } from "../../src/plan/base-index.ts";
import { resolveByName } from "../../src/plan/fork-resolution.ts";
import { buildNewFork } from "../../src/review/new-fork.ts";
import { closeMatches } from "../../src/util/suggest.ts";
import { parse } from "yaml";
import { fork, renderApp, workload } from "../helpers/inprocess.ts";

const deployment = (name: string, ns?: string) => workload(name, `{containers: [{name: app, image: registry.example.com/${name}:1}]}`, { ns: ns ?? null });
const forkFile = (workload: string) => fork("alice", `    - ${workload}\n`);

function indexOf(docs: string[], defaultNamespace: string) {
  const base = loadBase([{ path: "base/all.yaml", text: docs.join("---\n") }], undefined, defaultNamespace);
  return buildIndex(base.manifests, { defaultNamespace, clusterDomain: "cluster.local" });
}

describe("resolveByName", () => {
  type Want = { found: string } | { ambiguous: string[] } | { missing: { elsewhere: string[]; close: string[] } };
  it.each<[string, string[], string, string, string | undefined, Want]>([
    ["no namespace: the render's namespace", [deployment("web"), deployment("api")], "staging", "web", undefined, { found: "staging/web" }],
    ["no namespace: the render's namespace wins over another", [deployment("web"), deployment("web", "other")], "staging", "web", undefined, { found: "staging/web" }],
    ["no namespace, not in the render's: the one namespace that has it", [deployment("web", "bookinfo")], "staging", "web", undefined, { found: "bookinfo/web" }],
    ["no namespace, in two others: ambiguous", [deployment("web", "b"), deployment("web", "a")], "staging", "web", undefined, { ambiguous: ["a", "b"] }],
    ["a namespace: only there", [deployment("web"), deployment("web", "other")], "staging", "web", "other", { found: "other/web" }],
    ["a namespace without it: where it is instead", [deployment("web")], "staging", "web", "bookinfo", { missing: { elsewhere: ["staging"], close: [] } }],
    ["a namespace without it, a close name there", [deployment("webb", "bookinfo"), deployment("web")], "staging", "web", "bookinfo", { missing: { elsewhere: ["staging"], close: ["webb"] } }],
    ["nowhere: close names, never the name itself", [deployment("wep")], "staging", "web", undefined, { missing: { elsewhere: [], close: ["wep"] } }],
  ])("%s", (_name, docs, ns, name, namespace, want) => {
    const index = indexOf(docs, ns);
    const r = resolveByName(index, index.ofKind("Deployment"), name, namespace);
    if ("found" in r) expect({ found: `${index.nsOf(r.found.object)}/${r.found.object.metadata.name}` }).toEqual(want);
    else if ("ambiguous" in r) expect(r).toEqual(want);
    else expect({ missing: { elsewhere: r.missing.elsewhere, close: r.missing.close } }).toEqual(want);
  });
});

describe("closeMatches", () => {
  it("never suggests the word itself", () => {
    expect(closeMatches("ratings-v1", ["ratings-v1", "ratings-v2"])).toEqual(["ratings-v2"]);
    expect(closeMatches("ratings-v1", ["ratings-v1"])).toEqual([]);
  });
});

describe("render: namespace defaults", () => {
  const base = { "base/app.yaml": deployment("ratings-v1") };
  it.each([
    ["no namespace, rendered for staging (ARGOCD_APP_NAMESPACE)", "name: ratings-v1", "staging", undefined],
    ["no namespace, rendered for bookinfo", "name: ratings-v1", "bookinfo", undefined],
    [
      "namespace bookinfo, rendered for staging: the hint names the namespace, not the name",
      "{name: ratings-v1, namespace: bookinfo}",
      "staging",
      ["no Deployment 'ratings-v1' in namespace bookinfo in the base", "Deployment 'ratings-v1' is in namespace staging: set namespace: staging, or leave namespace out (the render's namespace is staging)"],
    ],
  ])("%s", (_name, entry, ns, problem) => {
    const r = renderApp({ base, forks: { alice: forkFile(entry) } }, { defaultNamespace: ns });
    const errors = r.problems.filter((p) => p.severity === "error");
    if (!problem) {
      expect(errors).toEqual([]);
      expect(r.objects.find((o) => o.metadata.name === "ratings-v1-alice")?.metadata.namespace).toBeUndefined();
      return;
    }
    expect(errors.map((p) => [p.file, p.line, p.path, p.message, p.hint])).toEqual([["forks/alice.yaml", 7, "spec.workloads[0].name", ...problem]]);
    expect(errors[0]!.hint).not.toContain("did you mean");
  });

  it("a name in two other namespaces, none the render's: ambiguous, naming them", () => {
    const r = renderApp({ base: { "base/app.yaml": [deployment("web", "a"), deployment("web", "b")].join("---\n") }, forks: { alice: forkFile("name: web") } }, { defaultNamespace: "staging" });
    expect(r.problems.filter((p) => p.severity === "error").map((p) => p.hint)).toEqual(["add namespace: <one of a, b> to this workload"]);
  });
});

describe("kubefork new: namespace written only outside the render's namespace", () => {
  it.each([
    ["in the render's namespace: left out", [deployment("ratings-v1")], "staging", { name: "ratings-v1" }],
    ["in another namespace: written", [deployment("ratings-v1", "bookinfo")], "staging", { name: "ratings-v1", namespace: "bookinfo" }],
    ["named namespace equal to the render's: left out", [deployment("ratings-v1", "staging")], "staging", { name: "ratings-v1" }],
  ])("%s", (_name, docs, ns, entry) => {
    const r = buildNewFork(indexOf(docs, ns), { id: "alice", workloads: [{ name: "ratings-v1" }] });
    expect(r.errors).toEqual([]);
    expect(parse(r.text!).spec.workloads).toEqual([entry]);
  });

  it("--workload ns/name where it is not: the hint names where it is", () => {
    const r = buildNewFork(indexOf([deployment("ratings-v1")], "staging"), { id: "alice", workloads: [{ name: "ratings-v1", namespace: "bookinfo" }] });
    expect(r.errors).toEqual([
      { message: "no Deployment 'ratings-v1' in namespace bookinfo in the base", hint: "Deployment 'ratings-v1' is in namespace staging: pass --workload staging/ratings-v1 or leave the namespace out (the render's namespace is staging)" },
    ]);
  });
});
