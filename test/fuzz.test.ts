// Property tests (fast-check): random base topologies and random fork files, valid and corrupted.
// Every render either succeeds and holds the SPEC invariants, or fails with typed problems (each
// naming its file, none internal) and prints nothing; it never throws.
//
// Fixed seed in CI: FUZZ_SEED (default below), FUZZ_RUNS (default 200). Longer, on demand:
//   FUZZ_RUNS=5000 npx vitest run test/fuzz.test.ts
//   FUZZ_SEED=$RANDOM FUZZ_RUNS=2000 npx vitest run test/fuzz.test.ts   (a failure prints its seed and path)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { dump } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/program.ts";
import type { Io } from "../src/cli/io.ts";
import { isError, type Problem } from "../src/problems.ts";
import { renderFiles } from "./helpers/inprocess.ts";
import { checkInvariants } from "./helpers/invariants.ts";
import { parseStream, type Obj } from "./helpers/stream.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const NOW = "2026-11-23T12:00:00Z";
const NS = "shop";

// ---------------------------------------------------------------- base topologies

interface Topology {
  objects: Obj[];
  deployments: string[];
}

const labelKey = fc.constantFrom("app", "version", "tier", "team", "app.kubernetes.io/name", "track");

/** N services, each with one or two Deployments; Services with various selectors; VirtualServices; DestinationRules. */
const topology: fc.Arbitrary<Topology> = fc
  .record({
    services: fc.array(
      fc.record({
        versions: fc.integer({ min: 1, max: 2 }),
        tier: fc.constantFrom("backend", "frontend", undefined),
        perVersionService: fc.boolean(),
        selectorStyle: fc.constantFrom("matchLabels", "matchExpressions"),
        extraLabel: fc.option(labelKey, { nil: undefined }),
        containers: fc.integer({ min: 1, max: 2 }),
        vs: fc.option(
          fc.array(
            fc.record({
              match: fc.option(
                fc.array(
                  fc.record({
                    header: fc.option(fc.record({ name: fc.constantFrom("x-user", "end-user", "x-fork-identifier"), op: fc.constantFrom("exact", "prefix", "regex"), value: fc.constantFrom("jason", "a", ".*") }), { nil: undefined }),
                    uri: fc.option(fc.constantFrom("/", "/api", "/v2"), { nil: undefined }),
                  }),
                  { minLength: 1, maxLength: 2 },
                ),
                { nil: undefined },
              ),
              weights: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
              rewrite: fc.boolean(),
              timeout: fc.option(fc.constantFrom("1s", "5s"), { nil: undefined }),
              retries: fc.boolean(),
            }),
            { minLength: 1, maxLength: 3 },
          ),
          { nil: undefined },
        ),
        dr: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    tierService: fc.boolean(),
    gatewayVs: fc.boolean(),
  })
  .map(({ services, tierService, gatewayVs }) => {
    const objects: Obj[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }];
    const deployments: string[] = [];
    services.forEach((s, i) => {
      const app = `s${i}`;
      for (let v = 1; v <= s.versions; v++) {
        const name = `${app}-v${v}`;
        deployments.push(name);
        const labels: Record<string, string> = { app, version: `v${v}` };
        if (s.tier) labels.tier = s.tier;
        if (s.extraLabel && !(s.extraLabel in labels)) labels[s.extraLabel] = "x";
        const selector =
          s.selectorStyle === "matchLabels"
            ? { matchLabels: { app, version: `v${v}` } }
            : { matchExpressions: [{ key: "app", operator: "In", values: [app] }, { key: "version", operator: "In", values: [`v${v}`] }] };
        objects.push({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name, namespace: NS, labels: { app } },
          spec: {
            replicas: 1,
            selector,
            template: {
              metadata: { labels },
              spec: {
                containers: Array.from({ length: s.containers }, (_, c) => ({
                  name: c === 0 ? app : `sidecar${c}`,
                  image: `registry.example.com/${app}:${v}`,
                  ports: [{ containerPort: 8080 }],
                })),
              },
            },
          },
        });
      }
      objects.push({ apiVersion: "v1", kind: "Service", metadata: { name: app, namespace: NS }, spec: { selector: { app }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } });
      if (s.perVersionService && s.versions > 1)
        objects.push({ apiVersion: "v1", kind: "Service", metadata: { name: `${app}-v2`, namespace: NS }, spec: { selector: { app, version: "v2" }, ports: [{ name: "http", port: 80 }] } });
      if (s.vs) {
        const http = s.vs.map((r, k) => {
          const route: Obj = {};
          route.name = `r${k}`;
          if (r.match)
            route.match = r.match.map((m) => {
              const out: Obj = {};
              if (m.header) out.headers = { [m.header.name]: { [m.header.op]: m.header.value } };
              if (m.uri) out.uri = { prefix: m.uri };
              return out;
            });
          route.route =
            r.weights !== undefined && s.versions > 1
              ? [
                  { destination: { host: app, subset: "v1" }, weight: r.weights },
                  { destination: { host: app, subset: "v2" }, weight: 100 - r.weights },
                ]
              : [{ destination: { host: app, port: { number: 80 } } }];
          if (r.rewrite) route.rewrite = { uri: "/" };
          if (r.timeout) route.timeout = r.timeout;
          if (r.retries) route.retries = { attempts: 2, perTryTimeout: "1s" };
          return route;
        });
        objects.push({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: app, namespace: NS }, spec: { hosts: [app], http } });
      }
      if (s.dr || (s.vs && s.versions > 1))
        objects.push({
          apiVersion: "networking.istio.io/v1",
          kind: "DestinationRule",
          metadata: { name: app, namespace: NS },
          spec: {
            host: app,
            trafficPolicy: { connectionPool: { http: { maxRequestsPerConnection: 10 } } },
            subsets: Array.from({ length: s.versions }, (_, v) => ({ name: `v${v + 1}`, labels: { version: `v${v + 1}` } })),
          },
        });
    });
    if (tierService) objects.push({ apiVersion: "v1", kind: "Service", metadata: { name: "backend", namespace: NS }, spec: { selector: { tier: "backend" }, ports: [{ name: "http", port: 80 }] } });
    if (gatewayVs)
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "edge", namespace: NS },
        spec: { hosts: ["shop.example.com"], gateways: ["shop-gateway"], http: [{ route: [{ destination: { host: "s0" } }] }] },
      });
    return { objects, deployments };
  });

