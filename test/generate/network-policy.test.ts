// NetworkPolicy reachability (SPEC invariant 6): named cases on small apps, and the reachability
// of the fixtures/network-policy renders evaluated with a NetworkPolicy evaluator (test/helpers/netpol.ts).
import { describe, expect, it } from "vitest";
import { generateNetworkPolicies, namespaceSelects, peerAdmits, policyTypes } from "../../src/generate/network-policy.ts";
import type { KObject } from "../../src/model/k8s.ts";
import { buildIndex } from "../../src/plan/base-index.ts";
import { appFiles, fork, forkPods, generated, renderApp, renderFiles, svc, workload } from "../helpers/inprocess.ts";
import { canConnect, namespacesOf, podsOf, type Cluster, type Pod } from "../helpers/netpol.ts";
import { checkReachability } from "../helpers/reachability.ts";
import { validateObjects } from "../helpers/schemas.ts";
import type { Obj } from "../helpers/stream.ts";

// ------------------------------------------------------------------ small apps

function deployment(name: string, labels: Record<string, string>, opts: { ns?: string; port?: number } = {}): string {
  const pod = `{containers: [{name: app, image: x, ports: [{name: http, containerPort: ${opts.port ?? 8080}}]}]}`;
  return workload(name, pod, { ns: opts.ns, labels, selector: { app: labels.app! } });
}

const service = (name: string) => svc(name, "[{name: http, port: 8080}]");

/** A NetworkPolicy: `spec` is the lines under spec. */
const netpol = (name: string, spec: string, ns = "shop") => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}`;

/** The selector of a fork's copy of a workload: alice's, by default. */
const copyOf = (workload: string, fork = "alice") => ({ matchLabels: forkPods(fork, workload) });

/** Each app: a server, two clients, an outsider; a Service per app, so fork pods drop `app`. */
function app(policies: string | string[], extra: Record<string, string> = {}): Record<string, string> {
  return {
    "server.yaml": [service("server"), deployment("server", { app: "server", tier: "backend" })].join("---\n"),
    "client.yaml": [service("client"), deployment("client", { app: "client" })].join("---\n"),
    "worker.yaml": [service("worker"), deployment("worker", { app: "worker" })].join("---\n"),
    "outsider.yaml": [service("outsider"), deployment("outsider", { app: "outsider" })].join("---\n"),
    "policies.yaml": typeof policies === "string" ? policies : policies.join("---\n"),
    ...extra,
  };
}

const SERVER_ADMITS_CLIENT = netpol("server", `  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: client}}}]
      ports: [{port: 8080}]
`);

const DEFAULT_DENY = netpol("default-deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");

interface Case {
  name: string;
  base: Record<string, string>;
  forks: Record<string, string>;
  /** metadata.name of every NetworkPolicy kubefork makes, sorted. */
  policies: string[];
  /** Specs of some of them. */
  specs?: Record<string, unknown>;
  /** [from, to, allowed]: pod names are `<ns>/<workload>`; ns defaults to shop. */
  reach?: [string, string, boolean][];
  warnings?: string[];
  /** Holes the evaluator finds (none, but where a warning says NetworkPolicies cannot close one). */
  holes?: string[];
  extraPods?: Pod[];
}

const CASES: Case[] = [
  {
    name: "forked client of a policy-protected server: the server's policy admits the client's fork pods through a counterpart",
    base: app(SERVER_ADMITS_CLIENT),
    forks: { alice: fork("alice", ["client"]) },
    policies: ["server-alice-peers"],
    specs: {
      "server-alice-peers": {
        podSelector: { matchLabels: { app: "server" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: copyOf("client") }], ports: [{ port: 8080 }] }],
      },
    },
    reach: [
      ["client", "server", true],
      ["client-alice", "server", true],
      ["worker", "server", false],
      ["outsider", "server", false],
    ],
  },
  {
    name: "forked server: its fork pods get the counterpart policy with the same rules",
    base: app(SERVER_ADMITS_CLIENT),
    forks: { alice: fork("alice", ["server"]) },
    policies: ["server-alice"],
    specs: {
      "server-alice": {
        podSelector: copyOf("server"),
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "client" } } }], ports: [{ port: 8080 }] }],
      },
    },
    reach: [
      ["client", "server-alice", true],
      // the fork must not open a hole: without the counterpart, the fork pods would be open to all
      ["worker", "server-alice", false],
      ["outsider", "server-alice", false],
    ],
  },
  {
    name: "forked client and server in one fork: the server's counterpart admits the client's fork pods",
    base: app(SERVER_ADMITS_CLIENT),
    forks: { alice: fork("alice", ["client", "server"]), bob: fork("bob", ["client"]) },
    policies: ["server-alice", "server-alice-peers", "server-bob-peers"],
    reach: [
      ["client-alice", "server-alice", true],
      ["client-alice", "server", true],
      ["client", "server-alice", true],
      // another fork's client reaches the base server, not alice's server (it is not its fork)
      ["client-bob", "server", true],
      ["client-bob", "server-alice", false],
    ],
  },
  {
    name: "default-deny namespace: podSelector {} selects fork pods too, no counterpart; the fork is as closed as the base",
    base: app(DEFAULT_DENY),
    forks: { alice: fork("alice", ["server", "client"]) },
    policies: [],
    reach: [
      ["client", "server", false],
      ["client-alice", "server-alice", false],
      ["client-alice", "server", false],
    ],
  },
  {
    name: "default-deny plus allow-lists: the fork gets exactly the allow-lists",
    base: app([
      DEFAULT_DENY,
      netpol("client-egress", "  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]\n  egress: [{to: [{podSelector: {matchLabels: {app: server}}}], ports: [{port: 8080}]}]\n"),
      SERVER_ADMITS_CLIENT,
    ]),
    forks: { alice: fork("alice", ["server", "client"]) },
    policies: ["client-egress-alice", "client-egress-alice-peers", "server-alice", "server-alice-peers"],
    reach: [
      ["client", "server", true],
      ["client-alice", "server-alice", true],
      ["client-alice", "server", true],
      ["client", "server-alice", true],
      ["worker", "server-alice", false],
      ["client-alice", "worker", false],
    ],
  },
  {
    name: "namespaceSelector peer: the counterpart keeps it, narrowed to the workload's namespace by kubernetes.io/metadata.name",
    base: {
      ...app(""),
      "namespaces.yaml": `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops, labels: {team: ops}}
