// The render cache's key: a sha256 over the content of every input of a render and the settings
// that change its output. Pure. Never paths of the checkout, mtimes or the revision: Argo CD gives
// every render a fresh copy of the repository, and two commits with the same inputs render alike.
import type { TextFile } from "./model/source.ts";
import type { Problem } from "./problems.ts";

export interface KeyMaterial {
  /** kubefork's version and the identity of its code (src/cli/render-cache.ts). */
  code: string;
  output: string;
  defaultNamespace: string;
  /** Environment that describes the cluster (KUBE_VERSION, KUBE_API_VERSIONS), by name. */
  env: Record<string, string | undefined>;
  manager: TextFile;
  /** In the order read: sorted by path. */
  forks: readonly TextFile[];
  /** Base files in their canonical order, or base.command's output as one file. */
  base: readonly TextFile[];
  /** Problems met while reading (an unreadable fork file is an input too). */
  readProblems: readonly Problem[];
}

export function cacheKey(m: KeyMaterial): string {
  const { createHash } = process.getBuiltinModule("node:crypto");
  const h = createHash("sha256");
  // Every field length-prefixed, so that no two different inputs give the same byte stream.
  const field = (tag: string, value: string) => {
    h.update(`${tag}:${Buffer.byteLength(value)}:`);
    h.update(value);
  };
  field("kubefork-render-cache", "1");
  field("code", m.code);
  field("output", m.output);
  field("namespace", m.defaultNamespace);
  for (const name of Object.keys(m.env).sort()) field(`env ${name}`, m.env[name] ?? "\u0000unset");
  const files = (tag: string, list: readonly TextFile[]) => {
    field(tag, String(list.length));
    for (const f of list) {
      field("path", f.path);
      field("text", f.text);
    }
  };
  files("manager", [m.manager]);
  files("forks", m.forks);
  files("base", m.base);
  field("read-problems", JSON.stringify(m.readProblems));
  return h.digest("hex");
}
