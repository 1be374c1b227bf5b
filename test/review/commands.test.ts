// new, list, explain, trace, schema and validate --format github through the bundled CLI.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemaText } from "../../src/review/schema.ts";
import { BOOKSHOP, bookshopCopy, NOW_ARGS, ROOT, runCli } from "../helpers/cli.ts";
import { fork } from "../helpers/inprocess.ts";

const INGRESS = `  ingress:
    - kind: istio
      domain: bookshop.example.com
      gateway: bookshop/bookshop-gateway
      service: bookshop/productpage
      port: 9080
`;
/** A fork of a workload the bookshop does not have (ratings-v9, at line 8). */
const UNKNOWN_WORKLOAD = fork("erin", "    - name: ratings-v9\n", '  expires: "2026-11-25T00:00:00Z"\n');
/** The bookshop with an ingress entry (hosts <id>.bookshop.example.com). */
function withIngress(): string {
  const dir = bookshopCopy();
  const f = join(dir, "kubefork.yaml");
  writeFileSync(f, readFileSync(f, "utf8").replace("  policy:\n", `${INGRESS}  policy:\n`));
  return dir;
}

describe("kubefork new", () => {
  it("writes forks/ID.yaml with the modeline, the base namespace and expires = now + 72h; then it validates", () => {
    const dir = bookshopCopy();
    const r = runCli(["new", "erin", dir, ...NOW_ARGS, "--workload", "reviews-v3", "--image", "registry.example.com/bookshop/reviews-v3:pr-5", "--env", "FEATURE_STARS=on", "--owner", "erin@example.com"]);
    expect(r.stderr).toBe(`created fork 'erin' (expires 2026-11-26T12:00:00Z, in 3d); commit ${relative(ROOT, join(dir, "forks/erin.yaml"))} and open a pull request — kubefork explain erin shows what it creates\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${relative(ROOT, join(dir, "forks/erin.yaml"))}\n`);
    expect(readFileSync(join(dir, "forks/erin.yaml"), "utf8")).toBe(
      [
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/kubefork/kubefork/v0.1.0/schema/fork.schema.json",
        "apiVersion: kubefork.dev/v1alpha1",
        "kind: Fork",
        "metadata:",
        "  name: erin",
        "spec:",
        '  expires: "2026-11-26T12:00:00Z"',
        "  owner: erin@example.com",
        "  env:",
        "    - name: FEATURE_STARS",
        '      value: "on"',
        "  workloads:",
        "    - name: reviews-v3",
        "      namespace: bookshop",
        "      image: registry.example.com/bookshop/reviews-v3:pr-5",
        "",
      ].join("\n"),
    );
    expect(runCli(["validate", dir, ...NOW_ARGS]).code).toBe(0);
  });

  it("refuses to overwrite without --force, replaces with it", () => {
    const dir = bookshopCopy();
    const r = runCli(["new", "alice", dir, ...NOW_ARGS, "-w", "details-v1"]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: forks/alice.yaml already exists [KF6020]\n  hint: edit it, pick another identifier, or pass --force to replace it\n");
    const f = runCli(["new", "alice", dir, ...NOW_ARGS, "-w", "details-v1", "--force", "--owner", "a@example.com"]);
    expect(f.code).toBe(0);
    expect(readFileSync(join(dir, "forks/alice.yaml"), "utf8")).toContain("    - name: details-v1\n      namespace: bookshop\n");
  });

  it("an unknown workload: exit 1, close matches, nothing written", () => {
    const dir = bookshopCopy();
    const r = runCli(["new", "frank", dir, ...NOW_ARGS, "-w", "reviewz-v3"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: no Deployment 'reviewz-v3' in the base [KF6022]\n  hint: did you mean 'reviews-v3' or 'reviews-v1' or 'reviews-v2'?\n");
    expect(existsSync(join(dir, "forks/frank.yaml"))).toBe(false);
  });

  it("never writes a file the render refuses (policy: images)", () => {
    const dir = bookshopCopy();
    const r = runCli(["new", "frank", dir, ...NOW_ARGS, "-w", "ratings-v1", "--image", "docker.io/evil:1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("forks/frank.yaml:11:7: policy violation: spec.workloads[0].image: image docker.io/evil:1 is not allowed (policy.images)");
    expect(r.stderr).toContain("forks/frank.yaml was not written\n");
    expect(existsSync(join(dir, "forks/frank.yaml"))).toBe(false);
  });

  it("--expires beyond policy.maxLifetime is refused; the default is capped by it", () => {
    const dir = bookshopCopy();
    const r = runCli(["new", "frank", dir, ...NOW_ARGS, "-w", "details-v1", "--expires", "800h"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("error: --expires 800h is later than policy.maxLifetime (720h) allows [KF6018]\n  hint: kubefork.yaml lets forks live at most 720h: pass --expires 720h or an earlier time (no later than 2026-12-23T12:00:00Z)");
    const f = join(dir, "kubefork.yaml");
    writeFileSync(f, readFileSync(f, "utf8").replace("maxLifetime: 720h", "maxLifetime: 24h"));
    const d = runCli(["new", "frank", dir, ...NOW_ARGS, "-w", "details-v1", "--dry-run"]);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('  expires: "2026-11-24T12:00:00Z"\n');
    expect(d.stderr).toContain("warning: the fork expires after 24h, the policy's maxLifetime (shorter than the default 72h) [KF6019]");
    expect(existsSync(join(dir, "forks/frank.yaml"))).toBe(false);
  });

  it("the owner falls back to $KUBEFORK_OWNER, then $USER", () => {
    const a = runCli(["new", "frank", BOOKSHOP, ...NOW_ARGS, "-w", "details-v1", "--dry-run"], { env: { KUBEFORK_OWNER: "frank@example.com", USER: "frank" } });
    expect(a.stdout).toContain("  owner: frank@example.com\n");
    const b = runCli(["new", "frank", BOOKSHOP, ...NOW_ARGS, "-w", "details-v1", "--dry-run"], { env: { USER: "frank" } });
    expect(b.stdout).toContain("  owner: frank\n");
  });
});

describe("kubefork list", () => {
  it("one row per fork: workloads, images, hosts, relative expiry, state", () => {
    const dir = withIngress();
    const r = runCli(["list", dir, ...NOW_ARGS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "FORK    WORKLOADS                IMAGES                                                                                        HOSTS                               EXPIRES              STATE",
        "alice   ratings-v1               registry.example.com/bookshop/ratings:pr-42                                                   http://alice.bookshop.example.com   in 6d 12h            live",
        "bob     reviews-v2, ratings-v1   registry.example.com/bookshop/reviews-v2:pr-77, registry.example.com/bookshop/ratings:pr-77   http://bob.bookshop.example.com     in 3d 6h             live",
        "carol   productpage-v1           registry.example.com/bookshop/productpage:pr-101                                              http://carol.bookshop.example.com   in 7d 21h            live",
        "dave    details-v1               registry.example.com/bookshop/details:pr-9                                                    http://dave.bookshop.example.com    expired 3d 12h ago   expired",
        "",
      ].join("\n"),
    );
  });

  it("invalid forks show their first error and do not hide the others", () => {
    const dir = bookshopCopy();
    writeFileSync(join(dir, "forks/erin.yaml"), UNKNOWN_WORKLOAD);
    writeFileSync(join(dir, "forks/zed.yaml"), "apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata:\n  name: zed\nspec:\n  workload: []\n");
    const r = runCli(["list", dir, ...NOW_ARGS, "-o", "json"]);
    expect(r.code).toBe(0);
    const { forks } = JSON.parse(r.stdout) as { forks: { id: string; state: string; problem?: { file: string; line: number; message: string } }[] };
    expect(forks.map((f) => [f.id, f.state])).toEqual([["alice", "live"], ["bob", "live"], ["carol", "live"], ["dave", "expired"], ["erin", "invalid"], ["zed", "invalid"]]);
    expect(forks[4]!.problem).toMatchObject({ file: "forks/erin.yaml", line: 8, message: "no Deployment 'ratings-v9' in the base" });
    expect(forks[5]!.problem?.file).toBe("forks/zed.yaml");
    const t = runCli(["list", dir, ...NOW_ARGS]);
    expect(t.stdout).toContain("invalid: forks/erin.yaml:8: spec.workloads[0].name: no Deployment 'ratings-v9' in the base\n");
  });

  it("colour only on a TTY: never in a pipe", () => {
    expect(runCli(["list", BOOKSHOP, ...NOW_ARGS]).stdout).not.toContain("\x1b[");
  });
});

describe("kubefork explain", () => {
  it("text: copies with what differs from the base, and the routes inserted", () => {
    const r = runCli(["explain", "bob", BOOKSHOP, ...NOW_ARGS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        "adds 8 objects:",
        "  Deployment",
        "    bookshop/ratings-v1-bob  (copy of ratings-v1)",
        "      container ratings: image: registry.example.com/bookshop/ratings:1.20.1 → registry.example.com/bookshop/ratings:pr-77",
        "      container ratings: env FEATURE_STARS: + on",
        "      container ratings: env FORK_IDENTIFIER: + bob",
        "    bookshop/reviews-v2-bob  (copy of reviews-v2)",
        "      replicas: 1 → 2",
        "      container reviews: image: registry.example.com/bookshop/reviews-v2:1.20.1 → registry.example.com/bookshop/reviews-v2:pr-77",
        "      container reviews: env STAR_COLOR: black → gold",
      ].join("\n"),
    );
    expect(r.stdout).toContain("      pod template: metadata.annotations.sidecar.istio.io/logLevel: + debug\n");
    expect(r.stdout).toContain(
      [
        "  VirtualService bookshop/reviews: inserts 2 routes before the base routes",
        '    "kubefork-bob-jason"',
        "      when end-user=jason AND x-fork-identifier=bob",
        "        or end-user=jason AND baggage ~ ^(.*[,\\s])?kubefork\\s*=\\s*bob(\\s*[;,].*)?\\s*$",
        "      to   reviews-bob.bookshop.svc.cluster.local",
      ].join("\n"),
    );
    expect(r.stdout).toContain("  VirtualService bookshop/ratings-kubefork  (new, shared by the forks of this host): routes\n");
    // Only this fork's routes: alice's are not in bob's explanation.
    expect(r.stdout).not.toContain("alice");
  });

  it("markdown for a pull-request comment: heading, table, diff and yaml blocks", () => {
    const r = runCli(["explain", "carol", withIngress(), ...NOW_ARGS, "--format", "markdown"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("### kubefork: fork `carol`\n\nfile `forks/carol.yaml` · owner carol@example.com · expires `2026-12-01T09:00:00Z` (in 7d 21h)\n\n**URLs:** http://carol.bookshop.example.com\n");
    expect(r.stdout).toContain("| Kind | Name | Copy of | Details |\n|---|---|---|---|\n| Deployment | `bookshop/productpage-v1-carol` | `productpage-v1` | – |\n");
    expect(r.stdout).toContain("```diff\n@@ Deployment @@\n- replicas: 2\n+ replicas: 1\n@@ container productpage @@\n- image: registry.example.com/bookshop/productpage:1.20.1\n+ image: registry.example.com/bookshop/productpage:pr-101\n+ args: [\"--debug\"]\n");
    expect(r.stdout).toContain("```yaml\n- name: kubefork-carol\n  match:\n");
  });

  it("an expired fork renders nothing; an unknown one is an error", () => {
    expect(runCli(["explain", "dave", BOOKSHOP, ...NOW_ARGS]).stdout).toContain("the fork has expired: it renders nothing");
    const u = runCli(["explain", "zoe", BOOKSHOP, ...NOW_ARGS]);
    expect(u.code).toBe(1);
    expect(u.stderr).toBe("error: no fork 'zoe': there is no forks/zoe.yaml [KF6027]\n  hint: forks are: alice, bob, carol, dave\n");
  });
});

describe("kubefork trace", () => {
  const trace = (...args: string[]) => runCli(["trace", BOOKSHOP, ...NOW_ARGS, ...args]);

  it("a base route on a header: end-user jason reaches reviews v2", () => {
    const r = trace("--host", "reviews", "-H", "end-user: jason");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "GET http://reviews/  end-user: jason",
        "  from a workload in namespace bookshop (pass --from or --gateway to choose)",
        "hop 1  mesh bookshop  host reviews (reviews.bookshop.svc.cluster.local)  GET /",
        '       VirtualService bookshop/reviews  route 2 "jason" (match 0)',
        '       match 0: header end-user exact "jason"',
        "       → reviews.bookshop.svc.cluster.local:9080 subset v2 (100%)  Service bookshop/reviews [version=v2] → Deployment bookshop/reviews-v2",
        "",
      ].join("\n"),
    );
  });

  it("a weighted route: v1 and v3, 50% each", () => {
    const r = trace("--host", "reviews", "--from", "bookshop");
    expect(r.stdout).toContain('VirtualService bookshop/reviews  route 3 "default"\n');
    expect(r.stdout).toContain("→ reviews.bookshop.svc.cluster.local:9080 subset v1 (50%)  Service bookshop/reviews [version=v1] → Deployment bookshop/reviews-v1\n");
    expect(r.stdout).toContain("→ reviews.bookshop.svc.cluster.local:9080 subset v3 (50%)  Service bookshop/reviews [version=v3] → Deployment bookshop/reviews-v3\n");
  });

  it("a forked hop: bob's header reaches reviews-v2-bob", () => {
    const r = trace("--host", "reviews", "--header", "bob");
    expect(r.stdout).toContain("GET http://reviews/  x-fork-identifier: bob\n");
    expect(r.stdout).toContain('VirtualService bookshop/reviews  route 1 "kubefork-bob-default" (match 0)\n');
    expect(r.stdout).toContain("→ reviews-bob.bookshop.svc.cluster.local:9080 (100%)  Service bookshop/reviews-bob → Deployment bookshop/reviews-v2-bob\n");
  });

  it("an unforked hop: bob's header to details stays on the base", () => {
    const r = trace("--host", "details", "--header", "bob");
    expect(r.stdout).toContain("no route: Kubernetes Service default (no VirtualService or HTTPRoute claims the host)\n");
    expect(r.stdout).toContain("→ details.bookshop.svc.cluster.local:9080 (100%)  Service bookshop/details → Deployment bookshop/details-v1\n");
  });

  it("a gateway hop: bookshop.example.com/productpage enters by the Istio Gateway and reaches productpage-v1", () => {
    const r = trace("--host", "bookshop.example.com", "--path", "/productpage");
    expect(r.stdout).toContain("  through gateway bookshop/bookshop-gateway (Istio Gateway bookshop/bookshop-gateway serves bookshop.example.com)\n");
    expect(r.stdout).toContain('       VirtualService bookshop/bookshop  route 2 "pages" (match 0)\n');
    expect(r.stdout).toContain("→ productpage.bookshop.svc.cluster.local:9080 (100%)  Service bookshop/productpage → Deployment bookshop/productpage-v1\n");
  });

  it("hop by hop with --then: bob's header follows into his copy of ratings", () => {
    const r = trace("--host", "reviews", "--header", "bob", "--then", "ratings", "-o", "json");
    const { hops } = JSON.parse(r.stdout) as { hops: { destinations: { workloads: { name: string }[] }[] }[] };
    expect(hops.map((h) => h.destinations.flatMap((d) => d.workloads.map((w) => w.name)))).toEqual([["reviews-v2-bob"], ["ratings-v1-bob"]]);
  });

  it("with clusterDomain: corp.internal, bob's header reaches his copy: FQDNs use the manager's domain, no 503", () => {
    const dir = bookshopCopy();
    const f = join(dir, "kubefork.yaml");
    writeFileSync(f, readFileSync(f, "utf8").replace("  routing: istio\n", "  routing: istio\n  clusterDomain: corp.internal\n"));
    const r = runCli(["trace", dir, ...NOW_ARGS, "--host", "reviews", "--header", "bob"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("hop 1  mesh bookshop  host reviews (reviews.bookshop.svc.corp.internal)  GET /\n");
    expect(r.stdout).toContain("→ reviews-bob.bookshop.svc.corp.internal:9080 (100%)  Service bookshop/reviews-bob → Deployment bookshop/reviews-v2-bob\n");
    expect(r.stdout).not.toContain("503");
  });

  it("an ingress host <id>.<domain> enters by the ingress entry's gateway", () => {
    const r = runCli(["trace", withIngress(), ...NOW_ARGS, "--host", "carol.bookshop.example.com/productpage"]);
    expect(r.stdout).toContain("  through gateway bookshop/bookshop-gateway (ingress bookshop.example.com of kubefork.yaml)\n");
  });
});

describe("kubefork schema", () => {
  it("prints the committed schemas", () => {
    expect(runCli(["schema"]).stdout).toBe(jsonSchemaText("fork"));
    expect(runCli(["schema", "manager"]).stdout).toBe(jsonSchemaText("manager"));
    expect(runCli(["schema", "nope"]).code).toBe(64);
  });
});

describe("kubefork validate --format github", () => {
  it("annotations name files from the repository root, escaped as the Actions toolkit does", () => {
    const dir = bookshopCopy();
    writeFileSync(join(dir, "forks/erin.yaml"), UNKNOWN_WORKLOAD);
    const repo = join(dir, "..");
    for (const [cwd, arg, env] of [
      [repo, "app", {}],
      [repo, "./app/", {}],
      [repo, dir, {}],
      ["/", dir, { GITHUB_WORKSPACE: repo }],
    ] as const) {
      const r = runCli(["validate", "--format", "github", arg, ...NOW_ARGS], { cwd, env });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(
        "::notice file=app/forks/dave.yaml,line=7,col=3,title=kubefork validate%3A spec.expires::fork 'dave' expired at 2026-11-20T00:00:00Z; it is not rendered [KF4001]%0Ahint: extend spec.expires to bring it back, or remove the file (kubefork gc does it for every expired fork)\n" +
          "::error file=app/forks/erin.yaml,line=8,col=7,title=kubefork validate%3A spec.workloads[0].name::no Deployment 'ratings-v9' in the base [KF4002]%0Ahint: did you mean 'ratings-v1'?\n",
      );
      // The whole list goes to the log as well (GitHub shows at most 10 annotations of a level per step).
      expect(r.stderr).toContain("forks/erin.yaml:8:7: error: spec.workloads[0].name: no Deployment 'ratings-v9' in the base [KF4002]\n");
    }
  });
});

describe("kubefork validate --format json", () => {
  it("prints every problem as a value: code and its name, file, line, field path, structured object reference", () => {
    const dir = bookshopCopy();
    writeFileSync(join(dir, "forks/erin.yaml"), UNKNOWN_WORKLOAD);
    // The same ConfigMap twice in the base: a problem about an object, with its reference.
    writeFileSync(join(dir, "base/twice.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  namespace: bookshop\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  namespace: bookshop\n");
    const r = runCli(["validate", "--format", "json", dir, ...NOW_ARGS]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; problems: Record<string, unknown>[] };
    expect(out.valid).toBe(false);
    expect(out.problems).toContainEqual({ kind: "invalid", severity: "error", code: "KF1044", name: "ObjectDefinedTwice", file: "base/twice.yaml", line: 7, doc: 1, object: "ConfigMap bookshop/dup", ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "bookshop", name: "dup", file: "base/twice.yaml", index: 1, line: 7 }, message: "defined twice: also in base/twice.yaml:1", hint: "remove one of the two definitions" });
    expect(r.stderr).toBe("invalid: 1 error, 0 warnings\n");
  });

  it("a fork's problems carry the field they concern", () => {
    const dir = bookshopCopy();
    writeFileSync(join(dir, "forks/erin.yaml"), UNKNOWN_WORKLOAD);
    const r = runCli(["validate", "--format", "json", dir, ...NOW_ARGS]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { problems: { code: string; name: string; file?: string; line?: number; path?: string; severity: string }[] };
    expect(out.problems.map((p) => [p.code, p.name, p.severity, p.file, p.line, p.path])).toEqual([
      ["KF4001", "ForkExpired", "note", "forks/dave.yaml", 7, "spec.expires"],
      ["KF4002", "WorkloadNotFound", "error", "forks/erin.yaml", 8, "spec.workloads[0].name"],
    ]);
    for (const p of out.problems) expect(p).not.toHaveProperty("stack");
  });
});
