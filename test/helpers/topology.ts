// fast-check arbitraries: random base topologies (services with several versions, Services over
// them, mesh VirtualServices with header/uri matches and weighted subsets, DestinationRules) and
// random valid forks of their workloads. The files come out as an app directory's map path → text.
import fc from "fast-check";
import { dump } from "js-yaml";

export interface Topology {
  namespaces: string[];
  services: ServiceSpec[];
}

export interface ServiceSpec {
  name: string;
  namespace: string;
  versions: number;
  containers: number;
  hasService: boolean;
  /** Service selects by app only (all versions), or by app+version of v1 only. */
  selectByVersion: boolean;
  vs: null | { shortHost: boolean; routes: RouteSpec[] };
  dr: boolean;
}

export interface RouteSpec {
  match: null | "header" | "uri" | "both";
  weighted: boolean;
}

const route: fc.Arbitrary<RouteSpec> = fc.record({
  match: fc.constantFrom(null, "header" as const, "uri" as const, "both" as const),
  weighted: fc.boolean(),
});

export const topology: fc.Arbitrary<Topology> = fc
  .record({
    namespaces: fc.uniqueArray(fc.constantFrom("shop", "pay", "users"), { minLength: 1, maxLength: 2 }),
    count: fc.integer({ min: 1, max: 5 }),
  })
  .chain(({ namespaces, count }) =>
    fc
      .array(
        fc.record({
          namespace: fc.constantFrom(...namespaces),
          versions: fc.integer({ min: 1, max: 3 }),
          containers: fc.integer({ min: 1, max: 2 }),
          hasService: fc.boolean(),
          selectByVersion: fc.boolean(),
          vs: fc.option(fc.record({ shortHost: fc.boolean(), routes: fc.array(route, { minLength: 1, maxLength: 3 }) }), { nil: null }),
          dr: fc.boolean(),
        }),
        { minLength: count, maxLength: count },
      )
      .map((svcs) => ({ namespaces, services: svcs.map((s, i) => ({ ...s, name: `svc${i}`, hasService: s.hasService || s.vs !== null })) })),
  );

export interface ForkSpec {
  id: string;
  workloads: { service: number; version: number; replicas: number; image: boolean }[];
}

/** Forks of a topology's workloads: unique ids, unique workloads per fork. */
export function forksOf(t: Topology): fc.Arbitrary<ForkSpec[]> {
  const all = t.services.flatMap((s, i) => Array.from({ length: s.versions }, (_, v) => ({ service: i, version: v + 1 })));
  return fc.uniqueArray(
    fc.record({
      id: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
      workloads: fc.uniqueArray(
        fc.record({ w: fc.constantFrom(...all), replicas: fc.integer({ min: 0, max: 3 }), image: fc.boolean() }).map((x) => ({ ...x.w, replicas: x.replicas, image: x.image })),
        { minLength: 1, maxLength: 3, selector: (x) => `${x.service}|${x.version}` },
      ),
    }),
    { minLength: 0, maxLength: 4, selector: (f) => f.id },
  );
}

const y = (o: unknown) => dump(o, { noRefs: true, lineWidth: -1 });

export function appFiles(t: Topology, forks: readonly ForkSpec[], opts: { baggage?: boolean } = {}): Record<string, string> {
  const files: Record<string, string> = {};
  files["kubefork.yaml"] = y({
    apiVersion: "kubefork.dev/v1alpha1",
    kind: "ForkManager",
    metadata: { name: "prop" },
    spec: opts.baggage ? { baggage: "kubefork" } : {},
  });
  t.services.forEach((s) => {
    const docs: unknown[] = [];
    for (let v = 1; v <= s.versions; v++) {
      docs.push({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: `${s.name}-v${v}`, namespace: s.namespace, labels: { app: s.name, version: `v${v}` } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: s.name, version: `v${v}` } },
          template: {
            metadata: { labels: { app: s.name, version: `v${v}`, tier: "backend" } },
            spec: {
              containers: Array.from({ length: s.containers }, (_, c) => ({
                name: c === 0 ? "app" : `side${c}`,
                image: `registry.example.com/${s.name}:${v}.${c}`,
                env: [{ name: "PORT", value: "8080" }],
              })),
            },
          },
        },
      });
    }
    if (s.hasService)
      docs.push({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: s.name, namespace: s.namespace },
        spec: { selector: s.selectByVersion ? { app: s.name, version: "v1" } : { app: s.name }, ports: [{ name: "http", port: 8080 }] },
      });
    if (s.dr)
      docs.push({
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: s.name, namespace: s.namespace },
        spec: {
          host: s.name,
          trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
          subsets: Array.from({ length: s.versions }, (_, v) => ({ name: `v${v + 1}`, labels: { version: `v${v + 1}` } })),
        },
      });
    if (s.vs) {
      const host = s.vs.shortHost ? s.name : `${s.name}.${s.namespace}.svc.cluster.local`;
      docs.push({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: s.name, namespace: s.namespace },
        spec: {
          hosts: [host],
          http: s.vs.routes.map((r, i) => ({
            name: `r${i}`,
            ...(r.match === null
              ? {}
              : {
                  match: [
                    {
                      ...(r.match !== "uri" ? { headers: { "end-user": { exact: `user${i}` } } } : {}),
                      ...(r.match !== "header" ? { uri: { prefix: `/p${i}` } } : {}),
                    },
                  ],
                }),
            route:
              r.weighted && s.versions > 1
                ? [
                    { destination: { host, subset: "v1" }, weight: 70 },
                    { destination: { host, subset: `v${s.versions}` }, weight: 30 },
                  ]
                : [{ destination: { host, ...(s.dr ? { subset: "v1" } : {}) } }],
            timeout: "3s",
          })),
        },
      });
    }
    files[`base/${s.name}.yaml`] = docs.map(y).join("---\n");
  });
  for (const f of forks) {
    files[`forks/${f.id}.yaml`] = y({
      apiVersion: "kubefork.dev/v1alpha1",
      kind: "Fork",
      metadata: { name: f.id },
      spec: {
        workloads: f.workloads.map((w) => {
          const s = t.services[w.service]!;
          const entry: Record<string, unknown> = { name: `${s.name}-v${w.version}`, namespace: s.namespace, replicas: w.replicas };
          if (w.image) {
            if (s.containers === 1) entry.image = `registry.example.com/${s.name}:fork-${f.id}`;
            else entry.containers = [{ name: "app", image: `registry.example.com/${s.name}:fork-${f.id}` }];
          }
          return entry;
        }),
      },
    });
  }
  return files;
}

export function withoutForks(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter(([p]) => !p.startsWith("forks/")));
}