`,
      "scraper.yaml": deployment("scraper", { app: "scraper" }, { ns: "ops", port: 9090 }),
      "policies.yaml": netpol("scraper", `  podSelector: {matchLabels: {app: scraper}}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: server}}}]
      ports: [{port: 8080}]
`, "ops"),
    },
    forks: { alice: fork("alice", ["server"]) },
    policies: ["scraper-alice-peers"],
    specs: {
      "scraper-alice-peers": {
        podSelector: { matchLabels: { app: "scraper" } },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { team: "shop", "kubernetes.io/metadata.name": "shop" } },
                podSelector: copyOf("server"),
              },
            ],
            ports: [{ port: 8080 }],
          },
        ],
      },
    },
    reach: [
      ["ops/scraper", "server", true],
      ["ops/scraper", "server-alice", true],
      ["ops/scraper", "client", false],
    ],
  },
  {
    name: "namespaceSelector peer of a namespace the base does not define: the counterpart is made, the cluster decides",
    base: {
      ...app(""),
      "scraper.yaml": deployment("scraper", { app: "scraper" }, { ns: "ops", port: 9090 }),
      "policies.yaml": netpol("server", `  podSelector: {matchLabels: {app: server}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {team: ops}}, podSelector: {matchLabels: {app: scraper}}}]
`),
    },
    forks: { alice: fork("alice", ["server"]) },
    policies: ["server-alice"],
    specs: {
      "server-alice": {
        podSelector: copyOf("server"),
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "ops" } }, podSelector: { matchLabels: { app: "scraper" } } }] }],
      },
    },
  },
  {
    name: "matchExpressions: In selects the originals (counterparts made); NotIn on a dropped label warns",
    base: app([
      netpol("server", "  podSelector: {matchExpressions: [{key: app, operator: In, values: [server]}]}\n  ingress:\n    - from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [client, worker]}]}}]\n"),
      netpol("not-outsider", "  podSelector: {matchLabels: {app: worker}}\n  ingress:\n    - from: [{podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [outsider, client]}]}}]\n"),
    ]),
    forks: { alice: fork("alice", ["server", "client", "outsider"]) },
    policies: ["server-alice", "server-alice-peers"],
    specs: {
      "server-alice": {
        podSelector: copyOf("server"),
        ingress: [
          {
            from: [
              { podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["client", "worker"] }] } },
              { podSelector: copyOf("client") },
            ],
          },
        ],
      },
    },
    warnings: [
      "fork 'alice': NetworkPolicy shop/not-outsider: ingress[0].from[0] admits the fork pods of Deployment shop/client but not the original pods",
      "fork 'alice': NetworkPolicy shop/not-outsider: ingress[0].from[0] admits the fork pods of Deployment shop/outsider but not the original pods",
    ],
    // NotIn/DoesNotExist peers on a label fork pods drop admit the fork pods; NetworkPolicies only
    // allow, so kubefork cannot take that back: it warns (above), and the evaluator sees the hole.
    holes: [
      "new hole: shop/client-alice → shop/worker:8080/TCP is allowed, but shop/client → shop/worker is not in the base",
      "new hole: shop/outsider-alice → shop/worker:8080/TCP is allowed, but shop/outsider → shop/worker is not in the base",
    ],
    reach: [
      ["client-alice", "server-alice", true],
      ["worker", "server-alice", true],
      ["outsider-alice", "server-alice", false],
    ],
  },
  {
    name: "ipBlock peers stay as they are; a policy with only ipBlock peers needs no peers counterpart",
    base: app(netpol("server", `  podSelector: {matchLabels: {app: server}}
  ingress:
    - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
      ports: [{port: 8080}]
