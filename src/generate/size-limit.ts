// No emitted object may be too large for the API server to store (SPEC: never emit an object the
// API server rejects). etcd refuses a request over --max-request-bytes, 1.5 MiB by default
// (1572864 bytes, etcd server/embed/config.go DefaultMaxRequestBytes); the API server reads
// request bodies up to 3 MiB (3145728, k8s.io/apiserver pkg/server/config.go) because built-in
// kinds shrink to protobuf, but custom resources (VirtualService, HTTPRoute, Mapping) are stored
// as JSON, with managedFields and status added. kubefork keeps each object's JSON under 1 MiB.
import type { Manifest } from "../model/inputs.ts";
import { describe, type KObject } from "../model/k8s.ts";
import { error, type Problem } from "../problems.ts";
import { objectRef, refOf } from "./meta.ts";
import type { OutputObject } from "./types.ts";

export const MAX_OBJECT_BYTES = 1024 * 1024;

/** An error per generated or extended object whose JSON exceeds MAX_OBJECT_BYTES. */
export function checkObjectSizes(generated: readonly OutputObject[], replaced: ReadonlyMap<Manifest, KObject>): Problem[] {
  const out: Problem[] = [];
  for (const g of generated) {
    const n = jsonBytes(g.object);
    if (n > MAX_OBJECT_BYTES) out.push(tooLarge(g.object, n, g.fork ? `fork '${g.fork}'` : "the shared routing", undefined));
  }
  for (const [m, o] of replaced) {
    const n = jsonBytes(o);
    if (n > MAX_OBJECT_BYTES) out.push(tooLarge(o, n, "the forks' rules", m));
  }
  return out;
}

function jsonBytes(o: KObject): number {
  return Buffer.byteLength(JSON.stringify(o), "utf8");
}

function tooLarge(o: KObject, bytes: number, what: string, base: Manifest | undefined): Problem {
  const mib = (bytes / (1024 * 1024)).toFixed(2);
  return error({
    code: "KF5020",
    ...(base ? { file: base.doc.file, line: base.doc.line } : {}),
    object: describe(o),
    ref: base ? refOf(base) : objectRef(o),
    message: `${describe(o)} with ${what} would be ${bytes} bytes (${mib} MiB) of JSON, over the 1 MiB kubefork allows (etcd stores at most 1.5 MiB per object by default)`,
    hint: base
      ? "fewer live forks on this host (each adds its copy of the route's rules here), or split the base route into several objects, or route the host with an HTTPRoute on its Service instead of the VirtualService (Gateway API: one route per fork; spec.routing alone does not change a host the base routes with a VirtualService)"
      : "fewer rules in the base route it copies (split it into several objects), or fewer forks on this host",
  });
}
