// The pipeline, as one explicit list of steps: loaded inputs → plan → generated objects → output.
// Pure: the clock, the scope and the default namespace come in as options.
import type { LoadedFork, LoadedManager, Manifest } from "./model/inputs.ts";
import { checkCarriers } from "./generate/carriers.ts";
import { generateConfigMaps } from "./generate/configmap.ts";
import { generateIngress } from "./generate/ingress.ts";
import { generateIstioPolicies } from "./generate/istio-policies.ts";
import { generateNetworkPolicies } from "./generate/network-policy.ts";
import { generateServices } from "./generate/service.ts";
import { generateStatus } from "./generate/status.ts";
import { checkObjectSizes } from "./generate/size-limit.ts";
import { warnNonHttpServices } from "./generate/non-http.ts";
import { routingSteps, type Step } from "./generate/routing.ts";
import type { GenContext, Generator, OutputObject, WorkloadCopy } from "./generate/types.ts";
import { generateWorkloads } from "./generate/workload.ts";
import { compareOutput } from "./emit/order.ts";
import type { KObject } from "./model/k8s.ts";
import { resolveCompatForks } from "./plan/compat.ts";
import { buildIndex, type BaseIndex } from "./plan/base-index.ts";
import { isExpired, planForks, type ForkPlan, type Plan, type WorkloadPlan } from "./plan/plan.ts";
import { planRouting } from "./plan/routing.ts";
import { checkCopies, startPatchJudge, type PatchJudge } from "./policy/copies.ts";
import { checkForkHosts } from "./policy/hosts.ts";
import { checkIdentifiers, checkObjectNames } from "./policy/names.ts";
import { checkMaxForks, checkPolicy } from "./policy/policy.ts";
import { checkSharedClaims } from "./policy/volumes.ts";
import { error, hasErrors, isError, noSuchFork, type Problem } from "./problems.ts";
import { forkIdFromPath } from "./util/fork-id.ts";

/** What `render` prints: everything, only the shared part, or only one fork's objects. */
export type Scope = { kind: "all" } | { kind: "shared" } | { kind: "fork"; id: string };

export interface RenderInput {
  manager: LoadedManager;
  base: readonly Manifest[];
  /** Forks that loaded. */
  forks: readonly LoadedFork[];
  /** Problems met while loading fork files (each names its file). */
  forkProblems?: readonly Problem[];
  /** Paths of every fork file, loaded or not: to tell "unknown fork" from "broken fork file". */
  forkFiles?: readonly string[];
}

export interface RenderOptions {
  now: number;
  scope: Scope;
  /** Namespace of base objects that name none (the Application's destination namespace). */
  defaultNamespace: string;
  /**
   * `validate`: go on past a count limit (maxForks) to report every problem at once. A render
   * (what Argo CD runs) stops there, before planning, so its work stays bounded by the limit.
   */
  reportAll?: boolean;
}

export interface RenderResult {
  /** Empty when there is any error: a render fails closed. */
  objects: KObject[];
  /** The same objects with their partition (shared, or a fork's). */
  output: OutputObject[];
  problems: Problem[];
  plan?: Plan;
  /** Every object of the pass, before the partition was selected (set when the render succeeds). */
  assembled?: OutputObject[];
}

/**
 * Every generator, in order: copies, then the mesh routing of every flavour (each on the hosts the
 * plan gave it, src/generate/routing.ts), then the per-fork hosts of every ingress kind.
 */
function generators(): Step[] {
  return [
    ["workloads", generateWorkloads],
    ["configmaps", generateConfigMaps],
    ["services", generateServices],
    ["network-policies", generateNetworkPolicies],
    ["istio-policies", generateIstioPolicies],
    ["non-http", warnNonHttpServices],
    ["carriers", checkCarriers],
    ...routingSteps(),
    // Per-fork hosts: one driver, an adapter per spec.ingress kind.
    ["ingress", generateIngress],
  ];
}

