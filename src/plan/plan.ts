// Forks + base → a plan: for each live fork, which workloads it copies (and as what), which
// Services select them (and what the copies are called), and what labels fork pods wear.
// Everything the generators need to decide is decided here, once.
import { refOf, type LoadedFork, type Manifest } from "../model/inputs.ts";
import { isExpired } from "../model/expiry.ts";
import type { ForkWorkload } from "../model/fork.ts";
import { kindKey, type KObject, type Labels } from "../model/k8s.ts";
import type { IngressEntry } from "../model/ingress.ts";
import { planIngress, type IngressPlan } from "./ingress.ts";
import { error, note, warning, type ObjectRef, type PathSegment, type Problem, type ProblemCode } from "../problems.ts";
import { podLabelsOf, type BaseIndex } from "./base-index.ts";
import { elsewhereHint, listHint, resolveByName } from "./fork-resolution.ts";
import { CANONICAL_NAME, CANONICAL_REVISION, FORK_LABEL, isolateLabels, SERVICE_LABEL_PREFIX, WORKLOAD_LABEL } from "./labels.ts";
import { copyName, serviceFqdn } from "./names.ts";
import { indexKindOf, rolloutServices, rolloutSource } from "./rollout.ts";
import { planGoverningService, type GoverningServicePlan } from "./statefulset.ts";
import { planConfigMaps, type ConfigMapPlan } from "./configmaps.ts";

export interface WorkloadPlan {
  /** The fork file's entry and its index in spec.workloads. */
  entry: ForkWorkload;
  entryIndex: number;
  base: Manifest;
  kind: string;
  namespace: string;
  name: string;
  copyName: string;
  /** Labels of the fork pods (isolated from every base selector). */
  podLabels: Labels;
  /** matchLabels of the copy's selector. */
  selector: Labels;
  /** Label keys removed from the original pod labels. */
  droppedLabels: string[];
  /** Base Services that select the original pods. */
  services: Manifest[];
  /** What the copy is built from when it is not `base.object`: a Rollout's Deployment (src/plan/rollout.ts). */
  source?: KObject;
  /** StatefulSets: the copy's own governing Service for spec.serviceName. */
  governing?: GoverningServicePlan;
}

export interface ServicePlan {
  base: Manifest;
  namespace: string;
  name: string;
  copyName: string;
  fqdn: string;
  copyFqdn: string;
  selector: Labels;
  workloads: WorkloadPlan[];
}

export interface ForkPlan {
  id: string;
  file: string;
  loaded: LoadedFork;
  workloads: WorkloadPlan[];
  services: ServicePlan[];
  /** Forked Service FQDN → its plan. */
  serviceByFqdn: Map<string, ServicePlan>;
  /** The fork's ConfigMap copies (spec.configMaps), resolved against the base (src/plan/configmaps.ts). */
  configMaps: ConfigMapPlan[];
}

export interface Plan {
  forks: ForkPlan[];
  expired: { fork: LoadedFork; expires: string }[];
  /** Each spec.ingress entry with what serves its fork hosts (acceptance, scheme): src/plan/ingress.ts. */
  ingress: IngressPlan[];
}

export interface PlanOptions {
  /** The clock, in ms since the epoch: forks whose `expires` is not after it are left out. */
  now: number;
  /** spec.ingress of kubefork.yaml. */
  ingress?: readonly IngressEntry[];
}

/** The one expiry rule (src/model/expiry.ts), where the plan's callers import it. */
export { isExpired };

