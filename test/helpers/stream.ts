// Parses a render's stdout the way Argo CD does: a multi-document YAML stream, or concatenated
// JSON objects; `kind: List` expanded.
import { parseAllDocuments } from "yaml";

export type Obj = Record<string, any>;

export function parseStream(text: string): Obj[] {
  const trimmed = text.trimStart();
  const docs: Obj[] = [];
  if (trimmed.startsWith("{")) {
    for (const line of text.split("\n")) if (line.trim()) docs.push(JSON.parse(line));
  } else {
    for (const d of parseAllDocuments(text)) {
      if (d.errors.length) throw new Error(`unparseable YAML in output: ${d.errors[0]!.message}`);
      const v = d.toJS();
      if (v !== null && v !== undefined) docs.push(v);
    }
  }
  return docs.flatMap((o) => (typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items) ? o.items : [o]));
}

export function keyOf(o: Obj): string {
  return `${o.apiVersion}|${o.kind}|${o.metadata?.namespace ?? ""}|${o.metadata?.name}`;
}