/**
 * Renders, failing closed: an unexpected exception anywhere becomes an internal problem with its
 * stack, and the result then holds no objects.
 */
export function render(input: RenderInput, opts: RenderOptions): RenderResult {
  try {
    return renderUnchecked(input, opts);
  } catch (e) {
    return { objects: [], output: [], problems: [internalProblem("render", e)] };
  }
}

/** An exception that escaped a step, as an internal problem naming the step. */
function internalProblem(step: string, e: unknown): Problem {
  const err = e instanceof Error ? e : new Error(String(e));
  return error({
    kind: "internal",
    code: "KF9001",
    message: `unexpected failure in step ${step}: ${err.message}`,
    hint: "this is a bug in kubefork; please report it with the stack below",
    stack: err.stack,
  });
}

/**
 * The steps, in order: 1 the base is not empty, 2 the forks of the scope and their count, 3-5 plan,
 * policy and generate (src/render.ts generators()), 6 assemble, 7 the status objects, 8 the partition.
 * Any error stops the render with no objects.
 */
function renderUnchecked(input: RenderInput, opts: RenderOptions): RenderResult {
  const problems: Problem[] = [];
  const fail = (plan?: Plan): RenderResult => ({ objects: [], output: [], problems, ...(plan ? { plan } : {}) });

  // 1. The base must render to something: an empty stream would make Argo CD prune everything.
  if (input.base.length === 0) {
    problems.push(emptyBase(input.manager));
    return fail();
  }
  // 2. Which forks take part, given the scope; too many live forks fail before anything is planned.
  const scoped = scopeForks(input, opts.scope);
  problems.push(...scoped.problems);
  if (scoped.fatal) return fail();
  const counts = checkMaxForks(input.manager, input.forks.filter((f) => !isExpired(f, opts.now)));
  problems.push(...counts);
  if (hasErrors(counts) && !opts.reportAll) return fail();
  const index = buildIndex(input.base, { defaultNamespace: opts.defaultNamespace, clusterDomain: input.manager.manager.spec.clusterDomain });

  // 3-5. Plan, policy, generate.
  const pass = generateScoped(input, opts, index, scoped);
  problems.push(...pass.problems);
  const { plan } = pass;
  if (hasErrors(problems)) return fail(plan);

  // 6. Assemble: the base in its order (extended routing in place), then generated objects in canonical order.
  const output = assemble(input.base, pass);

  // 7. Last, what the render has to say, as status ConfigMaps (src/generate/status.ts).
  const status = generateStatus({
    plan,
    problems,
    forkFiles: input.forkFiles ?? input.forks.map((f) => f.file),
    index,
    defaultNamespace: opts.defaultNamespace,
  });
  problems.push(...status.problems);
  if (hasErrors(problems)) return fail(plan);
  output.push(...status.objects);

  // 8. The partition. An expired fork's is its status object alone: a per-fork Application then
  //    prunes the fork's workloads but never sees an empty render (Argo CD: "delete everything").
  const selected = selectPartition(output, opts.scope);
  return { objects: selected.map((o) => o.object), output: selected, problems, plan, assembled: output };
}

/** Step 1's error: the base renders to nothing, with where kubefork looked for it. */
function emptyBase(manager: LoadedManager): Problem {
  const spec = manager.manager.spec;
  return error({
    code: "KF5002",
    file: manager.file,
    message: "the base renders to nothing: no manifests found",
    hint: spec.base?.command ? `check that \`${spec.base.command.join(" ")}\` prints manifests` : spec.base?.paths ? `no file matches spec.base.paths (${spec.base.paths.join(", ")})` : "add base manifests (*.yaml) beside kubefork.yaml",
  });
}

/**
 * Steps 3-5 for the forks of the scope. In the shared render a fork with errors is left out with
 * warnings and the rest renders again without it: its own Application fails instead. That is the
 * isolation an ApplicationSet buys. Everywhere else any error fails the render.
 */
