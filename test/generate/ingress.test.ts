// Table tests of the three ingress generators (istio, gateway-api, emissary): what each makes per
// fork and entry, and the errors, each with its exact message, file and line.
import { describe, expect, it } from "vitest";
import { formatProblem, type Problem } from "../../src/problems.ts";
import type { KObject } from "../../src/model/k8s.ts";
import { parseMappingService } from "../../src/generate/ingress-emissary.ts";
import { withHeaderSet } from "../../src/generate/gateway-api-common.ts";
import { appFiles, renderFiles } from "../helpers/inprocess.ts";
import { NOW } from "../helpers/cli.ts";

function withIngress(fixture: string, ingress: string, edit: (f: Record<string, string>) => void = () => {}) {
  return renderFiles(
    appFiles(fixture, (f) => {
      f["kubefork.yaml"] = f["kubefork.yaml"]!.replace(/\n  ingress:\n(    .*\n)+/, "\n").replace(/\n  policy:/, `\n  ingress:\n${ingress}  policy:`);
      if (!f["kubefork.yaml"]!.includes("  ingress:\n")) f["kubefork.yaml"] += `  ingress:\n${ingress}`;
      edit(f);
    }),
    { now: NOW },
  );
}

const errors = (ps: readonly Problem[]) => ps.filter((p) => p.severity === "error").map(formatProblem);
const named = (r: ReturnType<typeof renderFiles>, kind: string, name: string): KObject | undefined =>
  r.result?.objects.find((o) => o.kind === kind && o.metadata.name === name);

describe("ingress: istio", () => {
  it("mirrors the base gateway VirtualService per fork; a fork that forks no entry Service keeps the destinations", () => {
    const r = withIngress("bookshop", "    - {kind: istio, domain: bookshop.example.com, gateway: bookshop/bookshop-gateway}\n");
    expect(errors(r.problems)).toEqual([]);
    const alice = named(r, "VirtualService", "bookshop-alice")!;
    expect(alice.metadata.labels).toMatchObject({ "kubefork.dev/fork": "alice", "app.kubernetes.io/managed-by": "kubefork" });
    expect(alice.spec).toMatchObject({ hosts: ["alice.bookshop.example.com"], gateways: ["bookshop/bookshop-gateway"] });
    const http = (alice.spec as { http: Record<string, any>[] }).http;
    expect(http.map((h) => h.name)).toEqual(["pages", "api"]);
    expect(http.map((h) => h.headers.request.set)).toEqual([{ "x-fork-identifier": "alice" }, { "x-fork-identifier": "alice" }]);
    expect(http[1]!.rewrite).toEqual({ uri: "/api/v1/products" });
    expect(http[0]!.route).toEqual([{ destination: { host: "productpage", port: { number: 9080 } } }]);
    const carol = named(r, "VirtualService", "bookshop-carol")!;
    expect((carol.spec as { http: Record<string, any>[] }).http[0]!.route).toEqual([{ destination: { host: "productpage-carol.bookshop.svc.cluster.local", port: { number: 9080 } } }]);
  });

  it("with no base route for the domain: one route to the entry Service, in the Gateway's namespace", () => {
    const r = withIngress("bookshop", "    - {kind: istio, domain: shop.bookshop.example.com, gateway: bookshop/bookshop-gateway, service: bookshop/productpage, port: 9080}\n");
    expect(errors(r.problems)).toEqual([]);
    const carol = named(r, "VirtualService", "shop-bookshop-example-com-carol")!;
    expect(carol.metadata.namespace).toBe("bookshop");
    expect(carol.spec).toEqual({
      hosts: ["carol.shop.bookshop.example.com"],
      gateways: ["bookshop/bookshop-gateway"],
      http: [
        {
          name: "kubefork",
          // The fork header replaced; the baggage entry (spec.baggage is set) appended.
          headers: { request: { set: { "x-fork-identifier": "carol" }, add: { baggage: "kubefork=carol" } } },
          route: [{ destination: { host: "productpage-carol.bookshop.svc.cluster.local", port: { number: 9080 } } }],
        },
      ],
    });
  });

  it("a Gateway whose servers do not accept the fork hosts is an error with the wildcard to add", () => {
    const r = withIngress("bookshop", "    - kind: istio\n      domain: bookshop.example.com\n      gateway: bookshop/bookshop-gateway\n", (f) => {
      f["base/gateway.yaml"] = f["base/gateway.yaml"]!.replace('        - "*.bookshop.example.com"\n', "");
    });
    expect(r.ok).toBe(false);
    expect(errors(r.problems)).toEqual([
      'kubefork.yaml:16:7: error: Gateway bookshop/bookshop-gateway spec.ingress[0].domain: Gateway bookshop/bookshop-gateway does not accept the fork hosts alice.bookshop.example.com, bob.bookshop.example.com, carol.bookshop.example.com for VirtualServices in namespace bookshop: requests to them would get 404 [KF5024]\n  hint: add "*.bookshop.example.com" to the hosts of a server of Gateway bookshop/bookshop-gateway (base/gateway.yaml:2)',
    ]);
  });

  it("no base route and no service is an error at the entry", () => {
    const r = withIngress("bookshop", "    - kind: istio\n      domain: other.example.com\n      gateway: bookshop/bookshop-gateway\n");
    expect(errors(r.problems)).toEqual([
      "kubefork.yaml:15:7: error: spec.ingress[0]: no base VirtualService bound to Gateway bookshop/bookshop-gateway routes other.example.com, and the entry names no service [KF5023]\n  hint: add service: <namespace>/<name> (and port:) to spec.ingress[0], or a VirtualService for other.example.com bound to bookshop/bookshop-gateway to the base",
    ]);
  });
});

