// A fork's identifier and the path of its file, one fact each way: `forks/alice.yaml` is the file
// of fork `alice` (SPEC: the identifier matches the file name). Used by load/ (the identifier a
// fork file must declare), commit.ts (which forks get a partition of their own), render.ts and
// cli/ (the problems that belong to one fork: those of its file).

/**
 * The fork a file under the forks directory is, or would be: its base name without its extension.
 * `forks/alice.yaml` → `alice`, `forks/bob.yml` → `bob`; any extension, so that the problem of
 * `forks/eve.json` (not a fork file) belongs to fork `eve`, and `render --fork eve` reports it.
 */
export function forkIdFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.replace(/\.[^.]*$/, "");
}

/** The file of fork `id`: `<forksDir>/<id>.yaml`, whether forksDir is written `forks` or `forks/`. */
export function forkFilePath(forksDir: string, id: string): string {
  return `${forksDir.replace(/\/+$/, "")}/${id}.yaml`;
}
