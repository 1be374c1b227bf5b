// Input limits: what kubefork reads at most, so hostile or broken input fails fast, small in
// memory and with a clear error instead of exhausting the repo-server. One table, documented in
// the README ("Limits").

const MiB = 1024 * 1024;

export const LIMITS = {
  /** kubefork.yaml: a ForkManager is a few hundred bytes. */
  managerFileBytes: 1 * MiB,
  /** One fork file: a Fork is a few hundred bytes; patches may carry a pod spec. */
  forkFileBytes: 1 * MiB,
  /** One base file. */
  baseFileBytes: 32 * MiB,
  /** All base files together, or base.command's stdout. */
  baseTotalBytes: 128 * MiB,
  /** Fork files in forksDir (maxForks in the policy is usually far lower). */
  forkFiles: 1000,
  /** Files walked in the app directory. */
  files: 20_000,
  /** Directory nesting walked below the app directory. */
  dirDepth: 32,
  /** YAML documents in one file. */
  documentsPerFile: 10_000,
  /** Base objects in all (kind: List items count one each). */
  baseObjects: 50_000,
  /** Alias nodes (`*ref`) per YAML document (js-yaml `maxAliases`, yaml `maxAliasCount`). */
  aliases: 100,
  /** Values a document may expand to through aliases: refuses billion-laughs documents. */
  expandedNodes: 1_000_000,
  /** Nesting of collections in a document. */
  depth: 64,
  /**
   * Fork identifier length. The identifier is a DNS-1123 label and appears unshortened in the
   * ingress host `<id>.<domain>` (label ≤ 63), in label values such as
   * `service.istio.io/canonical-revision: fork-<id>` (≤ 63) and in `kubefork-<id>.status`;
   * `<name>-<id>` names are hash-shortened to 63. 40 leaves room for prefixes and keeps
   * `<name>-<id>` readable before the hash cut.
   */
  identifierLength: 40,
} as const;