// ---------------------------------------------------------------- fork files

const forkId = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);

function validFork(deployments: string[]): fc.Arbitrary<{ id: string; doc: Obj }> {
  return fc
    .record({
      id: forkId,
      expiresInHours: fc.integer({ min: -5, max: 100 }),
      owner: fc.option(fc.emailAddress(), { nil: undefined }),
      env: fc.option(fc.array(fc.record({ name: fc.stringMatching(/^[A-Z][A-Z_]{0,6}$/), value: fc.string({ maxLength: 8 }) }), { maxLength: 2 }), { nil: undefined }),
      workloads: fc.uniqueArray(fc.constantFrom(...deployments), { minLength: 1, maxLength: Math.min(3, deployments.length) }),
      replicas: fc.integer({ min: 0, max: 3 }),
      tag: fc.stringMatching(/^[a-z0-9]{1,6}$/),
      useImage: fc.boolean(),
      patch: fc.constantFrom(undefined, "annotation", "hostNetwork", "image"),
    })
    .map((f) => {
      const expires = new Date(Date.parse(NOW) + f.expiresInHours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      const workloads = f.workloads.map((name) => {
        const w: Obj = { name, replicas: f.replicas };
        const app = name.replace(/-v\d$/, "");
        if (f.useImage) w.containers = [{ name: app, image: `registry.example.com/${app}:${f.tag}` }];
        if (f.patch === "annotation") w.patches = [{ op: "add", path: "/spec/template/metadata/annotations", value: { debug: "true" } }];
        if (f.patch === "hostNetwork") w.patches = [{ op: "add", path: "/spec/template/spec/hostNetwork", value: true }];
        if (f.patch === "image") w.patches = [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "docker.io/evil/x:1" }];
        return w;
      });
      const spec: Obj = { expires, workloads };
      if (f.owner) spec.owner = f.owner;
      if (f.env) spec.env = f.env;
      return { id: f.id, doc: { apiVersion: "kubefork.dev/v1alpha1", kind: "Fork", metadata: { name: f.id }, spec } };
    });
}

type Corruption =
  | { kind: "none" }
  | { kind: "delete"; pick: number }
  | { kind: "wrongType"; pick: number; value: unknown }
  | { kind: "unknownField"; pick: number; key: string }
  | { kind: "truncate"; at: number }
  | { kind: "bytes"; text: string }
  | { kind: "rename"; id: string };

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: "none" as const }) },
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("wrongType" as const), pick: fc.nat(), value: fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 })) }),
  fc.record({ kind: fc.constant("unknownField" as const), pick: fc.nat(), key: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("bytes" as const), text: fc.string({ unit: "binary", maxLength: 200 }) }),
  fc.record({ kind: fc.constant("rename" as const), id: fc.string({ maxLength: 50 }) }),
);

