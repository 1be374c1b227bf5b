// JSON Schemas of the Fork and the ForkManager, generated from the zod models, for editors
// (yaml-language-server reads JSON Schema draft-07 and below) and CI validators.
import * as z from "zod/mini";
import { forkSchema } from "../model/fork.ts";
import { managerSchema } from "../model/manager.ts";

export const SCHEMA_NAMES = ["fork", "manager"] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const META: Record<SchemaName, { title: string; description: string }> = {
  fork: {
    title: "kubefork Fork",
    description: "A fork file forks/<id>.yaml: the workloads to copy and what to change in the copies. Generated from the zod model by `kubefork schema fork`.",
  },
  manager: {
    title: "kubefork ForkManager",
    description: "kubefork.yaml: the fork header, routing flavour, ingress and policy of an app directory. Generated from the zod model by `kubefork schema manager`.",
  },
};

/** The schema as an object: what a file may hold (inputs: fields with defaults are optional). */
export function jsonSchema(name: SchemaName): Record<string, unknown> {
  const model = name === "fork" ? forkSchema : managerSchema;
  const generated = z.toJSONSchema(model, { io: "input", target: "draft-7", unrepresentable: "any" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, ...META[name], ...rest };
}

/** The committed text of schema/<name>.schema.json. */
export function jsonSchemaText(name: SchemaName): string {
  return `${JSON.stringify(jsonSchema(name), null, 2)}\n`;
}
