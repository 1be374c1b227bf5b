// Which paths of the app directory are which input. Light (no parser, no schema): a render served
// from the cache (src/cli/render.ts) lists and reads its inputs with these alone.
import { globToRegExp } from "./glob.ts";

export const MANAGER_FILE = "kubefork.yaml";

/** What of kubefork.yaml says which files are base manifests: a ForkManager spec will do. */
export interface BaseSelection {
  forksDir: string;
  base?: { paths?: readonly string[] };
}

/**
 * Which files are base manifests: `base.paths` globs when set; otherwise every *.yaml, *.yml and
 * *.json under the directory except the forks directory, kubefork.yaml and dot-directories.
 */
export function baseFileFilter(manager: { spec: BaseSelection }): (path: string) => boolean {
  const forksDir = manager.spec.forksDir.replace(/\/+$/, "");
  const notOurs = (p: string) => p !== MANAGER_FILE && !p.startsWith(`${forksDir}/`) && !p.split("/").some((s) => s.startsWith("."));
  const paths = manager.spec.base?.paths;
  if (paths) {
    const res = paths.map(globToRegExp);
    return (p) => notOurs(p) && res.some((re) => re.test(p));
  }
  return (p) => notOurs(p) && /\.(ya?ml|json)$/.test(p);
}

export function isForkFile(path: string): boolean {
  return /\.ya?ml$/.test(path);
}
