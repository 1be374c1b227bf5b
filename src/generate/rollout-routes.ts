// Argo Rollouts and the VirtualServices kubefork extends (routing: istio).
//
// A canary Rollout with `trafficRouting.istio.virtualService(s)` rewrites the weights of the named
// http routes of that VirtualService at runtime. Argo Rollouts finds those routes by name
// (rollout/trafficrouting/istio/istio.go: getHttpRouteIndexesToPatch → searchHttpRoute), so the
// fork routes kubefork adds (`kubefork-<id>-<route>`) never collide with them. But with `routes`
// omitted, ValidateHTTPRoutes requires the VirtualService to hold exactly one http route ("spec.http[]
// ... must have exactly one route when omitting ...routes"): extending it would break the Rollout.
// That is an error with the fix; otherwise a note says the fork routes keep the weights from Git.
import { asArray, asRecord, describe } from "../model/k8s.ts";
import { ROLLOUT_KEY } from "../plan/rollout.ts";
import { error, note } from "../problems.ts";
import { isMeshVirtualService, VS_KIND } from "./mesh-istio.ts";
import { refOf } from "./meta.ts";
import { emptyResult, type GenContext, type GenResult } from "./types.ts";

export function checkRolloutRoutes(ctx: GenContext): GenResult {
  const out = emptyResult();
  const { index, plan } = ctx;
  if (plan.forks.length === 0) return out;
  for (const m of index.ofKind(ROLLOUT_KEY)) {
    const ns = index.nsOf(m.object);
    const istio = asRecord(asRecord(asRecord(asRecord(asRecord(m.object.spec)?.strategy)?.canary)?.trafficRouting)?.istio);
    if (!istio) continue;
    const refs = [asRecord(istio.virtualService), ...asArray(istio.virtualServices).map(asRecord)].filter((r): r is Record<string, unknown> => !!r && typeof r.name === "string");
    refs.forEach((ref) => {
      // As utils/istio GetVirtualServiceNamespaceName: `name` or `name.namespace` (last segment).
      const fields = String(ref.name).replace(/\.cluster\.local$/, "").split(".");
      const refNs = fields.length >= 2 ? fields.pop() : undefined;
      const name = fields.join(".");
      const vs = index.ofKind(VS_KIND).find((v) => v.object.metadata.name === name && index.nsOf(v.object) === (refNs ?? ns));
      if (!vs || !isMeshVirtualService(vs.object)) return;
      const vns = index.nsOf(vs.object);
      const spec = asRecord(vs.object.spec) ?? {};
      const http = asArray(spec.http).map((r) => asRecord(r) ?? {});
      const hosts = [
        ...asArray(spec.hosts),
        ...http.flatMap((r) => asArray(r.route).map((d) => asRecord(asRecord(d)?.destination)?.host)),
      ]
        .filter((h): h is string => typeof h === "string")
        .map((h) => index.resolveHost(h, vns));
      const forks = plan.forks.filter((fp) => hosts.some((h) => fp.serviceByFqdn.has(h)));
      if (forks.length === 0 || http.length === 0) return;
      const routes = asArray(ref.routes).filter((r): r is string => typeof r === "string");
      const pos = m.doc.locate([...(m.item === undefined ? [] : ["items", m.item]), "spec", "strategy", "canary", "trafficRouting", "istio"]);
      const where = { file: m.doc.file, line: pos.line, column: pos.column, object: describe(m.object, ns), ref: refOf(m, ns), path: "spec.strategy.canary.trafficRouting.istio" };
      if (routes.length === 0) {
        out.problems.push(
          error({
            ...where,
            code: "KF5018",
            message: `the Rollout names no routes of VirtualService ${vns}/${name}; Argo Rollouts then requires it to hold exactly one http route, and the forks ${forks.map((f) => f.id).join(", ")} add their own routes to it`,
            hint: `name the route in the VirtualService (e.g. name: primary) and list it in the Rollout: virtualService: {name: ${ref.name}, routes: [primary]}; Argo Rollouts finds routes by name, and kubefork's fork routes (kubefork-<id>-<route>) never take those names`,
          }),
        );
        return;
      }
      out.problems.push(
        note({
          ...where,
          code: "KF5019",
          message: `Argo Rollouts shifts the weights of route${routes.length > 1 ? "s" : ""} ${routes.join(", ")} of VirtualService ${vns}/${name} only; the fork routes (kubefork-<id>-<route>) keep the weights from Git, and the fork's Service copies select only fork pods`,
        }),
      );
    });
  }
  return out;
}
