// Object names across forks and the shared part (src/policy/names.ts), in every render scope.
import { describe, expect, it } from "vitest";
import { reservedIdentifier } from "../../src/policy/names.ts";
import { fork, renderApp, svc, workload } from "../helpers/inprocess.ts";

const deployment = (name: string) => `${workload(name, `{containers: [{name: ${name}, image: registry.example.com/${name}:1}]}`)}---\n${svc(name, "[{name: http, port: 80}]")}`;
const errors = (r: ReturnType<typeof renderApp>) => r.problems.filter((p) => p.severity === "error");

describe("reservedIdentifier", () => {
  it.each([
    ["kubefork", true],
    ["http-kubefork", true],
    ["kubefork-x", false],
    ["alice", false],
  ])("%s: %s", (id, reserved) => expect(reservedIdentifier(id) !== undefined).toBe(reserved));
});

describe("names", () => {
  const base = { "shop.yaml": `${deployment("web")}---\n${deployment("cart")}---\n${deployment("cart-a")}` };

  it("--shared leaves a fork named kubefork out, so the shared <svc>-kubefork VirtualService is made once, by the shared part", () => {
    const r = renderApp({ base, forks: { alice: fork("alice", ["web"]), kubefork: fork("kubefork", ["web"]) } }, { scope: { kind: "shared" } });
    expect(errors(r)).toEqual([]);
    expect(r.problems.some((p) => p.file === "forks/kubefork.yaml" && p.severity === "warning" && p.message.includes("the identifier is reserved"))).toBe(true);
    const named = r.objects.filter((o) => o.metadata.name === "web-kubefork");
    expect(named.map((o) => o.kind)).toEqual(["VirtualService"]);
  });

  it("colliding copies fail the full render and every --fork render, each naming the other fork", () => {
    const forks = { b: fork("b", ["cart-a"]), "a-b": fork("a-b", ["cart"]) };
    const full = renderApp({ base, forks });
    expect(full.objects).toEqual([]);
    expect(errors(full).map((p) => p.file)).toEqual(expect.arrayContaining(["forks/a-b.yaml", "forks/b.yaml"]));
    for (const [id, other] of [["b", "a-b"], ["a-b", "b"]] as const) {
      const r = renderApp({ base, forks }, { scope: { kind: "fork", id } });
      expect(r.objects).toEqual([]);
      expect(errors(r).every((p) => p.file === `forks/${id}.yaml`)).toBe(true);
      expect(errors(r).map((p) => p.message)).toContain(`fork '${id}' produces Deployment shop/cart-a-b, which is also produced by fork '${other}' (forks/${other}.yaml)`);
      const hit = errors(r).find((p) => p.message.startsWith(`fork '${id}' produces Deployment shop/cart-a-b`));
      expect([hit?.code, hit?.ref]).toEqual(["KF3003", { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "cart-a-b" }]);
    }
  });

  it("--fork ignores the other forks' own problems", () => {
    const r = renderApp({ base, forks: { alice: fork("alice", ["web"]), bob: fork("bob", ["nothing"]) } }, { scope: { kind: "fork", id: "alice" } });
    expect(errors(r)).toEqual([]);
    expect(r.objects.length).toBeGreaterThan(0);
  });
});
