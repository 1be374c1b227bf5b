// One pass over the base: objects by kind and namespace, the selectors of each namespace, and
// host resolution as the mesh does it. Built once per render; every later step reads it.
import type { Manifest } from "../model/inputs.ts";
import { asRecord, kindKey, mapSelects, type KObject, type LabelSelector, type Labels } from "../model/k8s.ts";
import { SelectorIndex, type BaseSelector } from "./labels.ts";
import { serviceFqdn } from "./names.ts";

export interface BaseIndex {
  manifests: readonly Manifest[];
  defaultNamespace: string;
  clusterDomain: string;
  /** The namespace an object lives in (the Application's destination when it names none). */
  nsOf(o: KObject): string;
  /** Objects of a kind (`Deployment`, `networking.istio.io/VirtualService` for CRDs), in base order. */
  ofKind(kind: string): readonly Manifest[];
  /** Services in a namespace. */
  servicesIn(ns: string): readonly Manifest[];
  /** Every Service and workload selector in a namespace. */
  selectorsIn(ns: string): readonly BaseSelector[];
  /** The same, indexed for finding those that may select a label set. */
  selectorIndexIn(ns: string): SelectorIndex;
  /** Objects of a kind with this name, in any namespace, in base order. */
  named(kind: string, name: string): readonly Manifest[];
  /** Services in a namespace whose selector selects these labels, in base order. */
  servicesSelecting(ns: string, labels: Labels): Manifest[];
  /** The Service for an FQDN, if the base has it. */
  serviceByFqdn(fqdn: string): Manifest | undefined;
  /** `kind|namespace|name` of every base object, for name collisions. */
  has(kind: string, ns: string, name: string): boolean;
  /**
   * The pod labels base objects read, by key: the values some selector matches (Service and Istio
   * Gateway selectors, `matchLabels` anywhere — workloads, NetworkPolicies, Istio policies,
   * PodDisruptionBudgets, affinities —, `matchExpressions` In, ServiceEntry `workloadSelector.labels`),
   * or "any" when some selector reads the key whatever its value (Exists, NotIn, DoesNotExist).
   */
  readLabels(): ReadLabels;
  /** Resolves a host as Istio does in a namespace: a name without dots is `<name>.<ns>.svc.<domain>`. */
  resolveHost(host: string, ns: string): string;
}

/** Label key → the values base selectors match, or "any". */
export type ReadLabels = ReadonlyMap<string, ReadonlySet<string> | "any">;

/** Workload kinds whose pod templates kubefork understands, by the key used in `ofKind`. */
export const WORKLOAD_KINDS_INDEXED = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "argoproj.io/Rollout"] as const;

/**
 * Selectors besides Services and workloads that send traffic to pods by their labels: an Istio
 * ServiceEntry's `workloadSelector.labels` (its endpoints are the pods it selects) and an Istio
 * Gateway's `selector` (the gateway pods that serve it), by index key. Equality maps, empty selects none.
 */
const POD_SELECTORS: Record<string, (spec: Record<string, unknown>) => unknown> = {
  "networking.istio.io/ServiceEntry": (spec) => asRecord(spec.workloadSelector)?.labels,
  "networking.istio.io/Gateway": (spec) => spec.selector,
};

export function buildIndex(manifests: readonly Manifest[], opts: { defaultNamespace: string; clusterDomain: string }): BaseIndex {
  const nsOf = (o: KObject) => o.metadata.namespace ?? opts.defaultNamespace;
  const maps = indexObjects(manifests, nsOf, opts.clusterDomain);
  const selectorIndexIn = selectorIndexesOf(maps.selectorsByNs);
  const servicesSelecting = serviceSelectorsOf(maps.servicesByNs);
  let read: ReadLabels | undefined;
  return {
    manifests,
    defaultNamespace: opts.defaultNamespace,
    clusterDomain: opts.clusterDomain,
    nsOf,
    ofKind: (k) => maps.byKind.get(k) ?? [],
    servicesIn: (ns) => maps.servicesByNs.get(ns) ?? [],
    selectorsIn: (ns) => maps.selectorsByNs.get(ns) ?? [],
    selectorIndexIn,
    named: (kind, name) => maps.byName.get(`${kind}|${name}`) ?? [],
    servicesSelecting,
    serviceByFqdn: (f) => maps.serviceByFqdn.get(f),
    has: (kind, ns, name) => maps.names.has(`${kind}|${ns}|${name}`),
    readLabels: () => (read ??= labelsRead(manifests)),
    resolveHost: (host, ns) => (host.includes(".") || host === "*" ? host : serviceFqdn(host, ns, opts.clusterDomain)),
  };
}

