// What names a render cache entry (src/cli/render-cache.ts): the key, a sha256 over the content
// of every input of a render and the settings that change its output; the partition; the window
// of `now` it holds in. Pure, and light: a render served from the cache initialises this module,
// not the pipeline. Never paths of the checkout, mtimes or the revision: Argo CD gives every
// render a fresh copy of the repository, and two commits with the same inputs render alike.
import type { Problem } from "./problems.ts";
import type { Scope } from "./render.ts";

/** A partition of the output: the shared part, one fork's, or everything. */
export type PartitionName = "all" | "shared" | `fork-${string}`;

export function partitionName(scope: Scope): PartitionName {
  return scope.kind === "fork" ? `fork-${scope.id}` : scope.kind;
}

/** The instants between which a render stays what it is: from <= now < to (null: unbounded). */
export interface Window {
  from: number | null;
  to: number | null;
}

export function inWindow(w: Window, now: number): boolean {
  return (w.from === null || w.from <= now) && (w.to === null || now < w.to);
}

/** An input file as read: its path inside the app directory and its bytes (or its text). */
export interface KeyFile {
  path: string;
  bytes: Uint8Array | string;
}

export interface KeyMaterial {
  /** kubefork's version and the identity of its code (src/cli/render.ts). */
  code: string;
  output: string;
  defaultNamespace: string;
  /** Environment that describes the cluster (KUBE_VERSION, KUBE_API_VERSIONS), by name. */
  env: Record<string, string | undefined>;
  manager: KeyFile;
  /** In the order read: sorted by path. */
  forks: readonly KeyFile[];
  /** Base files in their canonical order, or base.command's output as one file. */
  base: readonly KeyFile[];
  /** Problems met while reading (an unreadable fork file is an input too). */
  readProblems: readonly Problem[];
}

type Hash = ReturnType<typeof import("node:crypto").createHash>;

/** Feeds length-prefixed fields, so that no two different inputs give the same byte stream. */
function fields(h: Hash) {
  return (tag: string, value: Uint8Array | string) => {
    h.update(`${tag}:${typeof value === "string" ? Buffer.byteLength(value) : value.length}:`);
    h.update(value);
  };
}

export function cacheKey(m: KeyMaterial): string {
  const h = process.getBuiltinModule("node:crypto").createHash("sha256");
  const field = fields(h);
  field("kubefork-render-cache", "2");
  field("code", m.code);
  field("output", m.output);
  field("namespace", m.defaultNamespace);
  for (const name of Object.keys(m.env).sort()) field(`env ${name}`, m.env[name] ?? "\u0000unset");
  const files = (tag: string, list: readonly KeyFile[]) => {
    field(tag, String(list.length));
    for (const f of list) {
      field("path", f.path);
      field("bytes", f.bytes);
    }
  };
  files("manager", [m.manager]);
  files("forks", m.forks);
  files("base", m.base);
  field("read-problems", JSON.stringify(m.readProblems));
  return h.digest("hex");
}

/**
 * The key of kubefork.yaml's read plan (what else to read: src/cli/app-dir.ts), a function of
 * the file's bytes and of the code alone.
 */
export function planKey(code: string, manager: KeyFile): string {
  const h = process.getBuiltinModule("node:crypto").createHash("sha256");
  const field = fields(h);
  field("kubefork-read-plan", "1");
  field("code", code);
  field("path", manager.path);
  field("bytes", manager.bytes);
  return h.digest("hex");
}
