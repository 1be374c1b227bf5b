// Every manifest under argocd/ (and the example workflows) parsed and checked against the real
// schemas: @kubernetes-models/argo-cd for Application/ApplicationSet, kubernetes-models for the
// repo-server sidecar patch. The schemas accept unknown fields, so the fields that matter are also
// asserted one by one.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse } from "yaml";
import { Application, ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1";
import { Deployment } from "kubernetes-models/apps/v1";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ARGOCD = join(ROOT, "argocd");

type Doc = Record<string, any>;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

function loadDocs(file: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const d of docs) expect(d.errors, `${relative(ROOT, file)}: ${d.errors.join("; ")}`).toEqual([]);
  return docs.map((d) => d.toJS() as Doc).filter((d) => d != null);
}

function loadOne(rel: string): Doc {
  const docs = loadDocs(join(ROOT, rel));
  expect(docs, rel).toHaveLength(1);
  return docs[0]!;
}

const plugin = parse(readFileSync(join(ROOT, "plugin.yaml"), "utf8")) as Doc;
const PLUGIN_NAME = `${plugin.metadata.name}-${plugin.spec.version}`;

/** Renders `{{.a.b}}` the way the ApplicationSet controller does with missingkey=error. */
function renderGoTemplate(value: unknown, params: Doc): unknown {
  if (typeof value === "string") {
    return value.replace(/\{\{\s*\.([A-Za-z0-9_.]+)\s*\}\}/g, (_, path: string) => {
      let cur: any = params;
      for (const key of path.split(".")) {
        if (cur == null || !(key in cur)) throw new Error(`map has no entry for key "${path}"`);
        cur = cur[key];
      }
      return String(cur);
    });
  }
  if (Array.isArray(value)) return value.map((v) => renderGoTemplate(v, params));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderGoTemplate(v, params)]));
  return value;
}

describe("every manifest under argocd/", () => {
  const files = yamlFiles(ARGOCD);

  it("exists and is known to this test", () => {
    expect(files.map((f) => relative(ROOT, f))).toEqual([
      "argocd/gc/github-workflow.yaml",
      "argocd/install/argocd-cmd-params-cm.yaml",
      "argocd/install/kustomization.yaml",
      "argocd/install/repo-server-kubefork-sidecar.yaml",
      "argocd/per-fork/applicationset.yaml",
      "argocd/per-fork/shared-application.yaml",
      "argocd/single-app/application.yaml",
    ]);
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))("%s parses as YAML and validates by kind", (_rel, file) => {
    for (const doc of loadDocs(file)) {
      if (doc.kind === "Application") new Application(doc as any).validate();
      else if (doc.kind === "ApplicationSet") new ApplicationSet(doc as any).validate();
      else if (doc.kind === "Kustomization") expect(doc.apiVersion).toBe("kustomize.config.k8s.io/v1beta1");
      else if (doc.kind === "Deployment") expect(doc.apiVersion).toBe("apps/v1");
      else if (doc.kind === "ConfigMap") expect(Object.values(doc.data ?? {}).every((v) => typeof v === "string")).toBe(true);
      else expect(doc.jobs, "a GitHub Actions workflow").toBeTypeOf("object");
    }
  });

  it("the validators do reject a broken Application (sanity check of the schema)", () => {
    const app = loadOne("argocd/single-app/application.yaml");
    const broken = structuredClone(app);
    broken.spec.syncPolicy.automated.prune = "yes";
    expect(() => new Application(broken as any).validate()).toThrow();
    const noName = structuredClone(app);
    delete noName.spec.project;
    expect(() => new Application(noName as any).validate()).toThrow();
  });
});