/** Every [container, key] path inside a value: the places a corruption can hit. */
function slots(v: unknown, out: [Obj, string | number][] = []): [Obj, string | number][] {
  if (v && typeof v === "object") {
    const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
    for (const [k, c] of entries) {
      out.push([v as Obj, k]);
      slots(c, out);
    }
  }
  return out;
}

function forkText(doc: Obj, c: Corruption): string {
  const d = structuredClone(doc);
  const s = slots(d);
  const at = (n: number) => s[n % s.length]!;
  switch (c.kind) {
    case "delete": {
      const [o, k] = at(c.pick);
      if (Array.isArray(o)) o.splice(k as number, 1);
      else delete o[k];
      break;
    }
    case "wrongType": {
      const [o, k] = at(c.pick);
      o[k] = c.value;
      break;
    }
    case "unknownField": {
      const [o, k] = at(c.pick);
      const target = o[k] && typeof o[k] === "object" && !Array.isArray(o[k]) ? o[k] : d;
      target[c.key] = "x";
      break;
    }
    case "bytes":
      return c.text;
    case "rename":
      d.metadata.name = c.id;
      break;
  }
  const text = dump(d, { noRefs: true, lineWidth: -1 });
  return c.kind === "truncate" ? text.slice(0, c.at % (text.length + 1)) : text;
}

const manager = fc.record({
  images: fc.boolean(),
  maxReplicas: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  maxForks: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  baggage: fc.boolean(),
});

const scenario = topology.chain((t) =>
  fc.record({
    topology: fc.constant(t),
    manager,
    forks: fc.uniqueArray(fc.tuple(validFork(t.deployments), corruption), { maxLength: 4, selector: ([f]) => f.id }),
    splitBase: fc.boolean(),
  }),
);

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function filesOf(s: Scenario): Record<string, string> {
  const policy: Obj = {};
  if (s.manager.images) policy.images = ["registry.example.com/*"];
  if (s.manager.maxReplicas !== undefined) policy.maxReplicas = s.manager.maxReplicas;
  if (s.manager.maxForks !== undefined) policy.maxForks = s.manager.maxForks;
  const spec: Obj = { routing: "istio" };
  if (s.manager.baggage) spec.baggage = "kubefork";
  if (Object.keys(policy).length) spec.policy = policy;
  const files: Record<string, string> = { "kubefork.yaml": dump({ apiVersion: "kubefork.dev/v1alpha1", kind: "ForkManager", metadata: { name: "shop" }, spec }) };
  const objs = s.topology.objects;
  if (s.splitBase) objs.forEach((o, i) => (files[`base/${String(i).padStart(3, "0")}-${o.kind.toLowerCase()}.yaml`] = dump(o, { noRefs: true })));
  else files["base/all.yaml"] = objs.map((o) => dump(o, { noRefs: true })).join("---\n");
  for (const [f, c] of s.forks) files[`forks/${f.id}.yaml`] = forkText(f.doc, c);
  return files;
}

const stats = { ok: 0, failed: 0 };

/** The property: a render either holds the invariants or fails closed with typed problems. */
function check(s: Scenario): void {
  const files = filesOf(s);
  const r = renderFiles(files, { now: NOW });
  stats[r.ok ? "ok" : "failed"]++;
  const internal = r.problems.filter((p) => p.kind === "internal");
  expect(internal.map((p) => `${p.message}\n${p.stack}`)).toEqual([]);
  for (const p of r.problems) expectTyped(p);
  if (!r.ok) {
    expect(r.text).toBe("");
    expect(r.problems.some(isError)).toBe(true);
    return;
  }
  const out = parseStream(r.text);
  expect(checkInvariants(s.topology.objects, out)).toEqual([]);
  // Determinism: the order in which fork files are handed over does not matter.
  const again = renderFiles(files, { now: NOW, forkOrder: (p) => [...p].reverse() });
  expect(again.text).toBe(r.text);
  // With no live fork the output is the base itself, plus the status ConfigMap of each expired fork.
  const live = s.forks.filter(([f, c]) => c.kind === "none" && Date.parse(f.doc.spec.expires) > Date.parse(NOW));
  if (live.length === 0 && s.forks.every(([, c]) => c.kind === "none")) {
    const extra = out.slice(s.topology.objects.length).map((o) => `${o.kind}/${o.metadata.name} ${o.data?.state}`);
    const ids = s.forks.map(([f]) => f.doc.metadata.name as string).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(extra).toEqual(ids.map((id) => `ConfigMap/kubefork-${id}.status expired`));
    expect(out.slice(0, s.topology.objects.length)).toEqual(s.topology.objects);
  }
}