describe("ingress: entries in kubefork.yaml (one zod variant per kind: src/model/ingress.ts)", () => {
  const cases: { name: string; ingress: string; want: string }[] = [
    {
      name: "istio without gateway",
      ingress: "    - kind: istio\n      domain: bookshop.example.com\n",
      want: "kubefork.yaml:15:7: error: spec.ingress[0].gateway: kind istio needs gateway [KF2002]\n  hint: add spec.ingress[0].gateway to the ForkManager: namespace/name of the Gateway the fork hosts attach to",
    },
    {
      name: "an unknown field stays an error",
      ingress: "    - kind: emissary\n      domain: bookshop.example.com\n      hostRewrite: x\n",
      want: "kubefork.yaml:17:7: error: spec.ingress[0].hostRewrite: unknown field 'hostRewrite' in ForkManager [KF2001]\n  hint: known fields here: kind, domain, service, port, apiVersion, ambassadorId",
    },
    {
      name: "apiVersion only for emissary",
      ingress: "    - kind: gateway-api\n      domain: bookshop.example.com\n      gateway: bookshop/gw\n      apiVersion: getambassador.io/v2\n",
      want: "kubefork.yaml:18:7: error: spec.ingress[0].apiVersion: apiVersion only applies to kind emissary [KF2006]\n  hint: known fields for kind gateway-api: kind, domain, service, port, gateway, sectionName",
    },
    {
      name: "gateway on emissary",
      ingress: "    - kind: emissary\n      domain: bookshop.example.com\n      gateway: bookshop/gw\n",
      want: "kubefork.yaml:17:7: error: spec.ingress[0].gateway: gateway only applies to kind istio, gateway-api [KF2006]\n  hint: known fields for kind emissary: kind, domain, service, port, apiVersion, ambassadorId",
    },
    {
      name: "sectionName on istio",
      ingress: "    - kind: istio\n      domain: bookshop.example.com\n      gateway: bookshop/gw\n      sectionName: web\n",
      want: "kubefork.yaml:18:7: error: spec.ingress[0].sectionName: sectionName only applies to kind gateway-api [KF2006]\n  hint: known fields for kind istio: kind, domain, service, port, gateway",
    },
    {
      name: "a kind with no adapter is refused, not rendered with no routes",
      ingress: "    - kind: traefik\n      domain: bookshop.example.com\n",
      want: 'kubefork.yaml:15:7: error: spec.ingress[0].kind: must be one of "istio", "gateway-api", "emissary" [KF2004]',
    },
    {
      name: "a misspelt kind gets a suggestion",
      ingress: "    - kind: emisary\n      domain: bookshop.example.com\n",
      want: 'kubefork.yaml:15:7: error: spec.ingress[0].kind: must be one of "istio", "gateway-api", "emissary" [KF2004]\n  hint: did you mean \'emissary\'?',
    },
  ];
  it.each(cases)("$name", (c) => {
    const r = withIngress("bookshop", c.ingress);
    expect(r.ok).toBe(false);
    expect(errors(r.problems)).toEqual([c.want]);
  });
});

