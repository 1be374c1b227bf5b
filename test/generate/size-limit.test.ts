// Table tests of the object size limit: an emitted or extended object whose JSON exceeds 1 MiB is
// an error with a hint, and nothing is emitted (etcd stores at most 1.5 MiB per request by default).
import { describe, expect, it } from "vitest";
import { checkObjectSizes, MAX_OBJECT_BYTES } from "../../src/generate/size-limit.ts";
import type { KObject } from "../../src/model/k8s.ts";
import { appFiles, renderFiles } from "../helpers/inprocess.ts";
import { NOW } from "../helpers/cli.ts";

const configMap = (bytes: number): KObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big", namespace: "ns" }, data: { k: "x".repeat(bytes) } });
const overhead = JSON.stringify(configMap(0)).length;

describe("checkObjectSizes", () => {
  it.each([
    { name: "exactly 1 MiB of JSON passes", bytes: MAX_OBJECT_BYTES - overhead, errors: 0 },
    { name: "one byte over 1 MiB is an error", bytes: MAX_OBJECT_BYTES - overhead + 1, errors: 1 },
  ])("$name", ({ bytes, errors }) => {
    const ps = checkObjectSizes([{ object: configMap(bytes), fork: "bob" }], new Map());
    expect(ps.length).toBe(errors);
    if (errors) expect([ps[0]!.code, ps[0]!.ref]).toEqual(["KF5020", { apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: "big" }]);
    if (errors) expect(ps[0]!.message).toBe(`ConfigMap ns/big with fork 'bob' would be ${MAX_OBJECT_BYTES + 1} bytes (1.00 MiB) of JSON, over the 1 MiB kubefork allows (etcd stores at most 1.5 MiB per object by default)`);
  });
});

/** bookshop with a reviews VirtualService of `routes` routes and `forks` forks of reviews-v1. */
function bigHost(routes: number, forks: number) {
  return renderFiles(
    appFiles("bookshop", (f) => {
      f["kubefork.yaml"] = f["kubefork.yaml"]!.replace("maxForks: 10", "maxForks: 500");
      for (const k of Object.keys(f)) if (k.startsWith("forks/")) delete f[k];
      const http = Array.from(
        { length: routes },
        (_, i) => `    - name: r${i}\n      match:\n        - uri: {prefix: /api/v1/reviews/section-${i}/with/a/long/path/segment}\n          headers: {end-user: {exact: user-${i}}}\n      route:\n        - destination: {host: reviews, subset: v1}\n`,
      ).join("");
      f["base/reviews.yaml"] = f["base/reviews.yaml"]!.replace(/  http:\n    - name: jason[\s\S]*?(\n---|$)/, `  http:\n${http}$1`);
      for (let i = 0; i < forks; i++)
        f[`forks/f${i}.yaml`] = `apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata: {name: f${i}}\nspec:\n  expires: "2026-11-30T00:00:00Z"\n  owner: dev${i}@example.com\n  workloads: [{name: reviews-v1}]\n`;
    }),
    { now: NOW },
  );
}

describe("a host with many routes and many forks", () => {
  it("under 1 MiB renders", () => {
    const r = bigHost(30, 10);
    expect(r.problems.filter((p) => p.severity === "error").map((p) => p.message)).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("over 1 MiB is an error at the base VirtualService, with a hint, and nothing is emitted", () => {
    const r = bigHost(30, 200);
    const errors = r.problems.filter((p) => p.severity === "error");
    expect(errors.map((p) => [p.code, p.file, p.object, p.hint])).toEqual([
      [
        "KF5020",
        "base/reviews.yaml",
        "VirtualService bookshop/reviews",
        "fewer live forks on this host (each adds its copy of the route's rules here), or split the base route into several objects, or route the host with an HTTPRoute on its Service instead of the VirtualService (Gateway API: one route per fork; spec.routing alone does not change a host the base routes with a VirtualService)",
      ],
    ]);
    expect(errors[0]!.message).toMatch(/^VirtualService bookshop\/reviews with the forks' rules would be \d+ bytes \(\d\.\d\d MiB\) of JSON, over the 1 MiB/);
    expect({ ok: r.ok, text: r.text, objects: r.result!.objects }).toEqual({ ok: false, text: "", objects: [] });
  });
});