/** The maps of one pass over the base. */
interface ObjectMaps {
  byKind: Map<string, Manifest[]>;
  byName: Map<string, Manifest[]>;
  names: Set<string>;
  servicesByNs: Map<string, Manifest[]>;
  selectorsByNs: Map<string, BaseSelector[]>;
  serviceByFqdn: Map<string, Manifest>;
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Every base object by kind, by name, by identity; Services by namespace and FQDN; selectors by namespace. */
function indexObjects(manifests: readonly Manifest[], nsOf: (o: KObject) => string, clusterDomain: string): ObjectMaps {
  const maps: ObjectMaps = { byKind: new Map(), byName: new Map(), names: new Set(), servicesByNs: new Map(), selectorsByNs: new Map(), serviceByFqdn: new Map() };
  for (const m of manifests) {
    const o = m.object;
    const key = kindKey(o);
    const ns = nsOf(o);
    push(maps.byKind, key, m);
    push(maps.byName, `${key}|${o.metadata.name}`, m);
    maps.names.add(`${key}|${ns}|${o.metadata.name}`);
    if (key === "Service") {
      push(maps.servicesByNs, ns, m);
      maps.serviceByFqdn.set(serviceFqdn(o.metadata.name, ns, clusterDomain), m);
    }
    const sel = baseSelectorOf(o, key, ns);
    if (sel) push(maps.selectorsByNs, ns, sel);
  }
  return maps;
}

/** The selector an object sends traffic or owns pods by: a Service's, a POD_SELECTORS kind's, a workload's. */
function baseSelectorOf(o: KObject, key: string, ns: string): BaseSelector | undefined {
  if (key === "Service") {
    const sel = asRecord(asRecord(o.spec)?.selector) as Labels | undefined;
    return sel && Object.keys(sel).length > 0 ? { owner: `Service ${ns}/${o.metadata.name}`, selector: { matchLabels: sel }, kind: "service" } : undefined;
  }
  if (POD_SELECTORS[key]) {
    const sel = asRecord(POD_SELECTORS[key](asRecord(o.spec) ?? {})) as Labels | undefined;
    return sel && Object.keys(sel).length > 0 ? { owner: `${o.kind} ${ns}/${o.metadata.name}`, selector: { matchLabels: sel }, kind: "service" } : undefined;
  }
  if ((WORKLOAD_KINDS_INDEXED as readonly string[]).includes(key)) {
    const sel = asRecord(asRecord(o.spec)?.selector) as LabelSelector | undefined;
    return sel ? { owner: `${o.kind} ${ns}/${o.metadata.name}`, selector: sel, kind: "workload" } : undefined;
  }
  return undefined;
}

/** A namespace's selectors indexed, built on first use. */
function selectorIndexesOf(selectorsByNs: ReadonlyMap<string, BaseSelector[]>): (ns: string) => SelectorIndex {
  const selectorIndexes = new Map<string, SelectorIndex>();
  return (ns) => {
    let i = selectorIndexes.get(ns);
    if (!i) selectorIndexes.set(ns, (i = new SelectorIndex(selectorsByNs.get(ns) ?? [])));
    return i;
  };
}

/** Services in a namespace whose selector selects a label set: the Service selectors indexed like the others; position = base order. */
function serviceSelectorsOf(servicesByNs: ReadonlyMap<string, Manifest[]>): (ns: string, labels: Labels) => Manifest[] {
  const serviceIndexes = new Map<string, { index: SelectorIndex; services: Map<BaseSelector, Manifest> }>();
  return (ns, labels) => {
    let si = serviceIndexes.get(ns);
    if (!si) {
      const services = new Map<BaseSelector, Manifest>();
      for (const m of servicesByNs.get(ns) ?? []) {
        const sel = asRecord(m.object.spec)?.selector;
        services.set({ owner: "", kind: "service", selector: { matchLabels: asRecord(sel) as Labels | undefined } }, m);
      }
      si = { index: new SelectorIndex([...services.keys()]), services };
      serviceIndexes.set(ns, si);
    }
    return si.index.candidates(labels).filter((s) => mapSelects(s.selector.matchLabels, labels)).map((s) => si.services.get(s)!);
  };
}

/** Pod template of a workload (Deployment, StatefulSet, ... or a Rollout's inline template). */
export function podTemplateOf(o: KObject): { metadata?: { labels?: Labels; annotations?: Record<string, string> }; spec?: Record<string, unknown> } | undefined {
  return asRecord(asRecord(o.spec)?.template) as ReturnType<typeof podTemplateOf>;
}

export function podLabelsOf(o: KObject): Labels {
  return { ...(podTemplateOf(o)?.metadata?.labels ?? {}) };
}

/** The labels base objects read (see BaseIndex.readLabels). */
function labelsRead(manifests: readonly Manifest[]): ReadLabels {
  const read = new Map<string, Set<string> | "any">();
  const add = (k: string, v: unknown) => {
    const cur = read.get(k);
    if (cur === "any") return;
    if (v === "any") return void read.set(k, "any");
    if (typeof v !== "string") return;
    if (cur) cur.add(v);
    else read.set(k, new Set([v]));
  };
  const addMap = (m: unknown) => Object.entries(asRecord(m) ?? {}).forEach(([k, v]) => add(k, v));
  const walk = (v: unknown, depth: number): void => {
    if (depth > 64 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    for (const [k, c] of Object.entries(v as Record<string, unknown>)) {
      if (k === "matchLabels") addMap(c);
      else if (k === "workloadSelector") addMap(asRecord(c)?.labels);
      else if (k === "matchExpressions" && Array.isArray(c))
        for (const e of c) {
          const r = asRecord(e);
          if (typeof r?.key !== "string") continue;
          if (r.operator === "In" && Array.isArray(r.values)) r.values.forEach((x) => add(r.key as string, x));
          else add(r.key, "any");
        }
      walk(c, depth + 1);
    }
  };
  for (const m of manifests) {
    const key = kindKey(m.object);
    const spec = asRecord(m.object.spec) ?? {};
    if (key === "Service") addMap(spec.selector);
    else if (POD_SELECTORS[key]) addMap(POD_SELECTORS[key](spec));
    walk(m.object.spec, 0);
  }
  return read;
}
