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
  for (let i = 0; i < objects.length; i++) parts[i] = yamlDocument(objects[i]!);
  return parts.join("---\n");
}

/**
 * One object as a YAML document. js-yaml's dumper overflows the stack on a string of some MB (a
 * regular expression of its own); such an object is written as JSON, which is YAML too (a flow
 * mapping, every string double-quoted), and reads back the same.
 */
function yamlDocument(o: KObject): string {
  try {
    return dumpYaml(o);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // JSON leaves DEL, the C1 controls, LS and PS raw; go-yaml refuses the first and breaks lines at NEL, LS and PS.
    return `${JSON.stringify(o).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
  }
}

/** YAML for one object: block style, no anchors, no line folding, strings quoted where YAML 1.1 (go-yaml v2, as Kubernetes reads) would misread them. */
export function dumpYaml(o: unknown): string {
  return dump(o, { noRefs: true, lineWidth: -1, skipInvalid: true, schema: EMIT_SCHEMA });
}
