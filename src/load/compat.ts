// The original kubefork's Fork (wantedly/kubefork-controller: fork.k8s.wantedly.com/v1beta1; the
// design document writes vsconfig.k8s.wantedly.com/v1beta1) read as a kubefork.dev Fork.
//
// Two pure steps. `translateCompat` checks the document against the original's fields (api/v1beta1/
// fork_types.go) and gives a kubefork.dev Fork without workloads, plus notes for what has no meaning
// here. `resolveCompat` resolves the label selectors against the base as the controller did
// (domain/lister/internal/builder.go): Deployments whose labels match deployments.selector, in the
// Fork's namespace, that a Service matching services.selector routes to; each becomes a workload
// entry with deployments.replicas (default 1) and the template's containers matched by name (image
// replaced when set, env appended: deployment-duplicator's DeploymentCopy). Every problem points
// into the original file.
import type { BaseIndex } from "../plan/base-index.ts";
import { COMPAT_API_VERSIONS, compatForkSchema } from "../model/compat-fork.ts";
import { forkSchema, type Fork, type ForkWorkload, type PatchOp } from "../model/fork.ts";
import type { LoadedFork, Manifest } from "../model/inputs.ts";
import type { SourceDoc } from "../model/source.ts";
import { describe, labelSelectorMatches, mapSelects, type LabelSelector, type Labels } from "../model/k8s.ts";
import { validateDoc } from "../model/validate.ts";
import { error, formatPath, note, warning, type PathSegment, type Problem } from "../problems.ts";

export function isCompatFork(value: unknown): boolean {
  const v = value as { apiVersion?: unknown; kind?: unknown } | null;
  return !!v && typeof v === "object" && (COMPAT_API_VERSIONS as readonly unknown[]).includes(v.apiVersion) && v.kind === "Fork";
}

/**
 * Checks an original kubefork Fork and translates what needs no base. `expectedId` (the file's base
 * name, for files in forks/) must equal spec.identifier.
 */
export function translateCompat(doc: SourceDoc, opts: { expectedId?: string } = {}): { fork?: LoadedFork; problems: Problem[] } {
  const { value, problems } = validateDoc(compatForkSchema, doc, "kubefork Fork");
  if (!value) return { problems };
  const at = (path: PathSegment[]) => {
    const p = doc.locate(path);
    return { file: doc.file, line: p.line, column: p.column, path: formatPath(path) };
  };
  const spec = value.spec;
  const id = spec.identifier;
  if (opts.expectedId !== undefined && id !== opts.expectedId) {
    return {
      problems: [
        error({
          ...at(["spec", "identifier"]),
          message: `identifier '${id}' does not match the file name '${opts.expectedId}'`,
          hint: `rename the file to ${id}.yaml or set spec.identifier: ${opts.expectedId}`,
        }),
      ],
    };
  }
  const notes: Problem[] = [];
  if (spec.manager !== undefined)
    notes.push(note({ ...at(["spec", "manager"]), message: `manager '${spec.manager}' is ignored: kubefork.yaml is the ForkManager of this app`, hint: "remove it; kubefork import leaves it out" }));
  const gw = spec.gatewayOptions;
  if (gw?.addRequestHeaders && Object.keys(gw.addRequestHeaders).length)
    notes.push(
      warning({
        ...at(["spec", "gatewayOptions", "addRequestHeaders"]),
        message: `gatewayOptions.addRequestHeaders (${Object.keys(gw.addRequestHeaders).join(", ")}) has no equivalent: kubefork's ingress adds only the fork header`,
        hint: "set those headers at your gateway or in the client",
      }),
    );
  if (gw?.allowUpgrade?.length)
    notes.push(
      note({
        ...at(["spec", "gatewayOptions", "allowUpgrade"]),
        message: `gatewayOptions.allowUpgrade (${gw.allowUpgrade.join(", ")}) is ignored: Istio and Gateway API pass WebSocket upgrades through by default`,
      }),
    );
  const mdName = value.metadata?.name;
  if (mdName !== undefined && mdName !== id)
    notes.push(
      note({
        ...at(["metadata", "name"]),
        message: `the original kubefork named copies <name>-${mdName}; kubefork names them <name>-${id} (after the identifier)`,
        hint: `clients that call a fork Service by name (e.g. <service>-${mdName}) must use <service>-${id}; header routing is unchanged`,
      }),
    );
  const fork: Fork = {
    apiVersion: "kubefork.dev/v1alpha1",
    kind: "Fork",
    metadata: { name: id },
    spec: { workloads: [], ...(spec.deadline ? { expires: spec.deadline } : {}) },
  };
  return {
    fork: { id, file: doc.file, fork, doc: compatDoc(doc, () => undefined), compat: { original: value, notes } },
    problems: [],
  };
}

/** Where each translated workload came from, to point problems of kubefork.dev paths into the original. */
interface WorkloadOrigin {
  /** Container index in the original template, by index in the translated entry. */
  containers: number[];
}

