// Synthetic app directories for the benchmark (issue 7).
//
//   node bench/generate.mjs DIR --services N --forks F [--seed S]
//
// or, from another script: `generateApp(dir, { services, forks, seed })`.
//
// Layout written (formats as in /work/shared/SPEC.md):
//   kubefork.yaml                 ForkManager, routing: istio, default header
//   base/services-<k>.yaml        50 services per file, multi-document YAML; for every service i:
//                                   Deployment svc<i>-v1, Service svc<i>,
//                                   VirtualService svc<i> (mesh), DestinationRule svc<i>
//   forks/f<j>.yaml               F forks, each copying 1-3 distinct workloads (seeded PRNG)
//
// Everything is deterministic in (services, forks, seed): same parameters, same bytes.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const SERVICES_PER_FILE = 50;
export const NAMESPACES = ["shop", "payments", "catalog", "identity", "platform"];
export const EXPIRES = "2030-01-01T00:00:00Z"; // far after the bench's --now 2026-11-23T12:00:00Z
/** Bump when the generated content changes, so cached directories in bench/.work are rebuilt. */
export const GENERATOR_VERSION = 1;

/** mulberry32: small, fast, deterministic. Returns floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nsOf = (i) => NAMESPACES[i % NAMESPACES.length];
const fqdn = (i) => `svc${i}.${nsOf(i)}.svc.cluster.local`;
/** Hosts as people write them: mostly the FQDN, every third service the short name. */
const hostOf = (i) => (i % 3 === 0 ? `svc${i}` : fqdn(i));

function deployment(i, n) {
  const ns = nsOf(i);
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc${i}-v1
  namespace: ${ns}
  labels:
    app: svc${i}
    version: v1
    team: ${ns}
spec:
  replicas: ${2 + (i % 3)}
  selector:
    matchLabels:
      app: svc${i}
      version: v1
  template:
    metadata:
      labels:
        app: svc${i}
        version: v1
      annotations:
        sidecar.istio.io/inject: "true"
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: svc${i}
      containers:
        - name: svc${i}
          image: registry.example.com/bench/svc${i}:1.${i % 17}.${i % 7}
          ports:
            - {name: http, containerPort: 8080}
          env:
            - {name: LOG_LEVEL, value: info}
            - {name: UPSTREAM_URL, value: "http://${fqdn((i + 1) % n)}:8080"}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
          livenessProbe:
            httpGet: {path: /livez, port: http}
            initialDelaySeconds: 10
`;
}

function service(i) {
  return `apiVersion: v1
kind: Service
metadata:
  name: svc${i}
  namespace: ${nsOf(i)}
  labels:
    app: svc${i}
spec:
  selector:
    app: svc${i}
  ports:
    - name: http
      port: 8080
      targetPort: http
`;
}

function virtualService(i) {
  const host = hostOf(i);
  const canary = 5 + (i % 4) * 5; // 5..20 % to subset v2
  // Every fifth service has an extra path route with a rewrite, before the default route.
  const apiRoute =
    i % 5 === 0
      ? `    - match:
        - uri: {prefix: /api/v2/}
      rewrite: {uri: /v2/}
      route:
        - destination: {host: ${host}, subset: v1}
`
      : "";
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: svc${i}
  namespace: ${nsOf(i)}
spec:
  hosts:
    - ${host}
${i % 2 === 0 ? "  gateways:\n    - mesh\n" : ""}  http:
    - match:
        - headers:
            x-canary:
              exact: "true"
      route:
        - destination: {host: ${host}, subset: v2}
${apiRoute}    - route:
        - destination: {host: ${host}, subset: v1}
          weight: ${100 - canary}
        - destination: {host: ${host}, subset: v2}
          weight: ${canary}
      timeout: 5s
      retries:
        attempts: 3
        perTryTimeout: 2s
`;
}