describe("ingress: DNS limits of <id>.<domain>", () => {
  const label = (c: string) => c.repeat(60);
  const domain = `${label("a")}.${label("b")}.${label("c")}.${label("d")}.comx`; // 248 characters
  it("a host over 253 characters is an error naming the fork file and the entry, not a truncated host", () => {
    const r = withIngress("bookshop", `    - kind: emissary\n      domain: ${domain}\n      service: bookshop/productpage\n`, (f) => {
      for (const k of Object.keys(f)) if (k.startsWith("forks/") && k !== "forks/alice.yaml") delete f[k];
    });
    expect(r.ok).toBe(false);
    expect(errors(r.problems)).toEqual([
      `forks/alice.yaml:5:3: error: metadata.name: the fork host alice.${domain} for kubefork.yaml spec.ingress[0] (emissary, domain ${domain}) is not a valid DNS name: it has 254 characters (at most 253) [KF5022]\n  hint: use a shorter fork identifier, or a shorter domain in kubefork.yaml spec.ingress[0].domain`,
    ]);
  });
  it("a domain label over 63 characters is refused in kubefork.yaml", () => {
    const r = withIngress("bookshop", `    - kind: emissary\n      domain: ${"x".repeat(64)}.example.com\n      service: bookshop/productpage\n`);
    expect(errors(r.problems).map((e) => e.split("\n")[0])).toEqual(["kubefork.yaml:16:7: error: spec.ingress[0].domain: every label of a domain must be at most 63 characters [KF2005]"]);
  });
});

