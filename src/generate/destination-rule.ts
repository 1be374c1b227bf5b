// DestinationRule copy: a base DestinationRule for a forked Service S yields one for `<S>-<id>`
// with the same traffic policy (TLS, connection pool, outlier detection, load balancing) and no
// subsets: the fork Service has one version, the fork's.
import type { Manifest } from "../model/inputs.ts";
import { asRecord, clone, describe, type KObject } from "../model/k8s.ts";
import { copyName } from "../plan/names.ts";
import { error } from "../problems.ts";
import { DR_KIND } from "./mesh-istio.ts";
import { forkMetadata, refOf } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

const KEPT = ["trafficPolicy", "exportTo", "workloadSelector"] as const;

export function generateDestinationRules(ctx: GenContext): GenResult {
  const out = emptyResult();
  const rules = ctx.index.ofKind(DR_KIND);
  if (rules.length === 0) return out;
  // DestinationRules by the FQDN of their host, in base order: one pass, not one per forked Service.
  const byHost = new Map<string, Manifest[]>();
  for (const dr of rules) {
    const host = asRecord(dr.object.spec)?.host;
    if (typeof host !== "string") continue;
    const fqdn = ctx.index.resolveHost(host, ctx.index.nsOf(dr.object));
    const list = byHost.get(fqdn);
    if (list) list.push(dr);
    else byHost.set(fqdn, [dr]);
  }
  for (const fp of ctx.plan.forks) {
    for (const sp of fp.services) {
      for (const dr of byHost.get(sp.fqdn) ?? []) {
        const ns = ctx.index.nsOf(dr.object);
        const name = copyName(dr.object.metadata.name, fp.id);
        if (ctx.index.has(DR_KIND, ns, name)) {
          out.problems.push(
            error({
              code: "KF5001",
              file: dr.doc.file,
              line: dr.doc.line,
              object: describe(dr.object, ns),
              ref: refOf(dr, ns),
              message: `the copy's name ${name} is taken by a base DestinationRule`,
              hint: "rename the fork or the base DestinationRule",
            }),
          );
          continue;
        }
        const spec: Record<string, unknown> = { host: sp.copyFqdn };
        const bspec = asRecord(dr.object.spec) ?? {};
        for (const k of KEPT) if (bspec[k] !== undefined) spec[k] = clone(bspec[k]);
        const object: KObject = {
          apiVersion: dr.object.apiVersion,
          kind: "DestinationRule",
          metadata: forkMetadata(dr.object.metadata, fp, name, `DestinationRule/${dr.object.metadata.name}`),
          spec,
        };
        out.objects.push({ object, fork: fp.id });
      }
    }
  }
  return out;
}
