// What the ingress driver (ingress.ts) and its adapters share: the per-fork host, where problems point in
// kubefork.yaml, references written as namespace/name, and host patterns.
import { forkHostOf } from "../model/ingress.ts";
import type { IngressEntry } from "../model/manager.ts";
import { envoyDomainMatches, hostPatternSpecificity } from "../util/host-patterns.ts";
import type { IngressPlan } from "../plan/ingress.ts";
import { copyName } from "../plan/names.ts";
import type { ForkPlan } from "../plan/plan.ts";
import { error, type PathSegment, type Problem } from "../problems.ts";
import type { GenContext } from "./types.ts";

/** The hosts of some refusals, once each, in order. */
export function refusedHosts(refusals: readonly { host: string }[]): string[] {
  return [...new Set(refusals.map((r) => r.host))];
}

/** file/line/column/path of a field of spec.ingress[i] in kubefork.yaml. */
export function entryAt(ctx: GenContext, index: number, field?: string): Pick<Problem, "file" | "line" | "column" | "path"> {
  const path: PathSegment[] = ["spec", "ingress", index];
  if (field) path.push(field);
  const src = ctx.managerSource;
  const at: Pick<Problem, "file" | "line" | "column" | "path"> = { file: src?.file ?? "kubefork.yaml", path: `spec.ingress[${index}]${field ? `.${field}` : ""}` };
  if (src?.doc) {
    const pos = src.doc.locate(path);
    at.line = pos.line;
    at.column = pos.column;
  }
  return at;
}

/** The fork's host `<id>.<domain>` (src/model/ingress.ts forkHostOf), or the problem when it would not be a DNS name. */
export function forkHost(ctx: GenContext, fp: ForkPlan, entry: IngressEntry, index: number): { host: string } | { problem: Problem } {
  const { host, invalid: tooLong } = forkHostOf(fp.id, entry.domain);
  if (!tooLong) return { host };
  const pos = fp.loaded.doc.locate(["metadata", "name"]);
  const where = entryAt(ctx, index, "domain");
  return {
    problem: error({
      code: "KF5022",
      file: fp.file,
      line: pos.line,
      column: pos.column,
      path: "metadata.name",
      message: `the fork host ${host} for ${where.file} spec.ingress[${index}] (${entry.kind}, domain ${entry.domain}) is not a valid DNS name: ${tooLong}`,
      hint: `use a shorter fork identifier, or a shorter domain in ${where.file} spec.ingress[${index}].domain`,
    }),
  };
}

/**
 * Of base routes and their host patterns, those whose patterns cover `domain` in the most specific
 * tier only (an exact `domain` beats `*.example.com`), as Envoy picks one virtual host per request.
 */
export function mostSpecificCovering<T>(routes: Iterable<{ route: T; hosts: readonly unknown[] }>, domain: string): T[] {
  const better = (a: [number, number], b: [number, number] | undefined) => !b || a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
  const found: { route: T; spec: [number, number] }[] = [];
  let best: [number, number] | undefined;
  for (const { route, hosts } of routes) {
    let mine: [number, number] | undefined;
    for (const h of hosts) {
      if (typeof h !== "string" || !envoyDomainMatches(h, domain)) continue;
      const s = hostPatternSpecificity(h);
      if (better(s, mine)) mine = s;
    }
    if (!mine) continue;
    found.push({ route, spec: mine });
    if (better(mine, best)) best = mine;
  }
  return found.filter((f) => best && f.spec[0] === best[0] && f.spec[1] === best[1]).map((f) => f.route);
}

/**
 * The URLs of a fork, one per spec.ingress entry: `<scheme>://<id>.<domain>`, with the scheme the
 * entry's Gateway (or Emissary Host) serves the host with, as the plan read it (src/plan/ingress.ts).
 * The one helper for them: `kubefork list`, `explain`, `comment` and the status ConfigMaps call it.
 */
export function forkUrls(ingress: readonly IngressPlan[], id: string): string[] {
  return ingress.map((p) => {
    const { host } = forkHostOf(id, p.entry.domain);
    return `${p.serving.scheme(host)}://${host}`;
  });
}

/** `ns/name` or `name` (in `defaultNs`). */
export function parseRef(ref: string, defaultNs: string): { namespace: string; name: string } {
  const i = ref.indexOf("/");
  return i < 0 ? { namespace: defaultNs, name: ref } : { namespace: ref.slice(0, i), name: ref.slice(i + 1) };
}

/** Name of an object made for a domain and a fork when no base route exists: `bookshop-example-com-alice`. */
export function domainObjectName(domain: string, id: string): string {
  return copyName(domain.replace(/\./g, "-"), id);
}

/** The fork's Service plan for an FQDN, if the fork copies that Service. */
export function forkedService(fp: ForkPlan, fqdn: string) {
  return fp.serviceByFqdn.get(fqdn);
}