`)),
    forks: { alice: fork("alice", ["server", "client"]) },
    policies: ["server-alice"],
    specs: {
      "server-alice": {
        podSelector: copyOf("server"),
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }], ports: [{ port: 8080 }] }],
      },
    },
    extraPods: [
      { name: "edge/lb", namespace: "edge", labels: {}, ip: "10.2.0.5" },
      { name: "edge/blocked", namespace: "edge", labels: {}, ip: "10.1.0.5" },
    ],
    reach: [
      ["edge/lb", "server-alice", true],
      ["edge/blocked", "server-alice", false],
      ["client-alice", "server-alice", false],
    ],
  },
  {
    name: "egress policy on a forked client: the fork pods keep exactly its egress",
    base: app(netpol("client-egress", `  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
    - to: [{podSelector: {matchLabels: {app: server}}}]
      ports: [{port: 8080}]
`)),
    forks: { alice: fork("alice", ["client"]) },
    policies: ["client-egress-alice"],
    specs: {
      "client-egress-alice": {
        podSelector: copyOf("client"),
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: { matchLabels: { app: "server" } } }], ports: [{ port: 8080 }] }],
      },
    },
    reach: [
      ["client-alice", "server", true],
      ["client-alice", "worker", false],
      ["client", "worker", false],
    ],
  },
  {
    name: "a label no selector reads stays on fork pods: a policy on it selects them as it is, no counterpart",
    base: app(netpol("backend", `  podSelector: {matchLabels: {tier: backend}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
`)),
    forks: { alice: fork("alice", ["server"]) },
    policies: [],
    reach: [
      ["client", "server-alice", true],
      ["worker", "server-alice", false],
    ],
  },
  {
    name: "one policy selecting two forked workloads: one counterpart, workload In both copies",
    base: app(netpol("internal", `  podSelector: {matchExpressions: [{key: app, operator: In, values: [server, worker]}]}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
`)),
    forks: { alice: fork("alice", ["worker", "server"]) },
    policies: ["internal-alice"],
    specs: {
      "internal-alice": {
        podSelector: {
          matchLabels: { "kubefork.dev/fork": "alice" },
          matchExpressions: [{ key: "kubefork.dev/workload", operator: "In", values: ["server-alice", "worker-alice"] }],
        },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "client" } } }] }],
      },
    },
    reach: [
      ["client", "server-alice", true],
      ["client", "worker-alice", true],
      ["outsider", "worker-alice", false],
    ],
  },
];

describe("NetworkPolicy counterparts", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = renderApp({ base: c.base, forks: c.forks });
    expect(r.loadProblems).toEqual([]);
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    const made = generated(r, "NetworkPolicy");
    expect(made.map((o) => o.metadata.name).sort()).toEqual(c.policies);
    for (const [name, spec] of Object.entries(c.specs ?? {})) expect(made.find((o) => o.metadata.name === name)?.spec).toEqual(spec);
    expect(r.problems.filter((p) => p.severity === "warning").map((p) => p.message)).toEqual(c.warnings ?? []);
    // Each warning with its code: a peer (from/to) that admits only the fork pods, or a podSelector that selects only them.
    for (const p of r.problems.filter((x) => x.severity === "warning")) expect([p.code, p.ref?.kind]).toEqual([/\]\.(from|to)\[/.test(p.message) ? "KF5016" : "KF5015", "NetworkPolicy"]);
    for (const o of made) {
      expect(o.metadata.labels?.["kubefork.dev/fork"]).toBeDefined();
      expect(o.metadata.annotations?.["kubefork.dev/fork-file"]).toMatch(/^forks\//);
    }
    expect(validateObjects(made).errors).toEqual([]);

    const out = r.objects as Obj[];
    const base = renderApp({ base: c.base }).objects as Obj[];
    // base policies come out unchanged
    for (const p of base.filter((o) => o.kind === "NetworkPolicy")) expect(out).toContainEqual(p);
    const cluster: Cluster = { policies: out.filter((o) => o.kind === "NetworkPolicy"), namespaces: namespacesOf(out) };
    const pods = [...podsOf(out), ...(c.extraPods ?? [])];
    const pod = (n: string) => pods.find((p) => p.name === (n.includes("/") ? n : `shop/${n}`)) ?? expect.fail(`no pod ${n}`);
    for (const [from, to, allowed] of c.reach ?? []) expect([from, to, canConnect(cluster, pod(from), pod(to), 8080)]).toEqual([from, to, allowed]);
    expect(checkReachability(base, out, { extraPods: c.extraPods }).violations).toEqual(c.holes ?? []);
  });
});

describe("NetworkPolicy helpers", () => {
  const index = buildIndex(
    renderApp({ base: { "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: shop}}\n" } }).objects.map((object) => ({
      object,
      doc: { file: "ns.yaml", index: 0, line: 1, value: object, locate: () => ({ line: 1, column: 1 }) },
    })),
    { defaultNamespace: "default", clusterDomain: "cluster.local" },
  );
  it.each([
    ["a Namespace in the base: its labels decide", { matchLabels: { team: "shop" } }, "shop", true],
    ["a Namespace in the base, other labels", { matchLabels: { team: "ops" } }, "shop", false],
    ["the automatic name label", { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, "shop", true],
    ["an unknown namespace: only its name is known", { matchLabels: { "kubernetes.io/metadata.name": "ops" } }, "ops", true],
    ["an unknown namespace, another name", { matchLabels: { "kubernetes.io/metadata.name": "dev" } }, "ops", false],
    ["an unknown namespace, other labels: undecided", { matchLabels: { team: "ops" } }, "ops", undefined],
    ["an unknown namespace, NotIn its name", { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn" as const, values: ["ops"] }] }, "ops", false],
    ["empty selector: every namespace", {}, "ops", true],
  ])("namespaceSelects: %s", (_n, sel, ns, want) => expect(namespaceSelects(sel, ns, index)).toBe(want));

  it.each([
    ["podSelector alone: the policy's namespace only", { podSelector: { matchLabels: { app: "a" } } }, "shop", "shop", true],
    ["podSelector alone, other namespace", { podSelector: { matchLabels: { app: "a" } } }, "shop", "ops", false],
    ["namespaceSelector alone: every pod there", { namespaceSelector: { matchLabels: { team: "shop" } } }, "ops", "shop", true],
    ["ipBlock: not a pod peer", { ipBlock: { cidr: "10.0.0.0/8" } }, "shop", "shop", false],
  ])("peerAdmits: %s", (_n, peer, pns, ns, want) => expect(peerAdmits(peer, pns, ns, { app: "a" }, index)).toBe(want));

  it.each([
    ["absent, ingress only", {}, ["Ingress"]],
    ["absent, with egress rules", { egress: [] }, ["Ingress", "Egress"]],
    ["explicit Egress", { policyTypes: ["Egress"] }, ["Egress"]],
  ])("policyTypes: %s", (_n, spec, want) => expect(policyTypes(spec)).toEqual(want));

  it("makes nothing when the base has no NetworkPolicy", () => {
    const r = renderApp({ base: app(""), forks: { alice: fork("alice", ["server"]) } });
    expect(generated(r, "NetworkPolicy")).toEqual([]);
    void generateNetworkPolicies;
  });

  it("a podSelector that selects a workload's fork pods but not its original pods (NotIn on a label fork pods drop) is a warning at it", () => {
    const notServer = netpol("not-server", `  podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [server, client, worker, outsider]}]}
  policyTypes: [Ingress]
