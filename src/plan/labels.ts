// The label keys that mark what kubefork made, and the rewriting that isolates fork pods.
import { labelSelectorMatches, mapSelects, selectorKeys, type LabelSelector, type Labels } from "../model/k8s.ts";

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "kubefork";
export const FORK_LABEL = "kubefork.dev/fork";
export const WORKLOAD_LABEL = "kubefork.dev/workload";
/** `svc.kubefork.dev/<service>: "true"` on fork pods: what a fork Service copy selects. */
export const SERVICE_LABEL_PREFIX = "svc.kubefork.dev/";
export const FORK_FILE_ANNOTATION = "kubefork.dev/fork-file";
export const OWNER_ANNOTATION = "kubefork.dev/owner";
export const EXPIRES_ANNOTATION = "kubefork.dev/expires";
export const COPIED_FROM_ANNOTATION = "kubefork.dev/copied-from";
export const FORKS_ANNOTATION = "kubefork.dev/forks";
export const CANONICAL_NAME = "service.istio.io/canonical-name";
export const CANONICAL_REVISION = "service.istio.io/canonical-revision";

/** A selector of the base that picks pods in a namespace: a Service's or a workload's. */
export interface BaseSelector {
  /** e.g. `Service bookshop/reviews` */
  owner: string;
  selector: LabelSelector;
  /** Service selectors are equality maps where empty selects nothing; workload selectors are LabelSelectors. */
  kind: "service" | "workload";
}

export function selects(s: BaseSelector, labels: Labels): boolean {
  return s.kind === "service" ? mapSelects(s.selector.matchLabels, labels) : labelSelectorMatches(s.selector, labels);
}

/**
 * Base selectors indexed by one label each must see (`key=value` of their first matchLabels
 * entry), so finding the selectors that may pick a label set reads a few buckets instead of every
 * selector of the namespace. `candidates` is a superset of the selectors that select the labels,
 * in base order; `selects` still decides.
 */
export class SelectorIndex {
  readonly all: readonly BaseSelector[];
  private readonly buckets = new Map<string, number[]>();
  /** Selectors without a matchLabels entry (matchExpressions only, or empty): always candidates. */
  private readonly always: number[] = [];

  constructor(selectors: readonly BaseSelector[]) {
    this.all = selectors;
    selectors.forEach((s, i) => {
      const ml = s.selector.matchLabels;
      const first = ml ? Object.keys(ml)[0] : undefined;
      if (first === undefined) {
        // An empty Service selector selects nothing; an empty workload selector everything.
        if (s.kind === "workload") this.always.push(i);
        return;
      }
      const key = bucketKey(first, ml![first]);
      const b = this.buckets.get(key);
      if (b) b.push(i);
      else this.buckets.set(key, [i]);
    });
  }

  candidates(labels: Labels): BaseSelector[] {
    const found: number[] = [...this.always];
    for (const k of Object.keys(labels)) {
      const b = this.buckets.get(bucketKey(k, labels[k]));
      if (b) for (const i of b) found.push(i);
    }
    return found.sort((a, b) => a - b).map((i) => this.all[i]!);
  }
}

function bucketKey(k: string, v: unknown): string {
  return `${k}\u0000${String(v)}`;
}

/**
 * Fork pod labels: the original pod labels without the keys that base selectors matching the
 * original pods read, plus the fork's own labels. Returns the base selectors that would still
 * select the result (only possible with NotIn/DoesNotExist-only selectors): those are errors.
 */
export function isolateLabels(
  podLabels: Labels,
  selectors: readonly BaseSelector[] | SelectorIndex,
  add: Labels,
): { labels: Labels; dropped: string[]; stillSelectedBy: string[] } {
  const among = (l: Labels) => (selectors instanceof SelectorIndex ? selectors.candidates(l) : selectors);
  const drop = new Set<string>();
  for (const s of among(podLabels)) {
    if (!selects(s, podLabels)) continue;
    for (const k of selectorKeys(s.selector)) if (k in podLabels) drop.add(k);
  }
  const labels: Labels = {};
  for (const [k, v] of Object.entries(podLabels)) if (!drop.has(k)) labels[k] = v;
  Object.assign(labels, add);
  const stillSelectedBy = among(labels).filter((s) => selects(s, labels)).map((s) => s.owner);
  return { labels, dropped: [...drop].sort(), stillSelectedBy };
}
