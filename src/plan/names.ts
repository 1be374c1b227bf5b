// Names of generated objects: `<name>-<id>`, cut to 63 characters with a stable hash suffix.

export const MAX_NAME = 63;

/** First 8 hex digits of the SHA-256 of `s`: stable across runs and machines. */
export function shortHash(s: string): string {
  // Loaded on first use: node:crypto costs start-up time that most renders never need.
  const { createHash } = process.getBuiltinModule("node:crypto");
  return createHash("sha256").update(s).digest("hex").slice(0, 8);
}

/**
 * `ratings-v1` + `alice` → `ratings-v1-alice`. When that is longer than `max`, it is cut and
 * ends in `-<hash of the full name>`, so two long names never collide and a name never changes.
 */
export function copyName(base: string, id: string, max = MAX_NAME): string {
  return fitName(`${base}-${id}`, max);
}

export function fitName(full: string, max = MAX_NAME): string {
  if (full.length <= max) return full;
  const hash = shortHash(full);
  const head = full.slice(0, max - hash.length - 1).replace(/[-.]+$/, "");
  return `${head}-${hash}`;
}

/** Istio/Kubernetes service FQDN. */
export function serviceFqdn(name: string, namespace: string, clusterDomain: string): string {
  return `${name}.${namespace}.svc.${clusterDomain}`;
}