`);
    const r = renderApp({ base: app(notServer), forks: { alice: fork("alice", ["server"]) } });
    expect(r.problems.filter((p) => p.severity !== "note").map((p) => [p.severity, p.code, p.path, p.ref?.name, p.message])).toEqual([
      ["warning", "KF5015", "spec.podSelector", "not-server", "fork 'alice': NetworkPolicy shop/not-server selects the fork pods of Deployment shop/server but not the original pods"],
    ]);
  });

  it("an (a) counterpart whose name a base NetworkPolicy has is an error", () => {
    const r = renderApp({
      base: app([SERVER_ADMITS_CLIENT, netpol("server-alice", "  podSelector: {matchLabels: {app: nothing}}\n")]),
      forks: { alice: fork("alice", ["server"]) },
    });
    expect(r.objects).toEqual([]);
    expect(r.problems.map((p) => [p.severity, p.code, p.file, p.message])).toEqual([
      ["error", "KF5001", "forks/alice.yaml", "the NetworkPolicy shop/server-alice kubefork makes for fork 'alice' from NetworkPolicy shop/server has the name of another NetworkPolicy"],
    ]);
  });
});

// ------------------------------------------------------------------ the fixture, evaluated

/** fixtures/<fixture>/app with only these of its fork files. */
const fixtureApp = (fixture: string, forks: readonly string[]) =>
  appFiles(fixture, (f) => {
    for (const p of Object.keys(f)) if (p.startsWith("forks/") && !forks.includes(p.slice("forks/".length).replace(/\.yaml$/, ""))) delete f[p];
  });

describe("fixtures/network-policy: reachability of the render", () => {
  const base = renderFiles(fixtureApp("network-policy", [])).objects as Obj[];
  const extraPods: Pod[] = [
    { name: "edge/lb", namespace: "edge", labels: {}, ip: "10.2.0.5" },
    { name: "edge/blocked", namespace: "edge", labels: {}, ip: "10.1.0.5" },
    { name: "kube-system/coredns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, ports: [{ containerPort: 53, protocol: "UDP" }] },
  ];

  it("the base itself: the policies mean what the fixture says", () => {
    const c: Cluster = { policies: base.filter((o) => o.kind === "NetworkPolicy"), namespaces: namespacesOf(base) };
    const pods = [...podsOf(base), ...extraPods];
    const p = (n: string) => pods.find((x) => x.name === n)!;
    expect(canConnect(c, p("edge/lb"), p("shop/frontend"), 8080)).toBe(true);
    expect(canConnect(c, p("edge/blocked"), p("shop/frontend"), 8080)).toBe(false);
    expect(canConnect(c, p("shop/frontend"), p("shop/api"), 8080)).toBe(true);
    expect(canConnect(c, p("shop/api"), p("shop/db"), 5432)).toBe(true);
    expect(canConnect(c, p("shop/worker"), p("shop/db"), 5432)).toBe(true);
    expect(canConnect(c, p("shop/frontend"), p("shop/db"), 5432)).toBe(false);
    expect(canConnect(c, p("ops/prometheus"), p("shop/api"), 9090)).toBe(true);
    expect(canConnect(c, p("shop/other"), p("shop/api"), 8080)).toBe(false);
    expect(canConnect(c, p("shop/worker"), p("kube-system/coredns"), 53, "UDP")).toBe(true);
  });

  it.each([
    ["alice", ["alice"]],
    ["bob", ["bob"]],
    ["carol", ["carol"]],
    ["alice, bob and carol", ["alice", "bob", "carol"]],
  ])("forks: %s", (_name, forks) => {
    const out = renderFiles(fixtureApp("network-policy", forks)).objects as Obj[];
    const r = checkReachability(base, out, { extraPods });
    expect(r.violations).toEqual([]);
    expect(r.checked).toBeGreaterThan(50);
  });

  it("fixtures/bookshop (ratings protected; alice, bob and carol fork ratings, reviews and productpage)", () => {
    const r = checkReachability(renderFiles(fixtureApp("bookshop", [])).objects as Obj[], renderFiles(appFiles("bookshop")).objects as Obj[]);
    expect(r.violations).toEqual([]);
  });

  it("the check catches a fork left without its counterparts", () => {
    const out = (renderFiles(fixtureApp("network-policy", ["carol"])).objects as KObject[]).filter(
      (o) => !(o.kind === "NetworkPolicy" && o.metadata.labels?.["kubefork.dev/fork"] === "carol"),
    ) as Obj[];
    const v = checkReachability(base, out, { extraPods }).violations;
    expect(v).toContain("fork carol: shop/api-carol → shop/db-carol:5432/TCP is denied, but shop/api → shop/db is allowed in the base");
  });

  it("the check catches a hole: a forked server without its counterpart is open to all", () => {
    const files = { base: app(SERVER_ADMITS_CLIENT), forks: { alice: fork("alice", ["server"]) } };
    const out = (renderApp(files).objects as Obj[]).filter((o) => o.metadata.name !== "server-alice" || o.kind !== "NetworkPolicy");
    const v = checkReachability(renderApp({ base: files.base }).objects as Obj[], out).violations;
    expect(v).toContain("new hole: shop/worker → shop/server-alice:8080/TCP is allowed, but shop/worker → shop/server is not in the base");
  });
});
