// `kubefork new`: the Fork document for a few workloads, built from what the base says about them
// (namespace, containers). Pure: the CLI reads the app, supplies the clock and writes the file.
import { Document, isScalar, Scalar, visit } from "yaml";
import { FORK_API_VERSION } from "../model/fork.ts";
import { podTemplateOf, type BaseIndex } from "../plan/base-index.ts";
import type { Manifest } from "../model/inputs.ts";
import { closeMatches } from "../util/suggest.ts";
import { listHint, resolveByName } from "../plan/fork-resolution.ts";

export interface NewWorkloadArg {
  name: string;
  namespace?: string;
}

export interface NewForkInput {
  id: string;
  workloads: NewWorkloadArg[];
  /** Workload kind for every --workload (default Deployment). */
  kind?: string;
  /** `IMAGE` (one workload) or `WORKLOAD=IMAGE`. */
  images?: string[];
  /** `CONTAINER` (one workload) or `WORKLOAD=CONTAINER`. */
  containers?: string[];
  env?: { name: string; value: string }[];
  replicas?: number;
  /** RFC 3339. */
  expires?: string;
  owner?: string;
  /** `$schema` of the modeline: a URL or a path relative to the fork file. */
  schema?: string;
}

/** A refusal, worded for the command line. */
export interface NewForkError {
  message: string;
  hint?: string;
}

export interface NewForkResult {
  text?: string;
  errors: NewForkError[];
}

interface Entry {
  name: string;
  kind?: string;
  namespace: string;
  replicas?: number;
  image?: string;
  containers?: { name: string; image: string }[];
}

/** Splits `WORKLOAD=VALUE` (image references and container names never hold `=`). */
export function splitTargeted(arg: string): { target?: string; value: string } {
  const i = arg.indexOf("=");
  return i > 0 ? { target: arg.slice(0, i), value: arg.slice(i + 1) } : { value: arg };
}

/** Base workloads of a kind (`Deployment`, `StatefulSet`, or a CRD kind such as `Rollout`). */
function workloadsOfKind(index: BaseIndex, kind: string): readonly Manifest[] {
  const direct = index.ofKind(kind);
  if (direct.length) return direct;
  for (const m of index.manifests) if (m.object.kind === kind) return index.ofKind(`${m.object.apiVersion.split("/")[0]}/${kind}`);
  return [];
}

function containersOf(m: Manifest): { name: string; image?: string }[] {
  const cs = (podTemplateOf(m.object)?.spec?.containers ?? []) as { name?: unknown; image?: unknown }[];
  return cs.filter((c) => typeof c?.name === "string").map((c) => ({ name: c.name as string, ...(typeof c.image === "string" ? { image: c.image } : {}) }));
}

