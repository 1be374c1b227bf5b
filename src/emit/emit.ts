// Objects → bytes. YAML: one document per object, `---` between them; JSON: one object per line
// (concatenated JSON, as Argo CD reads it). Same objects in, same bytes out.
import { dump } from "js-yaml";
import type { KObject } from "../model/k8s.ts";
import { EMIT_SCHEMA } from "../load/yaml11.ts";

export type OutputFormat = "yaml" | "json";

export function emit(objects: readonly KObject[], format: OutputFormat): string {
  if (format === "json") {
    let s = "";
    for (const o of objects) s += `${JSON.stringify(o)}\n`;
    return s;
  }
  const parts: string[] = new Array(objects.length);
  for (let i = 0; i < objects.length; i++) parts[i] = dumpYaml(objects[i]!);
  return parts.join("---\n");
}

/** YAML for one object: block style, no anchors, no line folding, strings quoted where YAML 1.1 (go-yaml v2, as Kubernetes reads) would misread them. */
export function dumpYaml(o: unknown): string {
  return dump(o, { noRefs: true, lineWidth: -1, skipInvalid: true, schema: EMIT_SCHEMA });
}