/** Checks shared by the three Applications (single, shared, per-fork template). */
function expectKubeforkApplication(app: Doc, label: string): void {
  expect(app.spec.source.plugin.name, `${label}: plugin name`).toBe(PLUGIN_NAME);
  expect(app.spec.source.path, `${label}: app path`).toBe("bookshop");
  expect(app.spec.source.repoURL).toMatch(/^https:\/\/.+\.git$/);
  expect(app.spec.syncPolicy.automated).toMatchObject({ prune: true, selfHeal: true, allowEmpty: false });
  expect(app.spec.syncPolicy.syncOptions).toContain("PruneLast=true");
  expect(app.spec.syncPolicy.syncOptions).toContain("FailOnSharedResource=true");
  expect(app.metadata.finalizers).toContain("resources-finalizer.argocd.argoproj.io");
  const names = (app.spec.source.plugin.parameters ?? []).map((p: Doc) => p.name);
  const announced = plugin.spec.parameters.static.map((p: Doc) => p.name);
  for (const n of names) expect(announced, `${label}: parameter ${n} is announced by plugin.yaml`).toContain(n);
  for (const p of app.spec.source.plugin.parameters ?? []) expect(p.string, `${label}: ${p.name} is a string parameter`).toBeTypeOf("string");
}

describe("single-application mode", () => {
  const app = loadOne("argocd/single-app/application.yaml");
  it("renders everything with the kubefork plugin, automated prune and self-heal", () => {
    expectKubeforkApplication(app, "single-app");
    expect(app.spec.source.plugin.parameters ?? []).toEqual([]);
  });
});

describe("per-fork mode", () => {
  const set = loadOne("argocd/per-fork/applicationset.yaml");
  const shared = loadOne("argocd/per-fork/shared-application.yaml");
  const single = loadOne("argocd/single-app/application.yaml");
  const git = set.spec.generators[0].git;

  it("the shared Application renders scope shared and nothing else", () => {
    expectKubeforkApplication(shared, "shared");
    expect(shared.spec.source.plugin.parameters).toEqual([{ name: "scope", string: "shared" }]);
    expect(shared.metadata.name).not.toBe(single.metadata.name);
  });

  it("uses Go templates with missingkey=error and one git files generator", () => {
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.goTemplateOptions).toContain("missingkey=error");
    expect(set.spec.generators).toHaveLength(1);
    expect(git.repoURL).toBe(shared.spec.source.repoURL);
    expect(git.revision).toBe(shared.spec.source.targetRevision);
    expect(set.spec.syncPolicy?.preserveResourcesOnDeletion).toBe(false);
  });

  it("names Applications and the fork parameter from .metadata.name, never path.basename", () => {
    expect(JSON.stringify(set.spec)).not.toMatch(/path\.basename/);
    expect(set.spec.template.metadata.name).toContain("{{.metadata.name}}");
    expect(set.spec.template.spec.source.plugin.parameters).toEqual([{ name: "fork", string: "{{.metadata.name}}" }]);
    expect(set.spec.template.metadata.finalizers).toEqual(["resources-finalizer.argocd.argoproj.io"]);
  });

  it("its template, rendered for forks/alice.yaml, is a valid kubefork Application", () => {
    const fork = { apiVersion: "kubefork.dev/v1alpha1", kind: "Fork", metadata: { name: "alice" }, spec: { workloads: [{ name: "ratings-v1" }] } };
    const params = { ...fork, path: { path: "bookshop/forks", basename: "forks", filename: "alice.yaml", segments: ["bookshop", "forks"] } };
    const app: Doc = { apiVersion: "argoproj.io/v1alpha1", kind: "Application", ...(renderGoTemplate(set.spec.template, params) as Doc) };
    app.metadata.namespace = set.metadata.namespace;
    new Application(app as any).validate();
    expectKubeforkApplication(app, "per-fork template");
    expect(app.metadata.name).toBe("bookshop-fork-alice");
    expect(app.spec.source.plugin.parameters).toEqual([{ name: "fork", string: "alice" }]);
    expect(app.metadata.annotations["kubefork.dev/fork-file"]).toBe("bookshop/forks/alice.yaml");
    // missingkey=error: a fork file without metadata.name fails the generator instead of making "bookshop-fork-".
    expect(() => renderGoTemplate(set.spec.template, { path: params.path, kind: "Fork" })).toThrow(/metadata\.name/);
  });

  it("every Application name is unique and a DNS label for any fork identifier", () => {
    const longest = "a".repeat(63 - "bookshop-fork-".length);
    const name = renderGoTemplate(set.spec.template.metadata.name, { metadata: { name: longest } }) as string;
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(new Set([single.metadata.name, shared.metadata.name, set.metadata.name]).size).toBe(3);
  });

  describe("the files generator picks exactly the files directly in forks/", () => {
    const include = git.files.filter((f: Doc) => !f.exclude).map((f: Doc) => f.path as string);
    const exclude = git.files.filter((f: Doc) => f.exclude).map((f: Doc) => f.path as string);
    const tree = [
      "bookshop/kubefork.yaml",
      "bookshop/base/ratings.yaml",
      "bookshop/forks/alice.yaml",
      "bookshop/forks/bob.yaml",
      "bookshop/forks/README.md",
      "bookshop/forks/archive/old.yaml",
      "bookshop/forks/archive/2025/older.yaml",
      "other/forks/eve.yaml",
    ];
    const want = ["bookshop/forks/alice.yaml", "bookshop/forks/bob.yaml"];

    it("patterns point at the app path's forks/", () => {
      expect(include).toEqual(["bookshop/forks/*.yaml"]);
      expect(exclude).toEqual(["bookshop/forks/*/*.yaml"]);
    });

    // Argo CD's default globbing: `git ls-files --full-name -z -- <path>` per pattern
    // (util/git/client.go LsFiles), where `*` also matches `/`.
    const dir = mkdtempSync(join(tmpdir(), "kubefork-appset-glob-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it("with the default (greedy) git ls-files globbing", () => {
      execFileSync("git", ["init", "-q"], { cwd: dir });
      for (const f of tree) {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        writeFileSync(join(dir, f), "x: 1\n");
      }
      execFileSync("git", ["add", "."], { cwd: dir });
      const ls = (p: string) => execFileSync("git", ["ls-files", "--full-name", "-z", "--", p], { cwd: dir, encoding: "utf8" }).split("\0").filter(Boolean);
      const greedy = include.flatMap(ls);
      expect(greedy, "the include alone is greedy").toContain("bookshop/forks/archive/old.yaml");
      const excluded = new Set(exclude.flatMap(ls));
      expect(greedy.filter((f: string) => !excluded.has(f)).sort()).toEqual(want);
    });

    // The new globbing (doublestar): `*` does not cross `/`.
    it("with the new (doublestar) globbing", () => {
      const re = (p: string) => new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
      const match = (p: string) => tree.filter((f) => re(p).test(f));
      const excluded = new Set(exclude.flatMap(match));
      expect(include.flatMap(match).filter((f: string) => !excluded.has(f)).sort()).toEqual(want);
    });
  });
});

