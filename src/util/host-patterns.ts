// Host patterns, one function per API rule. Istio VirtualService / Gateway / DestinationRule hosts,
// Envoy virtual host domains, Gateway API hostnames and Emissary host globs each have their own
// rule; the name of each function says which one it implements, so that a caller picks the rule
// of the API whose object it reads, and the rule is written once.
//
// Read at the source:
// - Istio: istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pkg/config/host/name.go
//   (Name.SubsetOf; tests pkg/config/host/name_test.go TestNameSubsetOf), pkg/config/host/names.go
//   (MoreSpecific: "longest to shortest ... with wildcards last"), and where pilot uses them:
//   pilot/pkg/networking/core/route/route.go separateVSHostsAndServices (a sidecar VirtualService
//   host, lower-cased, selects the Services it matches), pilot/pkg/model/config.go
//   MostSpecificHostMatch (the DestinationRule for a host: plain suffix after the `*`).
//   An Istio wildcard is a plain suffix: `*.com` covers `a.b.com`, `*foo.com` covers `foo.com`
//   and `barfoo.com`; `*` covers everything.
// - Envoy (what a request meets once Istio wrote the config): RouteConfiguration VirtualHost
//   `domains`, "Wildcard hosts are supported in the form of `*.foo.com` or `*-bar.foo.com`. Note that
//   the wildcard will not match the empty string", and `*` matches any host.
// - Gateway API: kubernetes-sigs/gateway-api 4564255ac2c35d582249b3cdf261bdf51c8bca32
//   apis/v1/shared_types.go Hostname (a wildcard is only a whole first label `*.`, values are lower
//   case, no bare `*`) and apis/v1/httproute_types.go HTTPRoute spec.hostnames ("a match for
//   `*.example.com` would match both `test.example.com`, and `foo.test.example.com`, but not
//   `example.com`"; a request must match the listener's hostname and the route's); conformance
//   tests/httproute-hostname-intersection.{yaml,go}.
// - Emissary: emissary-ingress/emissary 3ebe0f4687ff6245c5a8e7c9db114a0bb1546d3b
//   python/ambassador/src/ambassador/ir/irutils.py hostglob_matches.
//
// Case: every function compares lower-cased text. Envoy compares the Host header without case,
// Istio lower-cases a VirtualService host before matching it to Services (route.go above), and
// Gateway API hostnames are lower case by validation. Istio's Name.SubsetOf itself is
// case-sensitive (name_test.go "mixed case"); that differs from us only for a mixed-case Istio
// Gateway server host, which Istio would then not bind.

/** `*`, or a pattern whose first character is `*` (Istio Name.IsWildCarded). */
function isWildcard(pattern: string): boolean {
  return pattern.startsWith("*");
}

/**
 * Istio `host.Name(host).SubsetOf(pattern)`: is every name `host` stands for also covered by
 * `pattern`? A wildcard `pattern` covers by plain suffix after its `*` (`*foo.com` covers
 * `foo.com`); a wildcard `host` is covered only by a wildcard at least as wide; two names by equality.
 * This is the rule pilot uses when it binds config to hosts: a mesh VirtualService host to the
 * Services it routes, a DestinationRule host to a Service, a VirtualService host to a Gateway server.
 */
export function istioHostSubsetOf(host: string, pattern: string): boolean {
  const n = host.toLowerCase();
  const o = pattern.toLowerCase();
  if (isWildcard(n)) return isWildcard(o) && n.length >= o.length && n.slice(1).endsWith(o.slice(1));
  if (isWildcard(o)) return n.endsWith(o.slice(1));
  return n === o;
}

/**
 * Envoy virtual host domain matching, what a request's Host meets at a proxy: `*` matches any host;
 * `*suffix` (`*.foo.com`, `*-bar.foo.com`) a host that ends in `suffix` with at least one character
 * before it (the wildcard never matches the empty string); anything else only itself.
 */
export function envoyDomainMatches(domain: string, host: string): boolean {
  const d = domain.toLowerCase();
  const h = host.toLowerCase();
  if (d === "*") return true;
  if (isWildcard(d)) return h.length > d.length - 1 && h.endsWith(d.slice(1));
  return d === h;
}

/**
 * Gateway API hostname matching (a Listener `hostname`, an HTTPRoute `spec.hostnames` entry) against
 * a request host: `*.example.com` matches a host with one or more labels before `.example.com`, never
 * `example.com` itself; a precise hostname only itself. `*` alone is not a valid Hostname; it is
 * read as matching every host, as an absent hostname does.
 */
export function gatewayHostnameMatches(hostname: string, host: string): boolean {
  const p = hostname.toLowerCase();
  const h = host.toLowerCase();
  if (p === "*") return true;
  if (p.startsWith("*.")) return h.length > p.length - 1 && h.endsWith(p.slice(1));
  return p === h;
}

/**
 * Emissary `hostglob_matches(glob, host)` for a host with no wildcard: a `*` may stand first or
 * last (`*.example.com`, `example.*`), never for an empty string; `*` alone matches everything.
 */
export function emissaryHostglobMatches(glob: string, host: string): boolean {
  const g = glob.toLowerCase();
  const h = host.toLowerCase();
  if (g === h || g === "*") return true;
  if (g.startsWith(".")) return false;
  const start = g.startsWith("*");
  const end = g.endsWith("*");
  if (start === end) return false; // no wildcard, or one at both ends (matches nothing else)
  if (g.length > h.length) return false;
  return start ? h.endsWith(g.slice(1)) : h.startsWith(g.slice(0, -1));
}

/**
 * The specificity of a host pattern, to pick among the patterns that cover one host: exact names
 * first, then the longer pattern (Envoy's domain search order; Istio host.MoreSpecific). Compare
 * the tuples element by element, larger first.
 */
export function hostPatternSpecificity(pattern: string): [number, number] {
  return [isWildcard(pattern) ? 0 : 1, pattern.length];
}
