// `kubefork comment`: the body the example workflow (examples/github/pr-comment.yaml) posts on a
// pull request, made here on the bookshop fixture through the bundled CLI.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMENT_MARKER } from "../../src/review/comment.ts";
import { BOOKSHOP, bookshopCopy, NOW_ARGS, runCli } from "../helpers/cli.ts";

describe("kubefork comment", () => {
  it("starts with the marker, explains each changed fork, says why a broken one does not render, marks removed ones", () => {
    const dir = bookshopCopy();
    try {
      writeFileSync(join(dir, "forks/erin.yaml"), "apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata:\n  name: erin\nspec:\n  expires: '2026-11-24T00:00:00Z'\n  workloads:\n    - name: nope\n");
      const r = runCli(["comment", dir, "--fork", "erin,bob", "--removed", "zed", ...NOW_ARGS]);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
      // Each changed fork: exactly what `explain --format markdown` prints, in identifier order.
      const bob = runCli(["explain", "bob", dir, "--format", "markdown", ...NOW_ARGS]);
      expect(bob.code).toBe(0);
      expect(r.stdout).toContain(bob.stdout.trimEnd());
      const order = ["### kubefork: fork `bob`", "### kubefork: fork `erin` does not render", "### kubefork: fork `zed` removed"].map((h) => r.stdout.indexOf(h));
      expect(order.every((i) => i > 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(r.stdout).toContain("forks/erin.yaml:8:7: error: spec.workloads[0].name: no Deployment 'nope' in the base");
      expect(r.stdout).toContain("Argo CD prunes the fork's objects when this pull request merges");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists a fork's URLs before its objects", () => {
    const r = runCli(["comment", join(BOOKSHOP, "../../ingress-istio/app"), "--fork", "carol", ...NOW_ARGS]);
    expect(r.code).toBe(0);
    const urls = r.stdout.indexOf("**URLs:** http://carol.");
    expect(urls).toBeGreaterThan(0);
    expect(urls).toBeLessThan(r.stdout.indexOf("#### Adds"));
  });

  it("with nothing changed says so", () => {
    const r = runCli(["comment", BOOKSHOP, "--fork", "", "--removed", "", ...NOW_ARGS]);
    expect(r).toMatchObject({ code: 0, stdout: `${COMMENT_MARKER}\n\nkubefork: this pull request changes no fork.\n` });
  });
});
