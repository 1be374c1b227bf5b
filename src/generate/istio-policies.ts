// Istio policies that pick workloads by label: a fork must stay under them.
//
// Fork pods drop the labels base selectors read (src/plan/labels.ts), so an AuthorizationPolicy,
// PeerAuthentication, RequestAuthentication or Telemetry whose `selector.matchLabels`, or a
// Sidecar or EnvoyFilter whose `workloadSelector.labels`, picked the original pods no longer picks
// the fork's. Left so, a fork of a protected service would accept calls from any principal, or
// fall back from STRICT to the namespace's mTLS mode. Each such policy gets a counterpart for the
// fork, with the same spec and a selector that picks exactly that fork workload's pods.
// Namespace-wide policies (no selector) already apply as they are. A policy attached with
// `targetRefs` (or the older `targetRef`) to a forked Service does not reach the fork's Service
// copy, so it gets a counterpart attached to the copy (targetRefs naming other objects dropped).
import type { Manifest } from "../model/inputs.ts";
import { asRecord, describe, kindKey, mapSelects, type KObject, type Labels } from "../model/k8s.ts";
import { copyName } from "../plan/names.ts";
import type { WorkloadPlan } from "../plan/plan.ts";
import { error } from "../problems.ts";
import { forkMetadata, refOf } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

/** Kind key → where its workload selector's labels are. */
const SELECTOR_PATHS: Record<string, readonly string[]> = {
  "security.istio.io/AuthorizationPolicy": ["selector", "matchLabels"],
  "security.istio.io/PeerAuthentication": ["selector", "matchLabels"],
  "security.istio.io/RequestAuthentication": ["selector", "matchLabels"],
  "telemetry.istio.io/Telemetry": ["selector", "matchLabels"],
  "networking.istio.io/Sidecar": ["workloadSelector", "labels"],
  "networking.istio.io/EnvoyFilter": ["workloadSelector", "labels"],
};

export function selectorLabelsOf(o: KObject): Labels | undefined {
  const path = SELECTOR_PATHS[kindKey(o)];
  if (!path) return undefined;
  const labels = asRecord(asRecord(asRecord(o.spec)?.[path[0]!])?.[path[1]!]);
  return labels as Labels | undefined;
}

export function generateIstioPolicies(ctx: GenContext): GenResult {
  const out = emptyResult();
  targetRefCounterparts(ctx, out);
  const policies: Manifest[] = Object.keys(SELECTOR_PATHS).flatMap((k) => [...ctx.index.ofKind(k)]);
  if (policies.length === 0) return out;
  for (const fp of ctx.plan.forks) {
    for (const p of policies) {
      const ns = ctx.index.nsOf(p.object);
      const labels = selectorLabelsOf(p.object);
      if (!labels) continue;
      const picked: WorkloadPlan[] = fp.workloads.filter(
        (w) => w.namespace === ns && mapSelects(labels, origLabels(w)) && !mapSelects(labels, w.podLabels),
      );
      for (const w of picked) {
        const name = picked.length === 1 ? copyName(p.object.metadata.name, fp.id) : copyName(`${p.object.metadata.name}-${w.name}`, fp.id);
        const key = kindKey(p.object);
        if (ctx.index.has(key, ns, name)) {
          out.problems.push(
            error({
              code: "KF5001",
              file: p.doc.file,
              line: p.doc.line,
              object: describe(p.object, ns),
              ref: refOf(p, ns),
              message: `the fork's counterpart name ${name} is taken by a base ${p.object.kind}`,
              hint: "rename the fork or the base policy",
            }),
          );
          continue;
        }
        const spec = structuredClone(asRecord(p.object.spec) ?? {});
        const path = SELECTOR_PATHS[key]!;
        const holder = (asRecord(spec[path[0]!]) ?? {}) as Record<string, unknown>;
        holder[path[1]!] = { ...w.selector };
        spec[path[0]!] = holder;
        out.objects.push({
          object: {
            apiVersion: p.object.apiVersion,
            kind: p.object.kind,
            metadata: forkMetadata(p.object.metadata, fp, name, `${p.object.kind}/${p.object.metadata.name}`),
            spec,
          },
          fork: fp.id,
        });
      }
    }
  }
  return out;
}

/** Kind keys of the Istio policies that attach to a Service by `targetRefs` (istio/api PolicyTargetReference). */
const TARGET_REF_KINDS = ["security.istio.io/AuthorizationPolicy", "security.istio.io/RequestAuthentication", "telemetry.istio.io/Telemetry", "extensions.istio.io/WasmPlugin"] as const;

/** Counterparts of the policies attached by targetRefs to a Service the fork copies, attached to the copies. */
function targetRefCounterparts(ctx: GenContext, out: GenResult): void {
  const policies = TARGET_REF_KINDS.flatMap((k) => [...ctx.index.ofKind(k)]);
  for (const fp of ctx.plan.forks)
    for (const p of policies) {
      const ns = ctx.index.nsOf(p.object);
      const spec = asRecord(p.object.spec) ?? {};
      const refs = Array.isArray(spec.targetRefs) ? spec.targetRefs : spec.targetRef !== undefined ? [spec.targetRef] : [];
      const forked = refs.flatMap((r) => {
        const ref = asRecord(r);
        if (!ref || ref.kind !== "Service" || (ref.group ?? "") !== "") return [];
        const refNs = typeof ref.namespace === "string" ? ref.namespace : ns;
        const sp = fp.services.find((s) => s.namespace === refNs && s.name === ref.name);
        return sp ? [{ ...ref, name: sp.copyName }] : [];
      });
      if (forked.length === 0) continue;
      const name = copyName(p.object.metadata.name, fp.id);
      if (ctx.index.has(kindKey(p.object), ns, name)) {
        out.problems.push(error({ code: "KF5001", file: p.doc.file, line: p.doc.line, object: describe(p.object, ns), ref: refOf(p, ns), message: `the fork's counterpart name ${name} is taken by a base ${p.object.kind}`, hint: "rename the fork or the base policy" }));
        continue;
      }
      const copy = structuredClone(spec);
      delete copy.targetRef;
      copy.targetRefs = forked;
      out.objects.push({
        object: { apiVersion: p.object.apiVersion, kind: p.object.kind, metadata: forkMetadata(p.object.metadata, fp, name, `${p.object.kind}/${p.object.metadata.name}`), spec: copy },
        fork: fp.id,
      });
    }
}

function origLabels(w: WorkloadPlan): Labels {
  const tpl = asRecord(asRecord((w.source ?? w.base.object).spec)?.template);
  return (asRecord(asRecord(tpl?.metadata)?.labels) ?? {}) as Labels;
}
