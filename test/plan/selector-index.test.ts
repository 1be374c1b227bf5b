// SelectorIndex finds the selectors that may select a label set without reading them all; with
// `selects` deciding, it must give exactly what a scan of every selector gives, in base order.
import { describe, expect, it } from "vitest";
import { isolateLabels, SelectorIndex, selects, type BaseSelector } from "../../src/plan/labels.ts";

const svc = (owner: string, sel: Record<string, unknown>): BaseSelector => ({ owner, kind: "service", selector: { matchLabels: sel as Record<string, string> } });
const wl = (owner: string, sel: object): BaseSelector => ({ owner, kind: "workload", selector: sel as BaseSelector["selector"] });

const selectors: BaseSelector[] = [
  svc("s-app-a", { app: "a" }),
  svc("s-app-a-v1", { app: "a", version: "v1" }),
  svc("s-version-v1", { version: "v1" }),
  svc("s-empty", {}),
  svc("s-number", { version: 1 }),
  wl("w-app-a", { matchLabels: { app: "a" } }),
  wl("w-empty", {}),
  wl("w-empty-matchLabels", { matchLabels: {} }),
  wl("w-expr-in", { matchExpressions: [{ key: "app", operator: "In", values: ["a", "b"] }] }),
  wl("w-notin", { matchExpressions: [{ key: "track", operator: "NotIn", values: ["canary"] }] }),
  wl("w-both", { matchLabels: { tier: "web" }, matchExpressions: [{ key: "app", operator: "Exists" }] }),
  svc("s-app-b", { app: "b" }),
];

describe("SelectorIndex", () => {
  const index = new SelectorIndex(selectors);
  it.each([
    ["app a", { app: "a" }],
    ["app a v1", { app: "a", version: "v1" }],
    ["version 1 as text", { version: "1" }],
    ["app b web", { app: "b", tier: "web" }],
    ["canary", { app: "c", track: "canary" }],
    ["no labels", {}],
  ])("%s: same selectors as a full scan, in base order", (_n, labels) => {
    const l = labels as Record<string, string>;
    const scan = selectors.filter((s) => selects(s, l)).map((s) => s.owner);
    expect(index.candidates(l).filter((s) => selects(s, l)).map((s) => s.owner)).toEqual(scan);
    expect(isolateLabels(l, index, { f: "x" })).toEqual(isolateLabels(l, selectors, { f: "x" }));
  });
});