function generateScoped(input: RenderInput, opts: RenderOptions, index: BaseIndex, scoped: ScopedForks): Pass {
  let pass = generateAll(input, opts, index, scoped.forks);
  // `--fork ID` plans every fork (names are judged against all of them) and keeps the problems of
  // that fork and of no fork file; the output is that fork's objects alone (step 8).
  if (scoped.others) pass.problems = pass.problems.filter((p) => p.file === undefined || !scoped.others!.has(p.file));
  if (opts.scope.kind === "shared") {
    const forkFiles = new Set(scoped.forks.map((f) => f.file));
    const broken = new Set(pass.problems.filter((p) => isError(p) && p.file !== undefined && forkFiles.has(p.file)).map((p) => p.file!));
    if (broken.size > 0) {
      const isolated = pass.problems.filter((p) => p.file !== undefined && broken.has(p.file)).map(leftOut);
      pass = generateAll(input, opts, index, scoped.forks.filter((f) => !broken.has(f.file)));
      pass.problems.unshift(...isolated);
    }
  }
  return pass;
}

/** Step 6: the base in its order (extended routing in place), then the generated objects in canonical order. */
function assemble(base: readonly Manifest[], pass: Pass): OutputObject[] {
  const output: OutputObject[] = base.map((m) => ({ object: pass.replace.get(m) ?? m.object, fork: null }));
  pass.generated.sort(compareOutput);
  output.push(...pass.generated);
  return output;
}

/** The objects of one scope, from the assembled output of a pass (src/commit.ts derives every partition of a commit with it). */
export function selectPartition(output: readonly OutputObject[], scope: Scope): OutputObject[] {
  if (scope.kind === "all") return [...output];
  if (scope.kind === "shared") return output.filter((o) => o.fork === null);
  return output.filter((o) => o.fork === scope.id);
}

/** selectPartition of every fork at once, in one pass (a commit has hundreds): fork id → its objects, in order. */
export function forkPartitions(output: readonly OutputObject[]): Map<string, OutputObject[]> {
  const byFork = new Map<string, OutputObject[]>();
  for (const o of output) if (o.fork !== null) (byFork.get(o.fork) ?? byFork.set(o.fork, []).get(o.fork)!).push(o);
  return byFork;
}

interface Pass {
  plan: Plan;
  generated: OutputObject[];
  replace: Map<Manifest, KObject>;
  problems: Problem[];
}

/** Plan, policy and every generator, for a set of forks. Problems don't stop the steps: `validate` reports them all. */
function generateAll(input: RenderInput, opts: RenderOptions, index: BaseIndex, forks: readonly LoadedFork[]): Pass {
  const { manager } = input;
  const problems: Problem[] = [];
  // Forks in the original kubefork format name workloads by selectors: resolve them against the base.
  const compat = resolveCompatForks(index, forks, opts.now);
  problems.push(...compat.problems);
  const planned = planForks(index, compat.forks, { now: opts.now, ingress: manager.manager.spec.ingress });
  problems.push(...planned.problems);
  const plan = planned.plan;

  const nsByEntry = new Map<string, string>();
  for (const fp of plan.forks) for (const w of fp.workloads) nsByEntry.set(`${fp.id}|${w.entryIndex}`, w.namespace);
  const live = plan.forks.map((f) => f.loaded);
  problems.push(...checkPolicy({ manager, forks: live, namespaceOf: (f, i) => nsByEntry.get(`${f.id}|${i}`), now: opts.now }));

  const managerSource = manager.doc ? { file: manager.file, doc: manager.doc } : { file: manager.file };
  // Which flavour routes each forked host: decided once, from the base (src/plan/routing.ts).
  const routing = planRouting(index, plan, manager.manager.spec.routing);
  problems.push(...routing.problems);
  // The policy judges each copy's patches as they are applied, keeping none of the snapshots.
  const judges = new Map<WorkloadPlan, PatchJudge>();
  const observePatches = (fp: ForkPlan, wp: WorkloadPlan, unpatched: KObject) => {
    const judge = startPatchJudge(manager.manager, index, fp, wp, unpatched);
    judges.set(wp, judge);
    return judge;
  };
  const ctx: GenContext = { manager: manager.manager, index, plan, routing: routing.routing, managerSource, observePatches };
  const { generated, replace, copies } = runGenerators(ctx, problems);

  // Every generated or extended object must fit what the API server stores.
  problems.push(...checkObjectSizes(generated, replace));

  // Guard rails on the copies as generated: what patches changed, final images, Secret references.
  const copyOf = (_fp: ForkPlan, wp: WorkloadPlan) => copies.get(wp);
  try {
    problems.push(...checkCopies({ manager: manager.manager, plan, index, copyOf, judgeOf: (wp) => judges.get(wp) }));
  } catch (e) {
    problems.push(internalProblem("policy-copies", e));
  }
  problems.push(...checkSharedClaims({ policy: manager.manager.spec.policy ?? {}, plan, index, copyOf: (fp, wp) => copyOf(fp, wp)?.object }));
  problems.push(...checkIdentifiers(plan), ...checkObjectNames(input.base, generated, plan, index), ...checkForkHosts(ctx));
  return { plan, generated, replace, problems };
}

