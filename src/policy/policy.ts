// The ForkManager's guard rails, as checks over the loaded forks and their plans.
// Every violation is a Problem of kind "policy" naming the fork file, the line and the rule.
import type { LoadedFork, LoadedManager } from "../load/app.ts";
import { parseDuration } from "../model/common.ts";
import type { Policy } from "../model/manager.ts";
import { error, type PathSegment, type Problem } from "../problems.ts";

/** Glob on a whole image reference: `*` matches any run of characters (slashes included), `?` one. */
export function imageMatches(pattern: string, image: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(image);
}

export interface PolicyInput {
  manager: LoadedManager;
  /** Live (not expired) forks. */
  forks: readonly LoadedFork[];
  /** Namespace of each fork workload, resolved by the plan: `${forkId}|${entryIndex}` → namespace. */
  namespaceOf: (fork: LoadedFork, entryIndex: number) => string | undefined;
  now: number;
}

export function checkPolicy(input: PolicyInput): Problem[] {
  const policy = input.manager.manager.spec.policy;
  if (!policy) return [];
  const problems: Problem[] = [];
  for (const f of input.forks) problems.push(...checkFork(policy, f, input));
  if (policy.maxForks !== undefined && input.forks.length > policy.maxForks) {
    const pos = input.manager.doc?.locate(["spec", "policy", "maxForks"]);
    problems.push(
      error({
        kind: "policy",
        file: input.manager.file,
        line: pos?.line,
        column: pos?.column,
        path: "spec.policy.maxForks",
        message: `${input.forks.length} live forks exceed maxForks ${policy.maxForks}: ${input.forks.map((f) => f.id).join(", ")}`,
        hint: "remove forks that are done (git rm forks/<id>.yaml), or raise spec.policy.maxForks",
      }),
    );
  }
  return problems;
}

function checkFork(policy: Policy, f: LoadedFork, input: PolicyInput): Problem[] {
  const problems: Problem[] = [];
  const violation = (path: PathSegment[], rule: string, message: string, hint: string) => {
    const pos = f.doc.locate(path);
    problems.push(error({ kind: "policy", file: f.file, line: pos.line, column: pos.column, path: fmt(path), message: `${message} (policy.${rule})`, hint }));
  };
  const spec = f.fork.spec;

  if (policy.maxLifetime !== undefined) {
    const max = parseDuration(policy.maxLifetime)!;
    if (spec.expires === undefined) {
      violation(["spec"], "maxLifetime", `the fork has no spec.expires, and forks must expire within ${policy.maxLifetime}`, `add spec.expires: "${new Date(input.now + Math.min(max, 72 * 3_600_000)).toISOString().replace(/\.\d{3}Z$/, "Z")}"`);
    } else if (Date.parse(spec.expires) - input.now > max) {
      violation(["spec", "expires"], "maxLifetime", `expires ${spec.expires} is more than ${policy.maxLifetime} from now`, `set spec.expires no later than ${new Date(input.now + max).toISOString().replace(/\.\d{3}Z$/, "Z")}`);
    }
  }

  spec.workloads.forEach((w, i) => {
    const ns = input.namespaceOf(f, i);
    if (policy.namespaces && ns !== undefined && !policy.namespaces.includes(ns)) {
      violation(["spec", "workloads", i, w.namespace !== undefined ? "namespace" : "name"], "namespaces", `forks may not copy workloads in namespace ${ns}`, `allowed namespaces: ${policy.namespaces.join(", ")}`);
    }
    if (policy.maxReplicas !== undefined && w.replicas > policy.maxReplicas) {
      violation(["spec", "workloads", i, "replicas"], "maxReplicas", `replicas ${w.replicas} exceeds maxReplicas ${policy.maxReplicas}`, `set replicas to at most ${policy.maxReplicas}`);
    }
    if (policy.images) {
      const images: { path: PathSegment[]; image: string }[] = [];
      if (w.image !== undefined) images.push({ path: ["spec", "workloads", i, "image"], image: w.image });
      (w.containers ?? []).forEach((c, j) => {
        if (c.image !== undefined) images.push({ path: ["spec", "workloads", i, "containers", j, "image"], image: c.image });
      });
      for (const { path, image } of images)
        if (!policy.images.some((p) => imageMatches(p, image)))
          violation(path, "images", `image ${image} is not allowed`, `images must match one of: ${policy.images.join(", ")}`);
    }
  });
  return problems;
}

function fmt(path: PathSegment[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
