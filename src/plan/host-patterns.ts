// Host patterns as Istio Gateway servers, VirtualServices, HTTPRoutes and Gateway listeners write
// them: `*.example.com`, `*`, or a name.

/** Does a host pattern (`*.example.com`, `*`, or a name) cover `host`? A wildcard never covers the bare domain. */
export function hostPatternCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === "*") return true;
  if (p.startsWith("*.")) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return p === h;
}

/** Istio-style specificity of a host pattern: exact names beat wildcards, longer beats shorter. */
export function hostSpecificity(pattern: string): [number, number] {
  return [pattern.startsWith("*") ? 0 : 1, pattern.length];
}