function destinationRule(i) {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc${i}
  namespace: ${nsOf(i)}
spec:
  host: ${hostOf(i)}
  trafficPolicy:
    connectionPool:
      http: {http1MaxPendingRequests: 100}
    outlierDetection:
      consecutive5xxErrors: 5
  subsets:
    - name: v1
      labels: {version: v1}
    - name: v2
      labels: {version: v2}
`;
}

/** @returns {{text: string, workloads: number}} */
function forkFile(j, n, rand) {
  const count = 1 + Math.floor(rand() * 3); // 1..3 workloads
  const picked = new Set();
  while (picked.size < Math.min(count, n)) picked.add(Math.floor(rand() * n));
  const workloads = [...picked]
    .map((i, k) => {
      // Half of the entries name the namespace (optional: names are unambiguous).
      const ns = (i + j) % 2 === 0 ? `\n      namespace: ${nsOf(i)}` : "";
      const extraEnv =
        k === 0
          ? `\n      env:\n        - name: LOG_LEVEL\n          value: debug`
          : "";
      return `    - name: svc${i}-v1${ns}
      image: registry.example.com/bench/svc${i}:pr-${1000 + j}${extraEnv}`;
    })
    .join("\n");
  const text = `apiVersion: kubefork.dev/v1alpha1
kind: Fork
metadata:
  name: f${j}
spec:
  expires: "${EXPIRES}"
  owner: dev${j}@example.com
  env:
    - name: FEATURE_FLAGS
      value: "bench-${j}"
  workloads:
${workloads}
`;
  return { text, workloads: picked.size };
}

const MANAGER = `apiVersion: kubefork.dev/v1alpha1
kind: ForkManager
metadata:
  name: bench
spec:
  identifierEnv: FORK_IDENTIFIER
  routing: istio
`;

/**
 * Writes a synthetic app directory at `dir` (removed first).
 * @returns {{dir: string, services: number, forks: number, seed: number,
 *   baseFiles: number, baseDocs: number, baseBytes: number, forkBytes: number,
 *   forkedWorkloads: number, totalBytes: number}}
 */
export function generateApp(dir, { services, forks, seed = 1 }) {
  if (!Number.isInteger(services) || services < 1) throw new Error(`services must be ≥ 1, got ${services}`);
  if (!Number.isInteger(forks) || forks < 0) throw new Error(`forks must be ≥ 0, got ${forks}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "base"), { recursive: true });
  writeFileSync(join(dir, "kubefork.yaml"), MANAGER);

  let baseBytes = 0;
  let baseFiles = 0;
  for (let start = 0; start < services; start += SERVICES_PER_FILE) {
    const docs = [];
    for (let i = start; i < Math.min(start + SERVICES_PER_FILE, services); i++) {
      docs.push(deployment(i, services), service(i), virtualService(i), destinationRule(i));
    }
    const text = `# services ${start}..${start + docs.length / 4 - 1} (generated by bench/generate.mjs)\n---\n` + docs.join("---\n");
    const name = `services-${String(baseFiles).padStart(3, "0")}.yaml`;
    writeFileSync(join(dir, "base", name), text);
    baseBytes += Buffer.byteLength(text);
    baseFiles++;
  }

  let forkBytes = 0;
  let forkedWorkloads = 0;
  if (forks > 0) {
    mkdirSync(join(dir, "forks"));
    const rand = prng(seed);
    for (let j = 0; j < forks; j++) {
      const { text, workloads } = forkFile(j, services, rand);
      forkedWorkloads += workloads;
      writeFileSync(join(dir, "forks", `f${j}.yaml`), text);
      forkBytes += Buffer.byteLength(text);
    }
  }
  return {
    dir,
    services,
    forks,
    seed,
    baseFiles,
    baseDocs: services * 4,
    baseBytes,
    forkBytes,
    forkedWorkloads,
    totalBytes: baseBytes + forkBytes + Buffer.byteLength(MANAGER),
  };
}

function parseArgs(argv) {
  const opts = { services: 100, forks: 10, seed: 1, dir: undefined };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === "--services" || a === "-n") opts.services = Number(argv[++k]);
    else if (a === "--forks" || a === "-f") opts.forks = Number(argv[++k]);
    else if (a === "--seed") opts.seed = Number(argv[++k]);
    else if (a === "-h" || a === "--help") opts.help = true;
    else if (!a.startsWith("-") && opts.dir === undefined) opts.dir = a;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help || !opts.dir) {
    console.error("usage: node bench/generate.mjs DIR [--services N] [--forks F] [--seed S]");
    process.exit(opts.help ? 0 : 2);
  }
  const info = generateApp(opts.dir, opts);
  console.log(
    `${info.dir}: ${info.services} services (${info.baseDocs} documents in ${info.baseFiles} files, ` +
      `${(info.baseBytes / 1e6).toFixed(2)} MB), ${info.forks} forks of ${info.forkedWorkloads} workloads ` +
      `(${(info.forkBytes / 1e3).toFixed(1)} kB), total ${info.totalBytes} bytes`,
  );
}
