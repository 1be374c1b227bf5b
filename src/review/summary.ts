// One line per fork for `kubefork list`: its workloads, images, hosts, expiry and state. Invalid
// forks never hide the others: each fork is judged alone (its file's problems, then a render of
// that fork alone: plan, policy, generators).
import type { LoadedFork, LoadedManager, Manifest } from "../model/inputs.ts";
import { isExpired } from "../model/expiry.ts";
import { forkUrls } from "../generate/ingress-common.ts";
import { buildIndex } from "../plan/base-index.ts";
import { planIngress } from "../plan/ingress.ts";
import { forkImages } from "../generate/status.ts";
import { forkIdFromPath } from "../util/fork-id.ts";
import { isError, sortProblems, type Problem } from "../problems.ts";
import { render } from "../render.ts";
import { expiryText } from "./time.ts";

export type ForkState = "live" | "expired" | "invalid";

export interface ForkSummary {
  id: string;
  file: string;
  owner?: string;
  workloads: { kind: string; namespace?: string; name: string; replicas: number }[];
  /** Images the fork sets (workload shorthand and per container), in file order, once each. */
  images: string[];
  hosts: string[];
  expires?: string;
  /** `in 3d 4h`, `expired 2h ago`, `never`. */
  expiresIn: string;
  state: ForkState;
  /** The first error, when invalid. */
  problem?: Problem;
}

export interface SummaryInput {
  manager: LoadedManager;
  base: readonly Manifest[];
  /** Whether the base loaded without errors (else forks are judged by their files only). */
  baseOk: boolean;
  forks: readonly LoadedFork[];
  forkProblems: readonly Problem[];
  forkFiles: readonly string[];
}


export { forkImages };

export function summariseForks(input: SummaryInput, opts: { now: number; defaultNamespace: string }): ForkSummary[] {
  const byFile = new Map(input.forks.map((f) => [f.file, f]));
  // What serves the fork hosts, read from the base once (with no usable base: nothing, so https).
  const spec = input.manager.manager.spec;
  const index = buildIndex(input.baseOk ? input.base : [], { defaultNamespace: opts.defaultNamespace, clusterDomain: spec.clusterDomain });
  const ingress = planIngress(index, spec.ingress);
  const out: ForkSummary[] = [];
  for (const file of input.forkFiles) {
    const f = byFile.get(file);
    const own = sortProblems(input.forkProblems.filter((p) => p.file === file && isError(p)));
    if (!f) {
      const id = forkIdFromPath(file);
      out.push({ id, file, workloads: [], images: [], hosts: [], expiresIn: "-", state: "invalid", ...(own[0] ? { problem: own[0] } : {}) });
      continue;
    }
    const spec = f.fork.spec;
    const s: ForkSummary = {
      id: f.id,
      file,
      workloads: spec.workloads.map((w) => ({ kind: w.kind, ...(w.namespace !== undefined ? { namespace: w.namespace } : {}), name: w.name, replicas: w.replicas })),
      images: forkImages(f.fork),
      hosts: forkUrls(ingress, f.id),
      expiresIn: expiryText(spec.expires, opts.now),
      state: "live",
    };
    if (spec.owner !== undefined) s.owner = spec.owner;
    if (spec.expires !== undefined) s.expires = spec.expires;
    let first = own[0];
    if (!first && input.baseOk) {
      const r = render(
        { manager: input.manager, base: input.base, forks: [f], forkProblems: [], forkFiles: [file] },
        { now: opts.now, scope: { kind: "fork", id: f.id }, defaultNamespace: opts.defaultNamespace },
      );
      first = sortProblems(r.problems.filter(isError))[0];
      // The plan knows each workload's namespace.
      const planned = r.plan?.forks.find((p) => p.id === f.id);
      if (planned) for (const w of planned.workloads) s.workloads[w.entryIndex]!.namespace = w.namespace;
    }
    if (first) {
      s.state = "invalid";
      s.problem = first;
    } else if (isExpired(f, opts.now)) s.state = "expired";
    out.push(s);
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.file < b.file ? -1 : 1));
}