/** Repository part of an image reference (no tag, no digest). */
function repository(image: string): string {
  const noDigest = image.split("@")[0]!;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export function buildNewFork(index: BaseIndex, input: NewForkInput): NewForkResult {
  const kind = input.kind ?? "Deployment";
  const resolved = resolveWorkloads(index, input, kind);
  if (resolved.errors.length) return { errors: resolved.errors };
  const { entries, found } = resolved;
  const errors: NewForkError[] = [];
  const target = targetOf(entries, errors);
  const containerFor = chooseContainers(input, found, target, errors);
  if (errors.length) return { errors };
  setImages(input, found, containerFor, target, entries.length === 1, errors);
  if (errors.length) return { errors };
  const fork = { apiVersion: FORK_API_VERSION, kind: "Fork", metadata: { name: input.id }, spec: forkSpec(index, input, entries) };
  return { text: forkText(fork, input.schema), errors };
}

/** The fork entry of each --workload, with the base workload it names; or why one names none. */
function resolveWorkloads(index: BaseIndex, input: NewForkInput, kind: string): { entries: Entry[]; found: Map<string, Manifest>; errors: NewForkError[] } {
  const errors: NewForkError[] = [];
  const entries: Entry[] = [];
  const found = new Map<string, Manifest>();
  const all = workloadsOfKind(index, kind);
  for (const w of input.workloads) {
    const r = resolveByName(index, all, w.name, w.namespace);
    if ("found" in r) {
      const m = r.found;
      const ns = index.nsOf(m.object);
      if (entries.some((e) => e.name === w.name && e.namespace === ns)) {
        errors.push({ message: `--workload ${w.name} is given twice` });
        continue;
      }
      found.set(w.name, m);
      const e: Entry = { name: w.name, namespace: ns };
      if (kind !== "Deployment") e.kind = kind;
      if (input.replicas !== undefined) e.replicas = input.replicas;
      entries.push(e);
    } else if ("ambiguous" in r) {
      errors.push({ message: `${kind} '${w.name}' exists in several namespaces (${r.ambiguous.join(", ")}), none of them the render's namespace ${index.defaultNamespace}`, hint: `choose one with --namespace (or --workload <namespace>/${w.name})` });
    } else errors.push(missingWorkload(index, kind, w, r.missing));
  }
  return { entries, found, errors };
}

/** No such workload: where it is instead (another namespace, another kind, a close name), or what there is. */
function missingWorkload(index: BaseIndex, kind: string, w: NewWorkloadArg, missing: { elsewhere: string[]; close: string[]; names: string[] }): NewForkError {
  const { elsewhere, close, names } = missing;
  const where = w.namespace ? ` in namespace ${w.namespace}` : "";
  const otherKind = index.manifests.find((m) => m.object.metadata.name === w.name && m.object.kind !== kind && podTemplateOf(m.object))?.object.kind;
  return {
    message: `no ${kind} '${w.name}'${where} in the base`,
    hint: elsewhere.length
      ? `${kind} '${w.name}' is in ${elsewhere.length === 1 ? "namespace" : "namespaces"} ${elsewhere.join(", ")}: pass --workload ${elsewhere[0]}/${w.name}${elsewhere.includes(index.defaultNamespace) ? ` or leave the namespace out (the render's namespace is ${index.defaultNamespace})` : ""}`
      : otherKind
        ? `'${w.name}' is a ${otherKind}: pass --kind ${otherKind}`
        : close.length
          ? `did you mean ${close.map((c) => `'${c}'`).join(" or ")}?`
          : listHint(kind, names, `the base has no ${kind}${where}`),
  };
}

type Target = (flag: string, arg: string) => { entry?: Entry; value: string };

/** The entry a `--container`/`--image` argument is for: `WORKLOAD=VALUE`, or the one workload forked. */
function targetOf(entries: Entry[], errors: NewForkError[]): Target {
  const single = entries.length === 1 ? entries[0]!.name : undefined;
  return (flag, arg) => {
    const { target: t, value } = splitTargeted(arg);
    const name = t ?? single;
    if (name === undefined) {
      errors.push({ message: `${flag} ${arg}: several workloads are forked; say which one`, hint: `write ${flag} <workload>=${value} (workloads: ${entries.map((e) => e.name).join(", ")})` });
      return { value };
    }
    const entry = entries.find((e) => e.name === name);
    if (!entry) errors.push({ message: `${flag} ${arg}: '${name}' is not among the --workload names`, hint: `workloads: ${entries.map((e) => e.name).join(", ")}` });
    return entry ? { entry, value } : { value };
  };
}

/** --container, each naming a container of its workload. */
function chooseContainers(input: NewForkInput, found: ReadonlyMap<string, Manifest>, target: Target, errors: NewForkError[]): Map<Entry, string> {
  const containerFor = new Map<Entry, string>();
  for (const c of input.containers ?? []) {
    const { entry, value } = target("--container", c);
    if (!entry) continue;
    const names = containersOf(found.get(entry.name)!).map((x) => x.name);
    if (!names.includes(value)) {
      const close = closeMatches(value, names);
      errors.push({ message: `${entry.kind ?? "Deployment"} ${entry.namespace}/${entry.name} has no container '${value}'`, hint: close.length ? `did you mean ${close.map((x) => `'${x}'`).join(" or ")}?` : `its containers: ${names.join(", ")}` });
      continue;
    }
    containerFor.set(entry, value);
  }
  return containerFor;
}

/** --image on its entry: on the chosen container, on the only one, or refused when the workload has several. */
function setImages(input: NewForkInput, found: ReadonlyMap<string, Manifest>, containerFor: ReadonlyMap<Entry, string>, target: Target, single: boolean, errors: NewForkError[]): void {
  const imaged = new Set<Entry>();
  for (const img of input.images ?? []) {
    const { entry, value } = target("--image", img);
    if (!entry) continue;
    if (imaged.has(entry)) {
      errors.push({ message: `--image is given twice for ${entry.name}` });
      continue;
    }
    imaged.add(entry);
    const containers = containersOf(found.get(entry.name)!);
    const chosen = containerFor.get(entry);
    if (chosen !== undefined) entry.containers = [{ name: chosen, image: value }];
    else if (containers.length === 1) entry.image = value;
    else {
      const sameRepo = containers.filter((c) => c.image !== undefined && repository(c.image) === repository(value));
      const suggestion = sameRepo.length === 1 ? sameRepo[0]!.name : containers[0]?.name ?? "<name>";
      const flag = single ? `--container ${suggestion}` : `--container ${entry.name}=${suggestion}`;
      errors.push({
        message: `${entry.kind ?? "Deployment"} ${entry.namespace}/${entry.name} has ${containers.length} containers (${containers.map((c) => c.name).join(", ")}): --image needs --container`,
        hint: `pass ${flag}${sameRepo.length === 1 ? ` (its image is ${sameRepo[0]!.image})` : ""}`,
      });
    }
  }
  for (const [entry, c] of containerFor) if (!imaged.has(entry)) errors.push({ message: `--container ${c} is given without an --image for ${entry.name}`, hint: "--container picks the container whose image --image sets" });
}

/** The Fork's spec: expires, owner, env and the workload entries. */
function forkSpec(index: BaseIndex, input: NewForkInput, entries: readonly Entry[]): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (input.expires !== undefined) spec.expires = input.expires;
  if (input.owner !== undefined && input.owner !== "") spec.owner = input.owner;
  if (input.env?.length) spec.env = input.env.map((e) => ({ name: e.name, value: e.value }));
  spec.workloads = entries.map((e) => {
    const o: Record<string, unknown> = { name: e.name };
    if (e.kind) o.kind = e.kind;
    // Left out in the render's namespace, so the file renders the same for another destination.
    if (e.namespace !== index.defaultNamespace) o.namespace = e.namespace;
    if (e.replicas !== undefined) o.replicas = e.replicas;
    if (e.image !== undefined) o.image = e.image;
    if (e.containers) o.containers = e.containers;
    return o;
  });
  return spec;
}

/**
 * The file's text: the editor modeline first, then the Fork. Times and env values are quoted, so
 * that YAML 1.1 readers do not take them for timestamps or booleans (`on`, `yes`).
 */
export function forkText(fork: unknown, schema?: string): string {
  const doc = new Document(fork);
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if ((key === "expires" || key === "value") && isScalar(pair.value) && typeof pair.value.value === "string") pair.value.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const body = doc.toString({ indentSeq: true, lineWidth: 0 });
  return `${schema ? `# yaml-language-server: $schema=${schema}\n` : ""}${body}`;
}