describe("ingress: gateway-api", () => {
  it("a Gateway without a listener for the fork hosts is an error", () => {
    const r = withIngress("ingress-gateway-api", "    - {kind: gateway-api, domain: bookshop.example.com, gateway: bookshop/bookshop-gateway, sectionName: apex}\n");
    expect(errors(r.problems).map((e) => e.split("\n")[0])).toEqual([
      "kubefork.yaml:13:27: error: Gateway bookshop/bookshop-gateway spec.ingress[0].domain: Gateway bookshop/bookshop-gateway does not accept the fork hosts alice.bookshop.example.com, bob.bookshop.example.com, carol.bookshop.example.com: no listener's hostname accepts alice.bookshop.example.com [KF5024]",
    ]);
  });

  it("an entry Service whose port kubefork cannot know (not in the base, or several ports) and no port: is an error at the entry's service", () => {
    const r = withIngress("ingress-gateway-api", "    - {kind: gateway-api, domain: other.example.com, gateway: bookshop/bookshop-gateway, service: bookshop/nosuch}\n");
    expect(r.problems.filter((p) => p.severity === "error").map((p) => [p.code, p.path, p.message])).toEqual([["KF5025", "spec.ingress[0].service", "Service bookshop/nosuch is not in the base, so its port is unknown"]]);
  });

  it("a fork ingress route whose name a base HTTPRoute has is an error naming that route", () => {
    const r = withIngress("ingress-gateway-api", "    - {kind: gateway-api, domain: other.example.com, gateway: bookshop/bookshop-gateway, service: bookshop/productpage, port: 9080}\n", (f) => {
      f["base/taken.yaml"] = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: other-example-com-alice, namespace: bookshop}\nspec: {}\n";
    });
    const taken = r.problems.filter((p) => p.code === "KF5001");
    expect(taken.map((p) => [p.severity, p.ref?.file, p.ref?.name])).toEqual([["error", "base/taken.yaml", "other-example-com-alice"]]);
  });

  // findings F1 and F2 (validity): the listener of a mirrored parentRef, and base routes with no hostnames.
  const noSection = "    - {kind: gateway-api, domain: bookshop.example.com, gateway: bookshop/bookshop-gateway}\n";
  const parents = (r: ReturnType<typeof renderFiles>, name: string) => (named(r, "HTTPRoute", name)?.spec as { parentRefs: unknown[] } | undefined)?.parentRefs;

  it("a base parentRef naming the apex listener: the fork route drops it and attaches to the listener for *.<domain>", () => {
    const r = withIngress("ingress-gateway-api", noSection, (f) => {
      f["base/gateway.yaml"] = f["base/gateway.yaml"]!.replace("  parentRefs:\n    - name: bookshop-gateway\n  hostnames:", "  parentRefs:\n    - name: bookshop-gateway\n      sectionName: apex\n  hostnames:");
    });
    expect(errors(r.problems)).toEqual([]);
    expect(parents(r, "bookshop-alice")).toEqual([{ name: "bookshop-gateway" }]);
  });

  it("a base parentRef naming a listener that takes the fork host keeps it", () => {
    const r = withIngress("ingress-gateway-api", noSection, (f) => {
      f["base/gateway.yaml"] = f["base/gateway.yaml"]!.replace("  parentRefs:\n    - name: bookshop-gateway\n  hostnames:", "  parentRefs:\n    - name: bookshop-gateway\n      sectionName: http\n  hostnames:");
    });
    expect(errors(r.problems)).toEqual([]);
    expect(parents(r, "bookshop-alice")).toEqual([{ name: "bookshop-gateway", sectionName: "http" }]);
  });

  it("a base route with no hostnames serves the domain: it is mirrored, not replaced by an entry route", () => {
    const r = withIngress("ingress-gateway-api", noSection, (f) => {
      f["base/gateway.yaml"] = f["base/gateway.yaml"]!.replace("  hostnames:\n    - bookshop.example.com\n  rules:", "  rules:");
    });
    expect(errors(r.problems)).toEqual([]);
    const alice = named(r, "HTTPRoute", "bookshop-alice")!;
    expect(alice.metadata.annotations?.["kubefork.dev/copied-from"]).toBe("HTTPRoute bookshop/bookshop");
    expect((alice.spec as { hostnames: string[] }).hostnames).toEqual(["alice.bookshop.example.com"]);
  });

  it("with no base route: one route in the entry Service's namespace, port from the Service", () => {
    const r = withIngress("ingress-gateway-api", "    - {kind: gateway-api, domain: other.bookshop.example.com, gateway: bookshop/bookshop-gateway, service: bookshop/productpage}\n");
    expect(errors(r.problems)).toEqual([]);
    expect(named(r, "HTTPRoute", "other-bookshop-example-com-carol")!.spec).toEqual({
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "bookshop", name: "bookshop-gateway" }],
      hostnames: ["carol.other.bookshop.example.com"],
      rules: [
        {
          filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-fork-identifier", value: "carol" }], add: [{ name: "baggage", value: "kubefork=carol" }] } }],
          backendRefs: [{ name: "productpage-carol", port: 9080 }],
        },
      ],
    });
  });

  it.each([
    { name: "no filter: one is added", filters: undefined, want: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-h", value: "a" }] } }] },
    {
      name: "an existing RequestHeaderModifier is merged (a filter type appears once per rule); add/remove of the header dropped",
      filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "X-H", value: "z" }, { name: "k", value: "v" }], add: [{ name: "x-h", value: "q" }], remove: ["x-h"] } }],
      want: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "k", value: "v" }, { name: "x-h", value: "a" }] } }],
    },
  ])("withHeaderSet: $name", ({ filters, want }) => {
    expect(withHeaderSet(filters, "x-h", "a")).toEqual(want);
  });
});

