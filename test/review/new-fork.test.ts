// Building a new fork document from the base (pure), case by case.
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readApp } from "../../src/cli/app-dir.ts";
import { loadFork } from "../../src/load/app.ts";
import { buildIndex, type BaseIndex } from "../../src/plan/base-index.ts";
import { buildNewFork, forkText, type NewForkInput } from "../../src/review/new-fork.ts";
import { BOOKSHOP } from "../helpers/cli.ts";

let index: BaseIndex;
beforeAll(async () => {
  const app = await readApp(BOOKSHOP);
  index = buildIndex(app.base, { defaultNamespace: "default", clusterDomain: "cluster.local" });
});

describe("buildNewFork", () => {
  type Case = { name: string; input: Omit<NewForkInput, "id">; spec?: unknown; errors?: { message: string; hint?: string }[] };
  const cases: Case[] = [
    {
      name: "one workload: its namespace is read from the base, the image shorthand on a single-container pod",
      input: { workloads: [{ name: "ratings-v1" }], images: ["registry.example.com/bookshop/ratings:pr-1"], expires: "2026-11-26T12:00:00Z", owner: "a@example.com" },
      spec: { expires: "2026-11-26T12:00:00Z", owner: "a@example.com", workloads: [{ name: "ratings-v1", namespace: "bookshop", image: "registry.example.com/bookshop/ratings:pr-1" }] },
    },
    {
      name: "several workloads, images by workload, env and replicas",
      input: {
        workloads: [{ name: "reviews-v2" }, { name: "ratings-v1" }],
        images: ["reviews-v2=registry.example.com/bookshop/reviews-v2:pr-7", "ratings-v1=registry.example.com/bookshop/ratings:pr-7"],
        env: [{ name: "FEATURE_STARS", value: "on" }],
        replicas: 2,
      },
      spec: {
        env: [{ name: "FEATURE_STARS", value: "on" }],
        workloads: [
          { name: "reviews-v2", namespace: "bookshop", replicas: 2, image: "registry.example.com/bookshop/reviews-v2:pr-7" },
          { name: "ratings-v1", namespace: "bookshop", replicas: 2, image: "registry.example.com/bookshop/ratings:pr-7" },
        ],
      },
    },
    {
      name: "multi-container pod with --container: a containers entry",
      input: { workloads: [{ name: "productpage-v1" }], images: ["registry.example.com/bookshop/productpage:pr-3"], containers: ["productpage"] },
      spec: { workloads: [{ name: "productpage-v1", namespace: "bookshop", containers: [{ name: "productpage", image: "registry.example.com/bookshop/productpage:pr-3" }] }] },
    },
    {
      name: "multi-container pod without --container: refused, the container with the same repository suggested",
      input: { workloads: [{ name: "productpage-v1" }], images: ["registry.example.com/bookshop/productpage:pr-3"] },
      errors: [
        {
          message: "Deployment bookshop/productpage-v1 has 2 containers (productpage, log-shipper): --image needs --container",
          hint: "pass --container productpage (its image is registry.example.com/bookshop/productpage:1.20.1)",
        },
      ],
    },
    {
      name: "unknown workload: close matches",
      input: { workloads: [{ name: "ratings-v2" }] },
      errors: [{ message: "no Deployment 'ratings-v2' in the base", hint: "did you mean 'ratings-v1'?" }],
    },
    {
      name: "unknown namespace: the names there",
      input: { workloads: [{ name: "ratings-v1", namespace: "shop" }] },
      errors: [{ message: "no Deployment 'ratings-v1' in namespace shop in the base", hint: "Deployment 'ratings-v1' is in namespace bookshop: pass --workload bookshop/ratings-v1" }],
    },
    {
      name: "an unknown namespace with no such name anywhere: the (empty) names there",
      input: { workloads: [{ name: "ratings-v9", namespace: "shop" }] },
      errors: [{ message: "no Deployment 'ratings-v9' in namespace shop in the base", hint: "the base has no Deployment in namespace shop" }],
    },
    {
      name: "wrong kind: the right one suggested",
      input: { workloads: [{ name: "ratings-v1" }], kind: "StatefulSet" },
      errors: [{ message: "no StatefulSet 'ratings-v1' in the base", hint: "'ratings-v1' is a Deployment: pass --kind Deployment" }],
    },
    {
      name: "an unknown container",
      input: { workloads: [{ name: "productpage-v1" }], images: ["x"], containers: ["productpag"] },
      errors: [{ message: "Deployment bookshop/productpage-v1 has no container 'productpag'", hint: "did you mean 'productpage'?" }],
    },
    {
      name: "an untargeted --image with several workloads",
      input: { workloads: [{ name: "reviews-v2" }, { name: "ratings-v1" }], images: ["registry.example.com/x:1"] },
      errors: [{ message: "--image registry.example.com/x:1: several workloads are forked; say which one", hint: "write --image <workload>=registry.example.com/x:1 (workloads: reviews-v2, ratings-v1)" }],
    },
    {
      name: "--container without --image",
      input: { workloads: [{ name: "productpage-v1" }], containers: ["productpage"] },
      errors: [{ message: "--container productpage is given without an --image for productpage-v1", hint: "--container picks the container whose image --image sets" }],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const r = buildNewFork(index, { id: "erin", ...c.input });
      if (c.errors) {
        expect(r.text).toBeUndefined();
        expect(r.errors).toEqual(c.errors);
        return;
      }
      expect(r.errors).toEqual([]);
      const doc = parse(r.text!);
      expect(doc).toEqual({ apiVersion: "kubefork.dev/v1alpha1", kind: "Fork", metadata: { name: "erin" }, spec: c.spec });
      // What it builds, the loader takes.
      expect(loadFork({ path: "forks/erin.yaml", text: r.text! }).problems).toEqual([]);
    });
});

describe("forkText", () => {
  it("starts with the modeline and quotes times and env values (YAML 1.1 reads on as a boolean)", () => {
    const text = forkText({ apiVersion: "kubefork.dev/v1alpha1", kind: "Fork", metadata: { name: "x" }, spec: { expires: "2026-11-26T12:00:00Z", env: [{ name: "A", value: "on" }], workloads: [{ name: "w" }] } }, "../schema/fork.schema.json");
    expect(text).toBe(
      [
        "# yaml-language-server: $schema=../schema/fork.schema.json",
        "apiVersion: kubefork.dev/v1alpha1",
        "kind: Fork",
        "metadata:",
        "  name: x",
        "spec:",
        '  expires: "2026-11-26T12:00:00Z"',
        "  env:",
        "    - name: A",
        '      value: "on"',
        "  workloads:",
        "    - name: w",
        "",
      ].join("\n"),
    );
  });
});
