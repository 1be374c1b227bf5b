// The original kubefork's Fork (src/load/compat.ts translates it), resolved against the base as
// the controller did (wantedly/kubefork-controller domain/lister/internal/builder.go): Deployments
// whose labels match deployments.selector, in the Fork's namespace, that a Service matching
// services.selector routes to; each becomes a workload entry with deployments.replicas (default 1)
// and the template's containers matched by name (image replaced when set, env appended:
// deployment-duplicator's DeploymentCopy). Every problem points into the original file.
//
// Steps, in order: selectDeployments → narrowByServices → workloadEntries → (the Fork, checked).
import { compatDoc, type CompatFork, type WorkloadOrigin } from "../model/compat-fork.ts";
import { forkSchema, type Fork, type ForkWorkload, type PatchOp } from "../model/fork.ts";
import { refOf, type LoadedFork, type Manifest } from "../model/inputs.ts";
import { describe, labelSelectorMatches, mapSelects, type LabelSelector, type Labels } from "../model/k8s.ts";
import { error, formatPath, note, warning, type PathSegment, type Problem } from "../problems.ts";
import type { BaseIndex } from "./base-index.ts";
import { isExpired } from "./plan.ts";
import { pointerToken } from "../util/paths.ts";

/** What every step reads: the original Fork, where its fields are, and the base. */
interface Ctx {
  original: CompatFork;
  index: BaseIndex;
  at(path: PathSegment[]): { file: string; line: number; column: number; path: string };
  /** The Fork's namespace (` in namespace x`), for messages. */
  where: string;
  inNs(l: readonly Manifest[]): Manifest[];
  problems: Problem[];
}

const labelsOf = (m: Manifest) => m.object.metadata.labels ?? {};
const podLabels = (m: Manifest) => ((m.object.spec as { template?: { metadata?: { labels?: Labels } } } | undefined)?.template?.metadata?.labels ?? {});
const selectorOf = (s: Manifest) => (s.object.spec as { selector?: Labels } | undefined)?.selector;

/**
 * Resolves a translated compat fork against the base: its workloads, and notes on how the
 * Services that get copies compare with the original's. Returns a LoadedFork with a full Fork.
 */
export function resolveCompat(lf: LoadedFork, index: BaseIndex): { fork?: LoadedFork; problems: Problem[] } {
  const src = lf.compat;
  if (!src) return { fork: lf, problems: [] };
  const original = src.original;
  const ns = original.metadata?.namespace;
  const ctx: Ctx = {
    original,
    index,
    at: (path) => {
      const p = lf.doc.locate(path);
      return { file: lf.file, line: p.line, column: p.column, path: formatPath(path) };
    },
    where: ns ? ` in namespace ${ns}` : "",
    inNs: (l) => l.filter((m) => ns === undefined || index.nsOf(m.object) === ns),
    problems: [...src.notes],
  };
  const problems = ctx.problems;
  const selected = selectDeployments(ctx);
  if (!selected) return { problems };
  const behind = narrowByServices(ctx, selected);
  if (!behind) return { problems };
  const { workloads, origins } = workloadEntries(ctx, behind);

  const fork: Fork = { ...lf.fork, spec: { ...lf.fork.spec, workloads } };
  const parsed = forkSchema.safeParse(fork);
  if (!parsed.success)
    return { problems: [...problems, error({ ...ctx.at(["spec"]), code: "KF4040", message: `the translated Fork is invalid: ${parsed.error.issues[0]?.message ?? "unknown"}`, hint: "fix the original Fork's fields" })] };
  return { fork: { ...lf, fork: parsed.data, doc: compatDoc(lf.doc, () => origins) }, problems };
}

