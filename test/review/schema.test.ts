// The committed JSON Schemas are the ones the zod models give, and they accept what the loader accepts.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { jsonSchema, jsonSchemaText, SCHEMA_NAMES } from "../../src/review/schema.ts";
import { BOOKSHOP, ROOT } from "../helpers/cli.ts";

const REGENERATE = "node dist/kubefork.cjs schema fork > schema/fork.schema.json && node dist/kubefork.cjs schema manager > schema/manager.schema.json (after npm run build)";

describe("schema/*.schema.json", () => {
  for (const name of SCHEMA_NAMES)
    it(`schema/${name}.schema.json is up to date with the zod model`, () => {
      const committed = readFileSync(join(ROOT, `schema/${name}.schema.json`), "utf8");
      expect(committed === jsonSchemaText(name), `schema/${name}.schema.json is out of date: regenerate it with\n  ${REGENERATE}`).toBe(true);
    });

  const ajv = new Ajv({ allErrors: true, strict: false });
  const fork = ajv.compile(jsonSchema("fork"));
  const manager = ajv.compile(jsonSchema("manager"));

  it("the bookshop's fork files and kubefork.yaml validate", () => {
    for (const f of readdirSync(join(BOOKSHOP, "forks"))) expect(fork(parse(readFileSync(join(BOOKSHOP, "forks", f), "utf8"))), `${f}: ${ajv.errorsText(fork.errors)}`).toBe(true);
    expect(manager(parse(readFileSync(join(BOOKSHOP, "kubefork.yaml"), "utf8"))), ajv.errorsText(manager.errors)).toBe(true);
  });

  it("is draft-07 (what yaml-language-server reads) and refuses unknown fields, as the loader does", () => {
    expect(jsonSchema("fork").$schema).toBe("http://json-schema.org/draft-07/schema#");
    const ok = { apiVersion: "kubefork.dev/v1alpha1", kind: "Fork", metadata: { name: "a" }, spec: { workloads: [{ name: "w" }] } };
    expect(fork(ok)).toBe(true);
    expect(fork({ ...ok, spec: { ...ok.spec, workload: [] } })).toBe(false);
    expect(fork({ ...ok, metadata: { name: "Alice" } })).toBe(false);
    expect(fork({ ...ok, spec: { workloads: [] } })).toBe(false);
  });

  it("ingress entries: one variant per kind, as the loader reads them (a Gateway for istio, apiVersion only for emissary, no unknown kind)", () => {
    const withIngress = (e: Record<string, unknown>) => ({ apiVersion: "kubefork.dev/v1alpha1", kind: "ForkManager", metadata: { name: "m" }, spec: { ingress: [{ domain: "shop.example.com", ...e }] } });
    expect(manager(withIngress({ kind: "istio", gateway: "ns/gw" }))).toBe(true);
    expect(manager(withIngress({ kind: "emissary", apiVersion: "getambassador.io/v2" }))).toBe(true);
    expect(manager(withIngress({ kind: "istio" }))).toBe(false);
    expect(manager(withIngress({ kind: "istio", gateway: "ns/gw", apiVersion: "getambassador.io/v2" }))).toBe(false);
    expect(manager(withIngress({ kind: "emissary", gateway: "ns/gw" }))).toBe(false);
    expect(manager(withIngress({ kind: "traefik" }))).toBe(false);
  });
});
