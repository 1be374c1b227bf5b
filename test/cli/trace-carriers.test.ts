// `kubefork trace --carrier` and `--forward`, and `explain` listing the carriers, in process.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { traceIdPrefix } from "../../src/model/carriers.ts";
import { NOW_ARGS, ROOT } from "../helpers/cli.ts";
import { runInProcess as kubefork } from "../helpers/inprocess.ts";

const APP = join(ROOT, "fixtures/carriers-istio/app");
const NOW = [...NOW_ARGS, "-n", "bookshop"];

describe("kubefork trace --carrier / --forward", () => {
  it("traceId through a middle service that forwards only traceparent: the fork serves the last hop", async () => {
    const r = await kubefork(["trace", APP, ...NOW, "--host", "reviews", "--header", "alice", "--carrier", "traceId", "--forward", "traceparent", "--then", "ratings", "-o", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { request: { headers: Record<string, string> }; hops: { requestHeaders: Record<string, string>; destinations: { workloads: { name: string }[] }[] }[] };
    expect(out.request.headers.traceparent).toBe(`00-${traceIdPrefix("alice")}0000000000000000-0000000000000001-03`);
    expect(out.hops.map((h) => Object.keys(h.requestHeaders))).toEqual([["traceparent", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled"], ["traceparent"]]);
    expect(out.hops[1]!.destinations.flatMap((d) => d.workloads.map((w) => w.name))).toEqual(["ratings-v1-alice"]);
  });

  it("source: a request from a pod of the fork; --forward none on the next hop", async () => {
    const r = await kubefork(["trace", APP, ...NOW, "--host", "reviews", "--header", "bob", "--forward", "none", "--then", "ratings"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('VirtualService bookshop/ratings-kubefork  route 1 "kubefork-bob" (match 5)\n       match 5: sourceLabels kubefork.dev/fork=bob\n');
    const s = await kubefork(["trace", APP, ...NOW, "--host", "ratings", "--header", "bob", "--carrier", "source", "--from", "bookshop"]);
    expect(s.stdout).toContain("  from a pod of the fork in namespace bookshop\nhop 1  mesh bookshop (kubefork.dev/fork=bob)");
    expect(s.stdout).toContain("→ Deployment bookshop/ratings-v1-bob");
  });

  it("usage errors: --carrier without --header, an unknown carrier, source through a gateway", async () => {
    expect(await kubefork(["trace", APP, ...NOW, "--host", "ratings", "--carrier", "traceId"])).toMatchObject({ code: 64, stdout: "", stderr: "error: --carrier needs --header ID: the fork the carriers name [KF6032]\n" });
    expect((await kubefork(["trace", APP, ...NOW, "--host", "ratings", "--header", "bob", "--carrier", "spanId"])).stderr).toBe("error: --carrier spanId: expected one of header, baggage, tracestate, traceId, source [KF6032]\n");
    const g = await kubefork(["trace", APP, ...NOW, "--host", "bookshop.example.com", "--header", "bob", "--carrier", "source", "--gateway", "bookshop/bookshop-gateway"]);
    expect(g.code).toBe(64);
    expect(g.stderr).toContain("--carrier source: the request comes from a pod of the fork in the mesh, not through a gateway (use --from NAMESPACE) [KF6032]\n");
  });
});

describe("kubefork explain lists the carriers", () => {
  it("text and markdown", async () => {
    const t = await kubefork(["explain", "alice", APP, ...NOW]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(
      [
        "carriers (a request reaches the fork with any of them):",
        "  header     x-fork-identifier: alice",
        "  baggage    baggage entry kubefork=alice",
        "  tracestate tracestate entry kubefork=alice",
        `  traceId    traceparent or x-b3-traceid with a trace id starting ${traceIdPrefix("alice")} (kubefork headers alice mints one)`,
        "  source     calls from the fork's pods (sourceLabels kubefork.dev/fork=alice; sidecars, VirtualServices only)",
      ].join("\n"),
    );
    const m = await kubefork(["explain", "alice", APP, ...NOW, "--format", "markdown"]);
    expect(m.stdout).toContain("**Carriers:** header (x-fork-identifier: alice) · baggage (baggage entry kubefork=alice) · tracestate");
  });
});