/** deployments.selector against the Deployments' own labels (as the original did); undefined after an error. */
function selectDeployments(ctx: Ctx): Manifest[] | undefined {
  const selector = ctx.original.spec.deployments?.selector as LabelSelector | null | undefined;
  if (!selector) {
    ctx.problems.push(
      error({
        ...ctx.at(["spec", "deployments"]),
        code: "KF4041",
        path: "spec.deployments.selector",
        message: "the Fork has no deployments.selector, so it forks no Deployment (the original kubefork copied none either)",
        hint: "add spec.deployments.selector: {matchLabels: {app: <name>}} selecting the base Deployments to fork",
      }),
    );
    return undefined;
  }
  const deployments = ctx.inNs(ctx.index.ofKind("Deployment"));
  const selected = deployments.filter((m) => labelSelectorMatches(selector, labelsOf(m)));
  if (selected.length > 0) return selected;
  const listed = deployments.slice(0, 5).map((m) => `${m.object.metadata.name} {${Object.entries(labelsOf(m)).map(([k, v]) => `${k}: ${v}`).join(", ")}}`);
  ctx.problems.push(
    error({
      ...ctx.at(["spec", "deployments", "selector"]),
      code: "KF4042",
      message: `deployments.selector matches no Deployment${ctx.where} of the base (it is matched against the Deployments' own labels, as the original did)`,
      hint: listed.length ? `Deployments${ctx.where} and their labels: ${listed.join("; ")}${deployments.length > 5 ? "; ..." : ""}` : `the base has no Deployment${ctx.where}`,
    }),
  );
  return undefined;
}

/**
 * services.selector: only Deployments behind a selected Service are forked, with notes comparing
 * kubefork's Service copies with the original's choice. Undefined after an error.
 */
function narrowByServices(ctx: Ctx, selected: Manifest[]): Manifest[] | undefined {
  const { index } = ctx;
  const svcSelector = ctx.original.spec.services?.selector as LabelSelector | null | undefined;
  if (!svcSelector) {
    ctx.problems.push(
      note({
        ...ctx.at(["spec"]),
        code: "KF4043",
        message: "the Fork has no services.selector: the original kubefork then forked nothing; kubefork forks the selected Deployments and every Service that selects their pods",
      }),
    );
    return selected;
  }
  const chosen = ctx.inNs(index.ofKind("Service")).filter((s) => labelSelectorMatches(svcSelector, labelsOf(s)));
  if (chosen.length === 0) {
    ctx.problems.push(
      error({
        ...ctx.at(["spec", "services", "selector"]),
        code: "KF4044",
        message: `services.selector matches no Service${ctx.where} of the base`,
        hint: "the original kubefork forks only Deployments behind a selected Service; select the Services by their own labels, or remove services to fork every Service of the selected Deployments",
      }),
    );
    return undefined;
  }
  const routes = (s: Manifest, d: Manifest) => index.nsOf(s.object) === index.nsOf(d.object) && mapSelects(selectorOf(s), podLabels(d));
  const behind = selected.filter((d) => chosen.some((s) => routes(s, d)));
  if (behind.length === 0) {
    ctx.problems.push(
      error({
        ...ctx.at(["spec", "services", "selector"]),
        code: "KF4045",
        message: `no Deployment that deployments.selector selects (${selected.map((d) => d.object.metadata.name).join(", ")}) is behind a Service that services.selector selects (${chosen.map((s) => s.object.metadata.name).join(", ")})`,
        hint: "the original kubefork forks only Deployments that a selected Service routes to; widen one of the two selectors",
      }),
    );
    return undefined;
  }
  const at = ctx.at(["spec", "services", "selector"]);
  for (const d of selected.filter((x) => !behind.includes(x)))
    ctx.problems.push(note({ ...ctx.at(["spec", "deployments", "selector"]), code: "KF4046", ref: refOf(d, index.nsOf(d.object)), message: `${describe(d.object, index.nsOf(d.object))} is not forked: no Service that services.selector selects routes to it (as in the original kubefork)` }));
  // kubefork copies every Service that selects a forked workload's pods: compare with the choice.
  for (const s of chosen.filter((c) => !behind.some((d) => routes(c, d))))
    ctx.problems.push(note({ ...at, code: "KF4047", ref: refOf(s, index.nsOf(s.object)), message: `${describe(s.object, index.nsOf(s.object))} gets no copy: no forked Deployment is behind it (the original made a copy without endpoints)` }));
  for (const s of index.ofKind("Service").filter((s) => !chosen.includes(s) && behind.some((d) => routes(s, d))))
    ctx.problems.push(
      note({
        ...at,
        code: "KF4048",
        ref: refOf(s, index.nsOf(s.object)),
        message: `${describe(s.object, index.nsOf(s.object))} is copied too: it selects the pods of a forked Deployment (kubefork forks every Service of a forked workload; the original copied only the selected ones)`,
      }),
    );
  return behind;
}