/** Plans every fork; forks are ordered by identifier. Problems of one fork don't stop the others. */
export function planForks(index: BaseIndex, forks: readonly LoadedFork[], opts: PlanOptions): { plan: Plan; problems: Problem[] } {
  const problems: Problem[] = [];
  const plan: Plan = { forks: [], expired: [], ingress: planIngress(index, opts.ingress) };
  for (const f of [...forks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const expires = f.fork.spec.expires;
    if (expires !== undefined && isExpired(f, opts.now)) {
      plan.expired.push({ fork: f, expires });
      const pos = f.doc.locate(["spec", "expires"]);
      problems.push(
        note({
          code: "KF4001",
          file: f.file,
          line: pos.line,
          column: pos.column,
          path: "spec.expires",
          message: `fork '${f.id}' expired at ${expires}; it is not rendered`,
          hint: "extend spec.expires to bring it back, or remove the file (kubefork gc does it for every expired fork)",
        }),
      );
      continue;
    }
    const r = planFork(index, f);
    problems.push(...r.problems);
    if (r.plan) plan.forks.push(r.plan);
  }
  return { plan, problems };
}

/**
 * One fork's plan, in named steps: its workload entries (planWorkload), the Service copies
 * (planServices), StatefulSets' governing Services (planGoverningServices), and its forked
 * configuration (src/plan/configmaps.ts). A fork with problems is still planned for what is
 * valid, so later steps report their own problems too (validate shows everything at once); the
 * render fails on the problems anyway.
 */
export function planFork(index: BaseIndex, f: LoadedFork): { plan?: ForkPlan; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (path: PathSegment[]) => {
    const pos = f.doc.locate(path);
    return { file: f.file, line: pos.line, column: pos.column };
  };
  const workloads: WorkloadPlan[] = [];
  const seen = new Map<string, number>();
  f.fork.spec.workloads.forEach((entry, i) => {
    const r = planWorkload(index, f, entry, i, seen, at);
    if ("problem" in r) problems.push(r.problem);
    else workloads.push(r.plan);
  });
  const services = planServices(index, f.id, workloads, at, problems);
  planGoverningServices(index, f.id, workloads, services, at, problems);
  const configMaps = planConfigMaps({ id: f.id, file: f.file, loaded: f, workloads }, index);
  problems.push(...configMaps.problems);
  return {
    plan: { id: f.id, file: f.file, loaded: f, workloads, services, serviceByFqdn: new Map(services.map((s) => [s.fqdn, s])), configMaps: configMaps.plans },
    problems,
  };
}

type At = (path: PathSegment[]) => { file: string; line: number; column: number };

/** One `spec.workloads[i]` entry: the base workload, the copy's name, and pod labels no base selector reads. */
function planWorkload(index: BaseIndex, f: LoadedFork, entry: ForkWorkload, i: number, seen: Map<string, number>, at: At): { plan: WorkloadPlan } | { problem: Problem } {
  // Located only for a problem: the first position asked of a fork file parses it for positions.
  const fail = (p: { code: ProblemCode; message: string; hint?: string; object?: string; ref?: ObjectRef }) => ({ problem: error({ ...at(["spec", "workloads", i, "name"]), path: `spec.workloads[${i}].name`, ...p }) });
  const found = findWorkload(index, entry);
  if ("problem" in found) return fail(found.problem);
  const base = found.manifest;
  const ns = index.nsOf(base.object);
  const ref = refOf(base, ns);
  const key = `${entry.kind}|${ns}|${entry.name}`;
  const dup = seen.get(key);
  if (dup !== undefined) return fail({ code: "KF4004", ref, message: `${entry.kind} ${ns}/${entry.name} is already forked by spec.workloads[${dup}]`, hint: "list each workload once; merge the two entries" });
  seen.set(key, i);
  const copy = copyName(entry.name, f.id);
  let source: KObject | undefined;
  if (entry.kind === "Rollout") {
    const r = rolloutSource(index, base);
    if (r.problem) return { problem: r.problem };
    source = r.source;
  }
  const object = `${entry.kind} ${ns}/${entry.name}`;
  const originalLabels = podLabelsOf(source ?? base.object);
  if (Object.keys(originalLabels).length === 0) return fail({ code: "KF4005", object, ref, message: "the workload's pod template has no labels", hint: "give the base workload's spec.template.metadata.labels" });
  const services = index.servicesSelecting(ns, originalLabels);
  if (entry.kind === "Rollout") for (const s of rolloutServices(index, base)) if (!services.includes(s)) services.push(s);
  const selector: Labels = { [FORK_LABEL]: f.id, [WORKLOAD_LABEL]: copy };
  const add: Labels = { ...selector };
  for (const s of services) add[`${SERVICE_LABEL_PREFIX}${s.object.metadata.name}`] = "true";
  const iso = isolateLabels(originalLabels, index.selectorIndexIn(ns), add);
  if (iso.stillSelectedBy.length)
    return fail({
      code: "KF4006",
      object,
      ref,
      message: `fork pods would still be selected by ${iso.stillSelectedBy.join(", ")}`,
      hint: "those selectors use only NotIn/DoesNotExist; give them a positive requirement (matchLabels) so fork pods can be kept out",
    });
  // Istio names telemetry after app/app.kubernetes.io/name; keep the original service name there.
  const canonical = originalLabels["app.kubernetes.io/name"] ?? originalLabels.app;
  if (canonical && iso.labels[CANONICAL_NAME] === undefined && (iso.dropped.includes("app") || iso.dropped.includes("app.kubernetes.io/name"))) iso.labels[CANONICAL_NAME] = canonical;
  if (iso.labels[CANONICAL_REVISION] === undefined) iso.labels[CANONICAL_REVISION] = `fork-${f.id}`;
  if (index.has(source ? source.kind : kindKey(base.object), ns, copy))
    return fail({ code: "KF4007", ref, message: `the copy's name ${copy} is taken by a base ${base.object.kind} in ${ns}`, hint: "rename the fork (its identifier is the file name) or the base object" });
  return {
    plan: {
      entry,
      entryIndex: i,
      base,
      kind: base.object.kind,
      namespace: ns,
      name: entry.name,
      copyName: copy,
      podLabels: iso.labels,
      selector,
      droppedLabels: iso.dropped,
      services,
      ...(source ? { source } : {}),
    },
  };
}

/** One copy per base Service that selects any forked workload of the fork. */
function planServices(index: BaseIndex, id: string, workloads: readonly WorkloadPlan[], at: At, problems: Problem[]): ServicePlan[] {
  const services: ServicePlan[] = [];
  const serviceByKey = new Map<Manifest, ServicePlan>();
  for (const w of workloads) {
    for (const s of w.services) {
      let sp = serviceByKey.get(s);
      if (!sp) {
        const name = s.object.metadata.name;
        const cname = copyName(name, id);
        if (index.has("Service", w.namespace, cname)) {
          problems.push(
            error({
              ...at(["spec", "workloads", w.entryIndex, "name"]),
              code: "KF4007",
              ref: refOf(s, w.namespace),
              path: `spec.workloads[${w.entryIndex}].name`,
              message: `the Service copy's name ${cname} is taken by a base Service in ${w.namespace}`,
              hint: "rename the fork (its identifier is the file name) or the base Service",
            }),
          );
          continue;
        }
        sp = {
          base: s,
          namespace: w.namespace,
          name,
          copyName: cname,
          fqdn: serviceFqdn(name, w.namespace, index.clusterDomain),
          copyFqdn: serviceFqdn(cname, w.namespace, index.clusterDomain),
          selector: { [FORK_LABEL]: id, [`${SERVICE_LABEL_PREFIX}${name}`]: "true" },
          workloads: [],
        };
        serviceByKey.set(s, sp);
        services.push(sp);
      }
      sp.workloads.push(w);
    }
  }
  return services;
}

/** StatefulSets: each copy points spec.serviceName at a headless Service of its own (src/plan/statefulset.ts). */
function planGoverningServices(index: BaseIndex, id: string, workloads: readonly WorkloadPlan[], services: readonly ServicePlan[], at: At, problems: Problem[]): void {
  for (const w of workloads) {
    const g = planGoverningService(index, w.base, w.namespace, id);
    if (!g) continue;
    w.governing = g;
    if (g.shared) continue;
    const where = { ...at(["spec", "workloads", w.entryIndex, "name"]), path: `spec.workloads[${w.entryIndex}].name`, object: `StatefulSet ${w.namespace}/${w.name}`, ref: refOf(w.base, w.namespace) };
    const clash = index.has("Service", w.namespace, g.copyName)
      ? `a base Service in ${w.namespace}`
      : services.some((s) => s.namespace === w.namespace && s.copyName === g.copyName)
        ? `the fork's copy of Service ${w.namespace}/${g.name}, which selects other forked pods`
        : undefined;
    if (clash) {
      problems.push(
        error({
          ...where,
          code: "KF4007",
          message: `the copy's governing Service ${g.copyName} (for spec.serviceName ${g.name}) is taken by ${clash}`,
          hint: `give the StatefulSet a headless Service named ${g.name} that selects its pods, or rename the fork`,
        }),
      );
      continue;
    }
    problems.push(
      warning({
        ...where,
        code: "KF4008",
        message: g.base
          ? `Service ${w.namespace}/${g.name}, the StatefulSet's spec.serviceName, does not select its pods; the copy gets a headless Service ${g.copyName} of its own`
          : `the base has no Service ${w.namespace}/${g.name} (the StatefulSet's spec.serviceName); the copy gets a minimal headless Service ${g.copyName}`,
        hint: `add a headless Service (clusterIP: None) named ${g.name} selecting the StatefulSet's pods to the base`,
      }),
    );
  }
}

type Found = { manifest: Manifest } | { problem: { code: ProblemCode; message: string; hint?: string } };

/** The base workload a `spec.workloads[]` entry names (src/plan/fork-resolution.ts), or why there is none. */
function findWorkload(index: BaseIndex, entry: ForkWorkload): Found {
  const r = resolveByName(index, index.ofKind(indexKindOf(entry.kind)), entry.name, entry.namespace);
  if ("found" in r) return { manifest: r.found };
  if ("ambiguous" in r) {
    const nss = r.ambiguous;
    return {
      problem: {
        code: "KF4003",
        message: `${entry.kind} '${entry.name}' is ambiguous: it exists in namespaces ${nss.join(", ")}, none of them the render's namespace ${index.defaultNamespace}`,
        hint: `add namespace: <one of ${nss.join(", ")}> to this workload`,
      },
    };
  }
  const { elsewhere, close, names } = r.missing;
  const where = entry.namespace ? ` in namespace ${entry.namespace}` : "";
  const otherKind = (["Deployment", "StatefulSet", "Rollout"] as const).filter((k) => k !== entry.kind).find((k) => index.ofKind(indexKindOf(k)).some((m) => m.object.metadata.name === entry.name));
  return {
    problem: {
      code: "KF4002",
      message: `no ${entry.kind} '${entry.name}'${where} in the base`,
      hint: elsewhere.length
        ? elsewhereHint(index, entry.kind, entry.name, elsewhere)
        : otherKind
          ? `'${entry.name}' is a ${otherKind}: set kind: ${otherKind}`
          : close.length
            ? `did you mean ${close.map((c) => `'${c}'`).join(" or ")}?`
            : listHint(entry.kind, names, `the base has no ${entry.kind}${where}`),
    },
  };
}
