// Which base object a fork file's entry names: a workload (`spec.workloads[]`, `kubefork new
// --workload`) or a ConfigMap (`spec.configMaps[]`), by name and optional namespace.
//
// An entry without `namespace` resolves in the render's namespace (`-n`, ARGOCD_APP_NAMESPACE,
// kubefork.yaml's metadata.namespace: BaseIndex.defaultNamespace), where base objects that name
// no namespace live; so a fork file written for one Application renders the same for another
// destination. A base that names its namespaces still works without one: when the render's
// namespace has no object of that name, the single namespace that has one is taken, and several
// are ambiguous. The lookup is made here once; each caller words the outcome for its reader.
import type { Manifest } from "../model/inputs.ts";
import { closeMatches } from "../util/suggest.ts";
import type { BaseIndex } from "./base-index.ts";

export type Resolution =
  | { found: Manifest }
  /** Several namespaces hold the name, none of them the render's: the namespaces, sorted. */
  | { ambiguous: string[] }
  | {
      missing: {
        /** Namespaces (sorted) that hold an object of that name, when the entry named another namespace. */
        elsewhere: string[];
        /** Names close to the one written (never the name itself), in the namespace searched. */
        close: string[];
        /** Every name of that kind in the namespace searched (every namespace when none was given), base order. */
        names: string[];
      };
    };

/** Resolves `name` (in `namespace`, or as described above) among `candidates`: objects of one kind. */
export function resolveByName(index: BaseIndex, candidates: readonly Manifest[], name: string, namespace?: string): Resolution {
  const named = candidates.filter((m) => m.object.metadata.name === name);
  if (namespace !== undefined) {
    const here = named.filter((m) => index.nsOf(m.object) === namespace);
    if (here.length === 1) return { found: here[0]! };
    if (here.length > 1) return { ambiguous: [namespace] };
    const names = candidates.filter((m) => index.nsOf(m.object) === namespace).map((m) => m.object.metadata.name);
    return { missing: { elsewhere: namespacesOf(index, named), close: closeMatches(name, names), names } };
  }
  const inDefault = named.filter((m) => index.nsOf(m.object) === index.defaultNamespace);
  if (inDefault.length === 1) return { found: inDefault[0]! };
  if (named.length === 1) return { found: named[0]! };
  if (named.length > 1) return { ambiguous: namespacesOf(index, named) };
  const names = candidates.map((m) => m.object.metadata.name);
  return { missing: { elsewhere: [], close: closeMatches(name, names), names } };
}

function namespacesOf(index: BaseIndex, ms: readonly Manifest[]): string[] {
  return [...new Set(ms.map((m) => index.nsOf(m.object)))].sort();
}

/**
 * The hint for an entry whose namespace holds no object of that name while others do: the
 * namespaces where it is, and that leaving `namespace` out means the render's namespace.
 */
export function elsewhereHint(index: BaseIndex, kind: string, name: string, elsewhere: readonly string[]): string {
  const where = elsewhere.length === 1 ? `namespace ${elsewhere[0]}` : `namespaces ${elsewhere.join(", ")}`;
  const set = elsewhere.length === 1 ? `set namespace: ${elsewhere[0]}` : `set namespace to one of them`;
  const omit = elsewhere.includes(index.defaultNamespace) ? `, or leave namespace out (the render's namespace is ${index.defaultNamespace})` : "";
  return `${kind} '${name}' is in ${where}: ${set}${omit}`;
}

/** "the base has these Deployments: a, b, ..." for a kind with no close match. */
export function listHint(kind: string, names: readonly string[], none: string): string {
  const unique = [...new Set(names)];
  return unique.length ? `the base has these ${kind}s: ${unique.slice(0, 10).join(", ")}${unique.length > 10 ? ", ..." : ""}` : none;
}

// ---------------------------------------------------------------- ConfigMaps

/**
 * The suffix kustomize's configMapGenerator (and secretGenerator) appends: `<name>-<hash>`, the
 * hash being the first 10 hex digits of a sha256 of the object with 0, 1, 3, a, e replaced by g,
 * h, k, m, t (no vowels, no look-alike digits), so exactly 10 characters of
 * [2456789bcdfghkmt]. kubernetes-sigs/kustomize @12f9e6391464b3ad9dd3fe8182049dc1b1772990:
 * api/hasher/hasher.go `encode` (after kubectl's pkg/kubectl/util/hash) and
 * api/internal/builtins/HashTransformer.go (`fmt.Sprintf("%s-%s", res.GetName(), h)`, applied
 * after namePrefix/nameSuffix, so the name before the hash is the generator's name with them).
 */
const KUSTOMIZE_HASH = /^[2456789bcdfghkmt]{10}$/;

/** Whether `name` is `<base>-<hash>` as kustomize's HashTransformer names a generated object. */
export function isHashSuffixed(name: string, base: string): boolean {
  return name.length === base.length + 11 && name.startsWith(`${base}-`) && KUSTOMIZE_HASH.test(name.slice(base.length + 1));
}

export type ConfigMapResolution =
  | { found: Manifest }
  /** The name in several namespaces: the namespaces. */
  | { ambiguous: string[] }
  /** Several `<name>-<hash>` ConfigMaps where one was wanted: all of them. */
  | { generated: Manifest[] }
  | { missing: { close: string[]; names: string[] } };

/**
 * The base ConfigMap a `spec.configMaps[]` entry names: by its name, or, when none has it, the
 * one `<name>-<hash>` a kustomize configMapGenerator made of it (so a fork names the generator and
 * survives the next base edit). Without `namespace`, several namespaces narrow to those the fork
 * copies workloads in.
 */
export function resolveConfigMap(index: BaseIndex, name: string, namespace: string | undefined, forkNamespaces: ReadonlySet<string>): ConfigMapResolution {
  const all = index.ofKind("ConfigMap");
  const inScope = all.filter((m) => namespace === undefined || index.nsOf(m.object) === namespace);
  const narrow = (ms: Manifest[]) => (ms.length > 1 ? ms.filter((m) => forkNamespaces.has(index.nsOf(m.object))) : ms);
  let found = narrow(inScope.filter((m) => m.object.metadata.name === name));
  if (found.length === 0) {
    found = narrow(inScope.filter((m) => isHashSuffixed(m.object.metadata.name, name)));
    if (found.length > 1) return { generated: found };
  }
  if (found.length === 1) return { found: found[0]! };
  if (found.length > 1) return { ambiguous: namespacesOf(index, found) };
  const names = inScope.map((m) => m.object.metadata.name);
  return { missing: { close: closeMatches(name, names), names } };
}