/** A SourceDoc that answers kubefork.dev paths with positions in the original document. */
function compatDoc(doc: SourceDoc, origins: () => WorkloadOrigin[] | undefined): SourceDoc {
  const map = (path: readonly PathSegment[]): PathSegment[] => {
    const [a, b, i, field, j, ...rest] = path;
    if (a === "metadata" && b === "name") return ["spec", "identifier"];
    if (a !== "spec") return [...path];
    if (b === "expires") return ["spec", "deadline"];
    if (b !== "workloads") return [...path];
    if (field === "replicas") return ["spec", "deployments", "replicas"];
    if (field === "containers" && typeof i === "number" && typeof j === "number") {
      const k = origins()?.[i]?.containers[j];
      if (k !== undefined) return ["spec", "deployments", "template", "spec", "containers", k, ...rest];
    }
    if (field === "patches") return ["spec", "deployments", "template"];
    return ["spec", "deployments", "selector"];
  };
  return { ...doc, locate: (path) => doc.locate(map(path)) };
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Resolves a translated compat fork against the base: its workloads, and notes on how the
 * Services that get copies compare with the original's. Returns a LoadedFork with a full Fork.
 */
export function resolveCompat(lf: LoadedFork, index: BaseIndex): { fork?: LoadedFork; problems: Problem[] } {
  const src = lf.compat;
  if (!src) return { fork: lf, problems: [] };
  const original = src.original;
  const doc = lf.doc;
  const problems: Problem[] = [...src.notes];
  const at = (path: PathSegment[]) => {
    const p = doc.locate(path);
    return { file: lf.file, line: p.line, column: p.column, path: formatPath(path) };
  };
  const ns = original.metadata?.namespace;
  const where = ns ? ` in namespace ${ns}` : "";
  const inNs = (l: readonly Manifest[]) => l.filter((m) => ns === undefined || index.nsOf(m.object) === ns);
  const dspec = original.spec.deployments;
  const selector = dspec?.selector as LabelSelector | null | undefined;
  if (!selector) {
    problems.push(
      error({
        ...at(["spec", "deployments"]),
        path: "spec.deployments.selector",
        message: "the Fork has no deployments.selector, so it forks no Deployment (the original kubefork copied none either)",
        hint: "add spec.deployments.selector: {matchLabels: {app: <name>}} selecting the base Deployments to fork",
      }),
    );
    return { problems };
  }
  const deployments = inNs(index.ofKind("Deployment"));
  const labelsOf = (m: Manifest) => m.object.metadata.labels ?? {};
  let selected = deployments.filter((m) => labelSelectorMatches(selector, labelsOf(m)));
  if (selected.length === 0) {
    const listed = deployments.slice(0, 5).map((m) => `${m.object.metadata.name} {${Object.entries(labelsOf(m)).map(([k, v]) => `${k}: ${v}`).join(", ")}}`);
    problems.push(
      error({
        ...at(["spec", "deployments", "selector"]),
        message: `deployments.selector matches no Deployment${where} of the base (it is matched against the Deployments' own labels, as the original did)`,
        hint: listed.length ? `Deployments${where} and their labels: ${listed.join("; ")}${deployments.length > 5 ? "; ..." : ""}` : `the base has no Deployment${where}`,
      }),
    );
    return { problems };
  }
  const podLabels = (m: Manifest) => ((m.object.spec as { template?: { metadata?: { labels?: Labels } } } | undefined)?.template?.metadata?.labels ?? {});
  const svcSelector = original.spec.services?.selector as LabelSelector | null | undefined;
  if (svcSelector) {
    const services = inNs(index.ofKind("Service"));
    const chosen = services.filter((s) => labelSelectorMatches(svcSelector, labelsOf(s)));
    if (chosen.length === 0) {
      problems.push(
        error({
          ...at(["spec", "services", "selector"]),
          message: `services.selector matches no Service${where} of the base`,
          hint: "the original kubefork forks only Deployments behind a selected Service; select the Services by their own labels, or remove services to fork every Service of the selected Deployments",
        }),
      );
      return { problems };
    }
    const routes = (s: Manifest, d: Manifest) =>
      index.nsOf(s.object) === index.nsOf(d.object) && mapSelects((s.object.spec as { selector?: Labels } | undefined)?.selector, podLabels(d));
    const behind = selected.filter((d) => chosen.some((s) => routes(s, d)));
    if (behind.length === 0) {
      problems.push(
        error({
          ...at(["spec", "services", "selector"]),
          message: `no Deployment that deployments.selector selects (${selected.map((d) => d.object.metadata.name).join(", ")}) is behind a Service that services.selector selects (${chosen.map((s) => s.object.metadata.name).join(", ")})`,
          hint: "the original kubefork forks only Deployments that a selected Service routes to; widen one of the two selectors",
        }),
      );
      return { problems };
    }
    for (const d of selected.filter((x) => !behind.includes(x)))
      problems.push(note({ ...at(["spec", "deployments", "selector"]), message: `${describe(d.object, index.nsOf(d.object))} is not forked: no Service that services.selector selects routes to it (as in the original kubefork)` }));
    selected = behind;
    // kubefork copies every Service that selects a forked workload's pods: compare with the choice.
    for (const s of chosen.filter((c) => !selected.some((d) => routes(c, d))))
      problems.push(note({ ...at(["spec", "services", "selector"]), message: `${describe(s.object, index.nsOf(s.object))} gets no copy: no forked Deployment is behind it (the original made a copy without endpoints)` }));
    const others = index.ofKind("Service").filter((s) => !chosen.includes(s) && selected.some((d) => index.nsOf(s.object) === index.nsOf(d.object) && mapSelects((s.object.spec as { selector?: Labels } | undefined)?.selector, podLabels(d))));
    for (const s of others)
      problems.push(
        note({
          ...at(["spec", "services", "selector"]),
          message: `${describe(s.object, index.nsOf(s.object))} is copied too: it selects the pods of a forked Deployment (kubefork forks every Service of a forked workload; the original copied only the selected ones)`,
        }),
      );
  } else {
    problems.push(
      note({
        ...at(["spec"]),
        message: "the Fork has no services.selector: the original kubefork then forked nothing; kubefork forks the selected Deployments and every Service that selects their pods",
      }),
    );
  }

  // Workload entries, in base order.
  const template = dspec?.template;
  const tcontainers = template?.spec?.containers ?? [];
  const used = new Set<number>();
  const origins: WorkloadOrigin[] = [];
  const patches: PatchOp[] = [];
  for (const [k, v] of Object.entries(template?.metadata?.labels ?? {})) patches.push({ op: "add", path: `/spec/template/metadata/labels/${escapePointer(k)}`, value: v });
  for (const [k, v] of Object.entries(template?.metadata?.annotations ?? {})) patches.push({ op: "add", path: `/metadata/annotations/${escapePointer(k)}`, value: v });
  if (template?.spec?.hostname) patches.push({ op: "add", path: "/spec/template/spec/hostname", value: template.spec.hostname });
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
    const w: ForkWorkload = { name: d.object.metadata.name, kind: "Deployment", namespace: index.nsOf(d.object), replicas: dspec?.replicas ?? 1 };
    if (containers.some((c) => c.image || c.env)) w.containers = containers.filter((c) => c.image || c.env);
    if (patches.length) w.patches = patches.map((p) => ({ ...p }));
    return w;
  });
  tcontainers.forEach((c, k) => {
    if (!used.has(k))
      problems.push(
        warning({
          ...at(["spec", "deployments", "template", "spec", "containers", k, "name"]),
          message: `container '${c.name}' is in none of the forked Deployments (${selected.map((d) => d.object.metadata.name).join(", ")}); it is ignored, as the original did`,
          hint: "check the container name",
        }),
      );
    const extra = Object.keys(c).filter((f) => !["name", "image", "env"].includes(f) && !(f === "resources" && Object.keys((c as { resources?: object }).resources ?? {}).length === 0));
    if (extra.length)
      problems.push(
        warning({
          ...at(["spec", "deployments", "template", "spec", "containers", k, extra[0]!]),
          message: `${extra.join(", ")} ignored: the original kubefork copied only a container's image and env`,
          hint: "after kubefork import, set args/command in containers[] or use patches",
        }),
      );
  });
  if (template?.metadata?.labels && Object.keys(template.metadata.labels).length)
    problems.push(
      note({
        ...at(["spec", "deployments", "template", "metadata", "labels"]),
        message: "the template's labels are added to the fork pods; kubefork keeps fork pods out of the base Services by itself, so they are not needed for isolation",
      }),
    );

  const fork: Fork = { ...lf.fork, spec: { ...lf.fork.spec, workloads } };
  const parsed = forkSchema.safeParse(fork);
  if (!parsed.success)
    return { problems: [...problems, error({ ...at(["spec"]), message: `the translated Fork is invalid: ${parsed.error.issues[0]?.message ?? "unknown"}`, hint: "fix the original Fork's fields" })] };
  return { fork: { ...lf, fork: parsed.data, doc: compatDoc(lf.doc, () => origins) }, problems };
}

/** Resolves every compat fork that is live at `now`; expired ones are left as they are (not planned). */
export function resolveCompatForks(index: BaseIndex, forks: readonly LoadedFork[], now: number): { forks: LoadedFork[]; problems: Problem[] } {
  const out: LoadedFork[] = [];
  const problems: Problem[] = [];
  for (const f of forks) {
    const expires = f.fork.spec.expires;
    if (!f.compat || (expires !== undefined && Date.parse(expires) <= now)) {
      out.push(f);
      continue;
    }
    const r = resolveCompat(f, index);
    problems.push(...r.problems);
    if (r.fork) out.push(r.fork);
  }
  return { forks: out, problems };
}