/** Every generator of generators(), in order, over one context; what they make, gathered. */
function runGenerators(ctx: GenContext, problems: Problem[]): { generated: OutputObject[]; replace: Map<Manifest, KObject>; copies: Map<WorkloadPlan, WorkloadCopy> } {
  const generated: OutputObject[] = [];
  const replace = new Map<Manifest, KObject>();
  const copies = new Map<WorkloadPlan, WorkloadCopy>();
  for (const [step, gen] of generators()) {
    // A generator that throws is a bug: report it as an internal problem naming the step.
    let r: ReturnType<Generator>;
    try {
      r = gen(ctx);
    } catch (e) {
      problems.push(internalProblem(step, e));
      continue;
    }
    problems.push(...r.problems);
    generated.push(...r.objects);
    for (const c of r.copies ?? []) copies.set(c.workload, c);
    for (const [m, o] of r.replace) replace.set(m, o);
  }
  return { generated, replace, copies };
}

/** An error of a fork left out of the shared render, as the warning it becomes there. */
function leftOut(p: Problem): Problem {
  return isError(p) ? { ...p, severity: "warning", message: `${p.message} (fork left out of the shared render)` } : p;
}

/** The forks that take part in a render of this scope. */
interface ScopedForks {
  forks: LoadedFork[];
  problems: Problem[];
  /** No such fork: the render stops. */
  fatal?: boolean;
  /** Under `--fork ID`, the other forks' files: planned with it, their problems dropped. */
  others?: Set<string>;
}

function scopeForks(input: RenderInput, scope: Scope): ScopedForks {
  const forkProblems = [...(input.forkProblems ?? [])];
  if (scope.kind === "all") return { forks: [...input.forks], problems: forkProblems };
  if (scope.kind === "shared") {
    const broken = new Set(forkProblems.filter(isError).map((p) => p.file));
    return { forks: input.forks.filter((f) => !broken.has(f.file)), problems: forkProblems.map(leftOut) };
  }
  const id = scope.id;
  const fork = input.forks.find((f) => f.id === id);
  const own = forkProblems.filter((p) => p.file !== undefined && forkIdFromPath(p.file) === id);
  if (!fork && own.length === 0) {
    const known = (input.forkFiles ?? input.forks.map((f) => f.file)).map(forkIdFromPath);
    return {
      forks: [],
      fatal: true,
      problems: [
        noSuchFork(input.manager.manager.spec.forksDir, id, known),
      ],
    };
  }
  const others = input.forks.filter((f) => f !== fork);
  return { forks: fork ? [fork, ...others] : [], problems: own, others: new Set(others.map((f) => f.file)) };
}

