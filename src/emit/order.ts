// The canonical order of generated objects: by fork (shared first), then kind, namespace, name.
import type { OutputObject } from "../generate/types.ts";

const KIND_ORDER = [
  "ConfigMap",
  "Service",
  "Deployment",
  "StatefulSet",
  "DestinationRule",
  "VirtualService",
  "HTTPRoute",
  "Mapping",
  "NetworkPolicy",
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareOutput(a: OutputObject, b: OutputObject): number {
  return (
    cmp(a.fork ?? "", b.fork ?? "") ||
    kindRank(a.object.kind) - kindRank(b.object.kind) ||
    cmp(a.object.kind, b.object.kind) ||
    cmp(a.object.metadata.namespace ?? "", b.object.metadata.namespace ?? "") ||
    cmp(a.object.metadata.name, b.object.metadata.name)
  );
}
