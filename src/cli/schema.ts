// `kubefork schema [fork|manager]`: prints the JSON Schema of a fork file or of kubefork.yaml.
// The same text is committed under schema/ (a test checks it is up to date).
import { error, EXIT } from "../problems.ts";
import { jsonSchemaText, SCHEMA_NAMES, type SchemaName } from "../review/schema.ts";
import type { Io } from "./io.ts";
import { printProblems } from "./report.ts";

export function schemaCommand(io: Io, name: string | undefined): number {
  const n = (name ?? "fork") as SchemaName;
  if (!SCHEMA_NAMES.includes(n)) {
    printProblems(io, [error({ code: "KF6030", message: `no schema '${name}'`, hint: `kubefork schema ${SCHEMA_NAMES.join(" | ")}` })]);
    return EXIT.usage;
  }
  io.stdout(jsonSchemaText(n));
  return EXIT.ok;
}