describe("ingress: emissary (shape tests; test/crd/ checks the Mappings against Emissary's CRDs)", () => {
  // The fixture's base writes x-static in the v3alpha1 object form; here it is the v2 shorthand
  // string (which the v3alpha1 CRD would reject), to see the copies convert it.
  const shorthand = (files: Record<string, string>) => {
    const base = files["base/emissary.yaml"] as string;
    files["base/emissary.yaml"] = base.replace(/x-static:\n\s+value: "1"/, 'x-static: "1"');
    if (files["base/emissary.yaml"] === base) throw new Error("fixture changed: no x-static object to turn into the shorthand");
  };
  const r = renderFiles(appFiles("ingress-emissary", shorthand), { now: NOW });
  const mappings = (r.result?.objects ?? []).filter((o) => o.kind === "Mapping" && o.metadata.labels?.["kubefork.dev/fork"]);

  it("renders", () => expect(errors(r.problems)).toEqual([]));

  it("v3alpha1: hostname, the header as {value, append: false}, service swapped, base fields kept", () => {
    const m = mappings.find((o) => o.metadata.name === "productpage-carol")!;
    expect(m.apiVersion).toBe("getambassador.io/v3alpha1");
    expect(m.spec).toEqual({
      hostname: "carol.bookshop.example.com",
      prefix: "/productpage",
      rewrite: "/productpage",
      service: "productpage-carol.bookshop:9080",
      timeout_ms: 5000,
      add_request_headers: { "x-fork-identifier": { value: "carol", append: false }, baggage: { value: "kubefork=carol", append: true } },
      host_rewrite: "bookshop.example.com",
    });
    expect(mappings.find((o) => o.metadata.name === "static-alice")!.spec).toMatchObject({
      service: "productpage.bookshop:9080",
      // The base's v2 shorthand string in the v3alpha1 object form (the CRD takes objects only).
      add_request_headers: { "x-static": { value: "1", append: true }, "x-fork-identifier": { value: "alice", append: false } },
    });
  });

  it("v2: host, ambassador_id as a list, the header as {value, append: false} (the shorthand would append)", () => {
    const m = mappings.find((o) => o.metadata.name === "shop-legacy-example-com-bob")!;
    expect(m.apiVersion).toBe("getambassador.io/v2");
    expect(m.spec).toEqual({
      ambassador_id: ["legacy"],
      host: "bob.shop.legacy.example.com",
      prefix: "/",
      service: "productpage.bookshop:9080",
      add_request_headers: { "x-fork-identifier": { value: "bob", append: false }, baggage: { value: "kubefork=bob", append: true } },
      host_rewrite: "shop.legacy.example.com",
    });
  });

  it("every fork Mapping has the fields Emissary requires and no host field of the other version", () => {
    expect(mappings.length).toBe(9); // 3 forks × (2 mirrored v3alpha1 + 1 v2)
    for (const m of mappings) {
      const spec = m.spec as Record<string, unknown>;
      expect(typeof spec.prefix).toBe("string");
      expect(spec.service).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)*(:\d+)?$/);
      if (m.apiVersion === "getambassador.io/v2") expect(Object.keys(spec)).not.toContain("hostname");
      else expect(Object.keys(spec)).not.toContain("host");
    }
  });

  // Emissary's Host/Mapping association: src/plan/ingress.ts (emissary-ingress/emissary @3ebe0f46).
  const HOSTS_AT = "base/emissary.yaml";
  const withoutHost = (name: string) => (f: Record<string, string>) => {
    const docs = f[HOSTS_AT]!.split("\n---\n");
    f[HOSTS_AT] = docs.filter((d) => !(d.includes("kind: Host") && d.includes(`  name: ${name}\n`))).join("\n---\n");
  };
  const v3Only = "    - kind: emissary\n      domain: bookshop.example.com\n";
  const emissary = (edit: (f: Record<string, string>) => void, ingress = v3Only) =>
    renderFiles(
      appFiles("ingress-emissary", (f) => {
        f["kubefork.yaml"] = f["kubefork.yaml"]!.replace(/\n  ingress:\n(    .*\n)+/, `\n  ingress:\n${ingress}`);
        edit(f);
      }),
      { now: NOW },
    );

  it("a base Host for *.<domain> serves the fork hosts: no problem", () => {
    expect(emissary(() => {}).problems.filter((p) => p.severity !== "note").map(formatProblem)).toEqual([]);
  });

  it("base Hosts of the installation, none for the fork hosts: an error at the entry with the Host to add", () => {
    const r = emissary(withoutHost("bookshop-forks"));
    expect(r.ok).toBe(false);
    expect(errors(r.problems)).toEqual([
      "kubefork.yaml:16:7: error: spec.ingress[0].domain: no Emissary Host takes the fork hosts alice.bookshop.example.com, bob.bookshop.example.com, carol.bookshop.example.com: Emissary 2+ serves a v3alpha1 Mapping only on a Host whose hostname matches the Mapping's (and whose mappingSelector, if any, matches its labels); no Host of ambassador_id default takes it: Host bookshop/bookshop (hostname bookshop.example.com) [KF5024]\n  hint: add to the base: {apiVersion: getambassador.io/v3alpha1, kind: Host, metadata: {name: bookshop-example-com-forks, namespace: bookshop}, spec: {hostname: \"*.bookshop.example.com\", tlsSecret: {name: <a Secret with a certificate for *.bookshop.example.com>}}}",
    ]);
  });

  it("a Host whose mappingSelector the fork Mappings do not match does not serve them (strict selectors)", () => {
    const r = emissary((f) => {
      f[HOSTS_AT] = f[HOSTS_AT]!.replace('  hostname: "*.bookshop.example.com"\n', '  hostname: "*.bookshop.example.com"\n  mappingSelector:\n    matchLabels: {team: shop}\n');
    });
    expect(errors(r.problems).map((e) => e.split("\n")[0])).toEqual([
      "kubefork.yaml:16:7: error: spec.ingress[0].domain: no Emissary Host takes the fork hosts alice.bookshop.example.com, bob.bookshop.example.com, carol.bookshop.example.com: Emissary 2+ serves a v3alpha1 Mapping only on a Host whose hostname matches the Mapping's (and whose mappingSelector, if any, matches its labels); no Host of ambassador_id default takes it: Host bookshop/bookshop (hostname bookshop.example.com), Host bookshop/bookshop-forks (hostname *.bookshop.example.com) [KF5024]",
    ]);
    // The base Mappings' labels are copied onto the fork Mappings: with them, the Host takes them.
    const labelled = emissary((f) => {
      f[HOSTS_AT] = f[HOSTS_AT]!.replace('  hostname: "*.bookshop.example.com"\n', '  hostname: "*.bookshop.example.com"\n  mappingSelector:\n    matchLabels: {team: shop}\n').replace(/(  name: (productpage|static)\n  namespace: bookshop\n)/g, "$1  labels: {team: shop}\n");
    });
    expect(errors(labelled.problems)).toEqual([]);
  });

  it("no Host of the installation in the base: a warning (the Hosts may live elsewhere; with none Emissary makes '*'), the render goes on", () => {
    const r = emissary((f) => {
      withoutHost("bookshop")(f);
      withoutHost("bookshop-forks")(f);
    });
    expect(r.ok).toBe(true);
    expect(r.problems.filter((p) => p.severity === "warning").map(formatProblem)).toEqual([
      'kubefork.yaml:16:7: warning: spec.ingress[0].domain: the base has no Emissary Host of ambassador_id default, so kubefork cannot check that the fork hosts *.bookshop.example.com are served: Emissary 2+ serves a v3alpha1 Mapping only on a Host whose hostname matches it (it makes a Host "*" only when the installation has none) [KF5026]\n  hint: make sure the cluster has a Host for "*.bookshop.example.com", or add one to the base: {apiVersion: getambassador.io/v3alpha1, kind: Host, metadata: {name: bookshop-example-com-forks, namespace: bookshop}, spec: {hostname: "*.bookshop.example.com"}}',
    ]);
  });

  it("Hosts of another installation (ambassador_id) do not count; a v2 entry (Ambassador 1.x: no Host association) is not checked", () => {
    const other = emissary((f) => {
      f[HOSTS_AT] = f[HOSTS_AT]!.replace(/(kind: Host\n(?:.*\n)*?spec:\n)/g, "$1  ambassador_id: [blue]\n");
    });
    expect(other.ok).toBe(true);
    expect(other.problems.filter((p) => p.severity === "warning").map((p) => p.message.split(",")[0])).toEqual(["the base has no Emissary Host of ambassador_id default"]);
    const v2 = emissary(withoutHost("bookshop-forks"), "    - kind: emissary\n      apiVersion: getambassador.io/v2\n      domain: bookshop.example.com\n");
    expect(errors(v2.problems)).toEqual([]);
    expect(v2.problems.filter((p) => p.severity === "warning")).toEqual([]);
  });

  it.each([
    ["productpage", { scheme: "", name: "productpage", rest: "", port: "" }],
    ["productpage.bookshop:9080", { scheme: "", name: "productpage", rest: ".bookshop", namespace: "bookshop", port: ":9080" }],
    ["https://productpage.bookshop.svc.cluster.local:443", { scheme: "https://", name: "productpage", rest: ".bookshop.svc.cluster.local", namespace: "bookshop", port: ":443" }],
  ])("parseMappingService(%s)", (s, want) => expect(parseMappingService(s)).toEqual(want));
});