/** The template's labels, annotations and hostname, as patches of every copy. */
function templatePatches(template: NonNullable<NonNullable<CompatFork["spec"]["deployments"]>["template"]>): PatchOp[] {
  const patches: PatchOp[] = [];
  for (const [k, v] of Object.entries(template.metadata?.labels ?? {})) patches.push({ op: "add", path: `/spec/template/metadata/labels/${pointerToken(k)}`, value: v });
  for (const [k, v] of Object.entries(template.metadata?.annotations ?? {})) patches.push({ op: "add", path: `/metadata/annotations/${pointerToken(k)}`, value: v });
  if (template.spec?.hostname) patches.push({ op: "add", path: "/spec/template/spec/hostname", value: template.spec.hostname });
  return patches;
}

/** Workload entries in base order, the template's containers matched by name; warnings for what is ignored. */
function workloadEntries(ctx: Ctx, selected: Manifest[]): { workloads: ForkWorkload[]; origins: WorkloadOrigin[] } {
  const dspec = ctx.original.spec.deployments;
  const template = dspec?.template;
  const tcontainers = template?.spec?.containers ?? [];
  const used = new Set<number>();
  const origins: WorkloadOrigin[] = [];
  const patches = template ? templatePatches(template) : [];
  const workloads: ForkWorkload[] = selected.map((d) => {
    const names = ((d.object.spec as { template?: { spec?: { containers?: { name?: string }[] } } } | undefined)?.template?.spec?.containers ?? []).map((c) => c.name);
    const origin: WorkloadOrigin = { containers: [] };
    const containers: NonNullable<ForkWorkload["containers"]> = [];
    tcontainers.forEach((c, k) => {
      if (!names.includes(c.name)) return;
      used.add(k);
      origin.containers.push(k);
      containers.push({ name: c.name, ...(c.image ? { image: c.image } : {}), ...(c.env?.length ? { env: c.env } : {}) });
    });
    origins.push(origin);
    const w: ForkWorkload = { name: d.object.metadata.name, kind: "Deployment", namespace: ctx.index.nsOf(d.object), replicas: dspec?.replicas ?? 1 };
    if (containers.some((c) => c.image || c.env)) w.containers = containers.filter((c) => c.image || c.env);
    if (patches.length) w.patches = patches.map((p) => ({ ...p }));
    return w;
  });
  tcontainers.forEach((c, k) => {
    if (!used.has(k))
      ctx.problems.push(
        warning({
          ...ctx.at(["spec", "deployments", "template", "spec", "containers", k, "name"]),
          code: "KF4049",
          message: `container '${c.name}' is in none of the forked Deployments (${selected.map((d) => d.object.metadata.name).join(", ")}); it is ignored, as the original did`,
          hint: "check the container name",
        }),
      );
    const extra = Object.keys(c).filter((f) => !["name", "image", "env"].includes(f) && !(f === "resources" && Object.keys((c as { resources?: object }).resources ?? {}).length === 0));
    if (extra.length)
      ctx.problems.push(
        warning({
          ...ctx.at(["spec", "deployments", "template", "spec", "containers", k, extra[0]!]),
          code: "KF4050",
          message: `${extra.join(", ")} ignored: the original kubefork copied only a container's image and env`,
          hint: "after kubefork import, set args/command in containers[] or use patches",
        }),
      );
  });
  if (template?.metadata?.labels && Object.keys(template.metadata.labels).length)
    ctx.problems.push(
      note({
        ...ctx.at(["spec", "deployments", "template", "metadata", "labels"]),
        code: "KF4051",
        message: "the template's labels are added to the fork pods; kubefork keeps fork pods out of the base Services by itself, so they are not needed for isolation",
      }),
    );
  return { workloads, origins };
}

/** Resolves every compat fork that is live at `now`; expired ones are left as they are (not planned). */
export function resolveCompatForks(index: BaseIndex, forks: readonly LoadedFork[], now: number): { forks: LoadedFork[]; problems: Problem[] } {
  const out: LoadedFork[] = [];
  const problems: Problem[] = [];
  for (const f of forks) {
    if (!f.compat || isExpired(f, now)) {
      out.push(f);
      continue;
    }
    const r = resolveCompat(f, index);
    problems.push(...r.problems);
    if (r.fork) out.push(r.fork);
  }
  return { forks: out, problems };
}
