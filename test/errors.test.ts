// Error cases of a render: each asserts the exit code, an empty stdout, and the exact message with
// file, line and column. Inputs are the bookshop app with one fork file added or replaced.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BOOKSHOP as APP, copyApp, NOW_ARGS as NOW, runCli } from "./helpers/cli.ts";
import { fork } from "./helpers/inprocess.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function renderWith(files: Record<string, string>, args: string[] = []) {
  const dir = copyApp(APP, { forks: [] });
  dirs.push(dir);
  for (const [p, text] of Object.entries(files)) writeFileSync(join(dir, p), text);
  return runCli(["render", dir, ...NOW, ...args]);
}

const EXPIRES = '  expires: "2026-11-25T00:00:00Z"\n';
/** forks/eve.yaml with these workload items (the file's identifier `id`). */
const eve = (workloads: string, id = "eve") => ({ "forks/eve.yaml": fork(id, workloads, EXPIRES) });

const cases: { name: string; files: Record<string, string>; stderr: string }[] = [
  {
    name: "malformed YAML",
    files: eve("    - name: ratings-v1\n      image: [unclosed\n"),
    stderr: "forks/eve.yaml:9:22: error: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
  },
  {
    name: "unknown field",
    files: eve("    - name: ratings-v1\n      imagee: registry.example.com/x:1\n"),
    stderr:
      "forks/eve.yaml:9:7: error: spec.workloads[0].imagee: unknown field 'imagee' in Fork [KF2001]\n  hint: did you mean 'image'?; known fields here: name, kind, namespace, replicas, image, env, containers, patches",
  },
  {
    name: "identifier does not match the file name",
    files: eve("    - name: ratings-v1\n", "mallory"),
    stderr:
      "forks/eve.yaml:4:3: error: metadata.name: identifier 'mallory' does not match the file name 'eve' [KF2010]\n  hint: rename the file to forks/mallory.yaml or set metadata.name: eve",
  },
  {
    name: "unknown workload",
    files: eve("    - name: rating-v1\n"),
    stderr: "forks/eve.yaml:8:7: error: spec.workloads[0].name: no Deployment 'rating-v1' in the base [KF4002]\n  hint: did you mean 'ratings-v1'?",
  },
  {
    name: "ambiguous image on a multi-container pod",
    files: eve("    - name: productpage-v1\n      image: registry.example.com/bookshop/productpage:pr-1\n"),
    stderr:
      "forks/eve.yaml:9:7: error: spec.workloads[0].image: image is ambiguous: Deployment bookshop/productpage-v1 has 2 containers (productpage, log-shipper) [KF5100]\n  hint: name the container: containers: [{name: productpage, image: registry.example.com/bookshop/productpage:pr-1}]",
  },
  {
    name: "failing patch",
    files: eve("    - name: ratings-v1\n      patches:\n        - {op: add, path: /spec/template/metadata/labels/extra, value: b}\n        - {op: replace, path: /spec/strategy/type, value: Recreate}\n"),
    stderr:
      "forks/eve.yaml:11:11: error: spec.workloads[0].patches[1]: patch operation 1 (replace /spec/strategy/type) failed: the path does not exist [KF5103]\n  hint: the patch applies to the copied Deployment as rendered (see kubefork render --fork eve); check that /spec/strategy/type exists",
  },
  {
    name: "duplicate identifier",
    files: {
      ...eve("    - name: ratings-v1\n"),
      "forks/eve.yml": fork("eve", "    - name: details-v1\n", EXPIRES),
    },
    stderr: "forks/eve.yml:4:3: error: metadata.name: duplicate fork identifier 'eve': forks/eve.yaml has it too [KF2011]\n  hint: an identifier names one fork: delete or rename one of the files",
  },
  {
    name: "a string where a number belongs",
    files: eve('    - name: ratings-v1\n      replicas: "2"\n'),
    stderr: "forks/eve.yaml:9:7: error: spec.workloads[0].replicas: expected number, got string \"2\" [KF2003]\n  hint: write the number without quotes: 2",
  },
  {
    name: "missing workloads",
    files: { "forks/eve.yaml": fork("eve", "", EXPIRES).replace("  workloads:\n", "  owner: eve@example.com\n") },
    stderr: "forks/eve.yaml:6:3: error: spec.workloads: required field is missing [KF2002]\n  hint: add spec.workloads to the Fork",
  },
  {
    name: "unknown container",
    files: eve("    - name: productpage-v1\n      containers:\n        - name: product-page\n          image: registry.example.com/x:1\n"),
    stderr: "forks/eve.yaml:10:11: error: spec.workloads[0].containers[0].name: no container 'product-page' in Deployment bookshop/productpage-v1 [KF5101]\n  hint: containers are: productpage, log-shipper",
  },
];

describe("render fails closed", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const r = renderWith(c.files);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(c.stderr);
  });

  it("a policy violation exits 2 and names the rule", () => {
    const r = renderWith(eve("    - name: ratings-v1\n      image: docker.io/evil/ratings:1\n"));
    expect(r.stdout).toBe("");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "forks/eve.yaml:9:7: policy violation: spec.workloads[0].image: image docker.io/evil/ratings:1 is not allowed (policy.images) [KF3014]\n  hint: images must match one of: registry.example.com/*",
    );
  });

  it("validate reports every problem at once", () => {
    const dir = copyApp(APP, { forks: [] });
    dirs.push(dir);
    for (const c of cases.filter((c) => !c.name.startsWith("duplicate"))) {
      const [p, text] = Object.entries(c.files)[0]!;
      const id = c.name.replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "").slice(0, 30).replace(/-$/, "");
      writeFileSync(join(dir, p.replace("eve", id)), text.replace(/name: (eve|mallory)\n/, `name: ${c.name.startsWith("identifier") ? "mallory" : id}\n`));
    }
    const r = runCli(["validate", dir, ...NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const errors = r.stderr.split("\n").filter((l) => / error: /.test(l));
    expect(errors.length).toBe(cases.length - 1);
    expect(r.stderr).toMatch(/^invalid: 9 fork files, 21 base objects; 9 errors, 0 warnings$/m);
  });
});