describe("install: the repo-server sidecar patch", () => {
  const kust = loadOne("argocd/install/kustomization.yaml");
  const patch = loadOne("argocd/install/repo-server-kubefork-sidecar.yaml");

  it("the kustomization installs Argo CD >= 2.8 and applies the patch to argocd-repo-server", () => {
    expect(kust.namespace).toBe("argocd");
    const remote = kust.resources.find((r: string) => r.startsWith("https://"));
    const version = /\/argo-cd\/v(\d+)\.(\d+)\.\d+\/manifests\/install\.yaml$/.exec(remote);
    expect(version, "a pinned upstream install manifest").not.toBeNull();
    const [major, minor] = [Number(version![1]), Number(version![2])];
    expect(major > 2 || (major === 2 && minor >= 8)).toBe(true);
    for (const r of kust.resources.filter((r: string) => !r.includes("://"))) expect(existsSync(join(ARGOCD, "install", r)), r).toBe(true);
    expect(kust.patches).toHaveLength(2);
    expect(kust.patches[0].path).toBe("repo-server-kubefork-sidecar.yaml");
    expect(kust.patches[0].target).toMatchObject({ kind: "Deployment", name: "argocd-repo-server" });
    for (const p of kust.patches) expect(existsSync(join(ARGOCD, "install", p.path)), p.path).toBe(true);
    // Per-fork mode starts F+1 renders at once: the repo-server runs at most 3 (Argo CD's default: no limit).
    expect(kust.patches[1]).toMatchObject({ path: "argocd-cmd-params-cm.yaml", target: { kind: "ConfigMap", name: "argocd-cmd-params-cm" } });
    expect(loadOne("argocd/install/argocd-cmd-params-cm.yaml")).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-cmd-params-cm" }, data: { "reposerver.parallelism.limit": "3" } });
    expect(patch).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "argocd-repo-server" } });
  });

  const pod = patch.spec.template.spec;
  const sidecar = pod.containers.find((c: Doc) => c.name === "kubefork");

  it("builds a valid apps/v1 Deployment together with the stock volumes it mounts", () => {
    expect(pod.containers).toHaveLength(1);
    const deployment = new Deployment({
      metadata: { name: "argocd-repo-server", namespace: "argocd" },
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": "argocd-repo-server" } },
        template: {
          metadata: { labels: { "app.kubernetes.io/name": "argocd-repo-server" } },
          spec: {
            ...pod,
            containers: [{ name: "argocd-repo-server", image: "quay.io/argoproj/argocd:v3.5.1" }, ...pod.containers],
            // The stock manifest's own volumes, which the patch mounts but must not redefine.
            volumes: [{ name: "var-files", emptyDir: {} }, { name: "plugins", emptyDir: {} }, ...pod.volumes],
          },
        },
      },
    });
    deployment.validate();
    const broken = structuredClone(deployment.toJSON()) as Doc;
    broken.spec.template.spec.containers[1].securityContext.runAsUser = "999";
    expect(() => new Deployment(broken as any).validate()).toThrow();
  });

  it("the sidecar runs argocd-cmp-server from the image, non-root, locked down", () => {
    expect(sidecar.image).toBe("ghcr.io/kubefork/kubefork:v0.1.0");
    expect(sidecar.command).toEqual(["/var/run/argocd/argocd-cmp-server"]);
    expect(sidecar.args).toBeUndefined();
    expect(sidecar.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(sidecar.env).toContainEqual({ name: "HOME", value: "/tmp" });
    expect(sidecar.resources.requests).toBeDefined();
    // 3 parallel renders x ~150 MB peak (the largest bench app) plus the cmp-server.
    expect(sidecar.resources.limits.memory).toBe("768Mi");
  });

  it("mounts var-files, plugins and its OWN /tmp, adding only that volume", () => {
    const mounts = Object.fromEntries(sidecar.volumeMounts.map((m: Doc) => [m.mountPath, m.name]));
    expect(mounts).toEqual({
      "/var/run/argocd": "var-files",
      "/home/argocd/cmp-server/plugins": "plugins",
      "/tmp": "kubefork-tmp",
    });
    expect(pod.volumes).toEqual([{ name: "kubefork-tmp", emptyDir: {} }]);
    // plugin.yaml is baked into the image: no ConfigMap mount over it.
    expect(sidecar.volumeMounts.some((m: Doc) => m.mountPath.startsWith("/home/argocd/cmp-server/config"))).toBe(false);
  });
});

describe("example workflows", () => {
  it("gc runs on a schedule, runs `kubefork gc` and commits the removal", () => {
    const wf = loadOne("argocd/gc/github-workflow.yaml");
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(wf.permissions.contents).toBe("write");
    const steps = Object.values(wf.jobs as Record<string, Doc>).flatMap((j) => j.steps);
    const run = steps.map((s: Doc) => s.run ?? "").join("\n");
    expect(run).toMatch(/kubefork\s+"\$KUBEFORK_IMAGE" gc "\$APP_DIR"|kubefork gc/);
    expect(run).toContain("git commit");
    expect(run).toContain("git push");
  });

  it("PR validation runs `kubefork validate --format github`", () => {
    const wf = loadOne("examples/github/validate-pr.yaml");
    expect(wf.on.pull_request).toBeDefined();
    const steps = Object.values(wf.jobs as Record<string, Doc>).flatMap((j) => j.steps);
    expect(steps.map((s: Doc) => s.run ?? "").join("\n")).toMatch(/validate --format github "\$APP_DIR"/);
  });
});
