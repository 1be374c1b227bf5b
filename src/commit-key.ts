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

/** What a render's key covers besides its input files. */
export interface KeyHead {
  /** kubefork's version and the identity of its code (src/cli/render.ts). */
  code: string;
  output: string;
  defaultNamespace: string;
  /** Environment that describes the cluster (KUBE_VERSION, KUBE_API_VERSIONS), by name. */
  env: Record<string, string | undefined>;
}

export interface KeyMaterial extends KeyHead {
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

export type InputKind = "manager" | "fork" | "base";

/**
 * A render's key, fed file by file as the inputs are read (kubefork.yaml, then the fork files,
 * then the base, each in the order read), then the problems met reading them. Every field is
 * tagged and length-prefixed: the stream names each input once, unambiguously.
 */
export class KeyHasher {
  readonly #hash: Hash;
  readonly #field: (tag: string, value: Uint8Array | string) => void;

  constructor(head: KeyHead) {
    this.#hash = process.getBuiltinModule("node:crypto").createHash("sha256");
    this.#field = fields(this.#hash);
    this.#field("kubefork-render-cache", "3");
    this.#field("code", head.code);
    this.#field("output", head.output);
    this.#field("namespace", head.defaultNamespace);
    for (const name of Object.keys(head.env).sort()) this.#field(`env ${name}`, head.env[name] ?? "\u0000unset");
  }

  file(kind: InputKind, path: string, bytes: Uint8Array | string): void {
    this.#field(`${kind} path`, path);
    this.#field(`${kind} bytes`, bytes);
  }

  digest(readProblems: readonly Problem[]): string {
    this.#field("read-problems", JSON.stringify(readProblems));
    return this.#hash.digest("hex");
  }
}

export function cacheKey(m: KeyMaterial): string {
  const k = new KeyHasher(m);
  k.file("manager", m.manager.path, m.manager.bytes);
  for (const f of m.forks) k.file("fork", f.path, f.bytes);
  for (const f of m.base) k.file("base", f.path, f.bytes);
  return k.digest(m.readProblems);
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