function expectTyped(p: Problem): void {
  expect(["invalid", "policy", "internal"]).toContain(p.kind);
  expect(typeof p.message).toBe("string");
  expect(p.message.length).toBeGreaterThan(0);
  if (isError(p) && p.message.indexOf("live forks exceed") < 0 && !/^no fork/.test(p.message)) expect(p.file, p.message).toBeTypeOf("string");
}

describe("fuzz: random topologies and fork files", () => {
  it(`render holds the invariants or fails closed (seed ${SEED}, ${RUNS} runs)`, () => {
    fc.assert(fc.property(scenario, check), { seed: SEED, numRuns: RUNS });
    // Both outcomes are exercised: the property is not vacuous on either side.
    expect(stats.ok).toBeGreaterThan(RUNS / 10);
    expect(stats.failed).toBeGreaterThan(RUNS / 10);
    if (process.env.FUZZ_STATS) console.log(stats);
  });

  it("uncorrupted forks of a random topology render (the generator is not vacuous)", () => {
    let rendered = 0;
    fc.assert(
      fc.property(topology.chain((t) => fc.tuple(fc.constant(t), validFork(t.deployments))), ([t, f]) => {
        const fork = { ...f.doc, spec: { ...f.doc.spec, expires: "2026-11-24T00:00:00Z", workloads: f.doc.spec.workloads.map((w: Obj) => ({ ...w, patches: undefined })) } };
        const files: Record<string, string> = {
          "kubefork.yaml": "apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: shop}\nspec: {}\n",
          "base/all.yaml": t.objects.map((o) => dump(o)).join("---\n"),
          [`forks/${f.id}.yaml`]: dump(JSON.parse(JSON.stringify(fork))),
        };
        const r = renderFiles(files, { now: NOW });
        expect(r.problems.filter(isError).map((p) => p.message)).toEqual([]);
        expect(checkInvariants(t.objects, parseStream(r.text))).toEqual([]);
        rendered++;
      }),
      { seed: SEED, numRuns: Math.max(20, Math.floor(RUNS / 4)) },
    );
    expect(rendered).toBeGreaterThan(0);
  });

  it("random bytes as a fork file, kubefork.yaml or a base file: typed problems, never a throw", () => {
    const base = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n";
    const mgr = "apiVersion: kubefork.dev/v1alpha1\nkind: ForkManager\nmetadata: {name: shop}\nspec: {}\n";
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.constantFrom("forks/x.yaml", "kubefork.yaml", "base/b.yaml", "base/b.json"), (text, where) => {
        const files: Record<string, string> = { "kubefork.yaml": mgr, "base/a.yaml": base, [where]: text };
        const r = renderFiles(files, { now: NOW });
        expect(r.problems.filter((p) => p.kind === "internal")).toEqual([]);
        if (!r.ok) {
          expect(r.text).toBe("");
          for (const p of r.problems.filter(isError)) expect(p.file, p.message).toBeTypeOf("string");
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- through run() with a captured Io

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function capture(cwd: string): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout(s: string) {
      io.out += s;
    },
    stderr(s: string) {
      io.err += s;
    },
    env: {},
    cwd,
    isTTY: false,
    now: () => Date.parse(NOW),
  };
  return io;
}

describe("fuzz through run()", () => {
  it("exit 0 with the invariants, or a non-zero exit with an empty stdout", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const dir = mkdtempSync(join(tmpdir(), "kubefork-fuzz-"));
        dirs.push(dir);
        for (const [p, text] of Object.entries(filesOf(s))) {
          mkdirSync(dirname(join(dir, p)), { recursive: true });
          writeFileSync(join(dir, p), text);
        }
        const io = capture(dir);
        const code = await run(["render", dir, "--now", NOW], io);
        expect([0, 1, 2]).toContain(code);
        if (code === 0) expect(checkInvariants(s.topology.objects, parseStream(io.out))).toEqual([]);
        else {
          expect(io.out).toBe("");
          expect(io.err).toMatch(/(error|policy violation):/);
          if (code === 2) expect(io.err).toMatch(/\(policy\.[a-zA-Z]+\)/);
        }
      }),
      { seed: SEED, numRuns: Math.max(10, Math.floor(RUNS / 10)) },
    );
  });
});
