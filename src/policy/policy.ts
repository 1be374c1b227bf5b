// The ForkManager's guard rails, as checks over the loaded forks and their plans.
// Every violation is a Problem of kind "policy" naming the fork file, the line and the rule.
import type { LoadedFork, LoadedManager } from "../model/inputs.ts";
import { expiresAt } from "../model/expiry.ts";
import { formatRfc3339, parseDuration } from "../model/formats.ts";
import type { Policy } from "../model/manager.ts";
import { error, type PathSegment, type Problem, type ProblemCode } from "../problems.ts";
import { forkViolation } from "./violation.ts";

/**
 * The full reference of an image as a container runtime resolves it: a first component that is
 * not a host (no `.` or `:`, not `localhost`) means Docker Hub, so `nginx:1.25` is
 * `docker.io/library/nginx:1.25` and `team/app` is `docker.io/team/app`; `index.docker.io` is
 * `docker.io`. Tag and digest are kept as written.
 */
export function normalizeImage(image: string): string {
  const slash = image.indexOf("/");
  const first = slash < 0 ? "" : image.slice(0, slash);
  const isHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
  if (!isHost) return slash < 0 ? `docker.io/library/${image}` : `docker.io/${image}`;
  if (first === "index.docker.io") return `docker.io${image.slice(slash)}`;
  return image;
}

/**
 * Whether an image is allowed by a `policy.images` pattern. The pattern is a glob on the full
 * reference (see normalizeImage), registry host and port included:
 * - `*` alone allows every image;
 * - before the pattern's first `/` (the registry host and port) `*` and `?` never match `/`, so
 *   a host is matched whole: `registry.example.com/*` does not allow
 *   `evil.com/registry.example.com/x` nor `registry.example.com:5000/x` (another port is another
 *   registry), and `*.example.com/*` does not allow `evil.com/x.example.com/y`;
 * - after it (repository, tag, digest) `*` matches any run of characters, `/` `:` `@` included:
 *   `registry.example.com/team/*` allows `registry.example.com/team/sub/app:1@sha256:…`.
 */
export function imageMatches(pattern: string, image: string): boolean {
  if (pattern === "*") return true;
  const ref = normalizeImage(image);
  const slash = pattern.indexOf("/");
  const host = slash < 0 ? pattern : pattern.slice(0, slash);
  const rest = slash < 0 ? "" : pattern.slice(slash);
  const glob = (p: string, any: string, one: string) =>
    p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, any).replace(/\?/g, one);
  return new RegExp(`^${glob(host, "[^/]*", "[^/]")}${glob(rest, ".*", ".")}$`).test(ref);
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
  return problems;
}

/**
 * maxForks counts the live forks of the directory, not of the scope: a per-fork Application
 * (render --fork) must not escape it. Cheap, so render checks it before planning anything: 300
 * fork files of 1,000 workloads must fail here, not run out of memory while generating.
 */
export function checkMaxForks(manager: LoadedManager, allLive: readonly LoadedFork[]): Problem[] {
  const max = manager.manager.spec.policy?.maxForks;
  if (max === undefined || allLive.length <= max) return [];
  const live = [...allLive].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const pos = manager.doc?.locate(["spec", "policy", "maxForks"]);
  return [
    error({
      kind: "policy",
      code: "KF3010",
      file: manager.file,
      line: pos?.line,
      column: pos?.column,
      path: "spec.policy.maxForks",
      message: `${live.length} live forks exceed maxForks ${max}: ${live.map((f) => f.id).join(", ")} (policy.maxForks)`,
      hint: "remove forks that are done (git rm forks/<id>.yaml), or raise spec.policy.maxForks",
    }),
  ];
}

/** The rules of spec.policy checked on each fork file, and their codes. */
const RULE_CODES = { maxLifetime: "KF3011", namespaces: "KF3012", maxReplicas: "KF3013", images: "KF3014" } as const satisfies Record<string, ProblemCode>;
type ForkRule = keyof typeof RULE_CODES;

function checkFork(policy: Policy, f: LoadedFork, input: PolicyInput): Problem[] {
  const problems: Problem[] = [];
  const violation = (path: PathSegment[], rule: ForkRule, message: string, hint: string) => problems.push(forkViolation(f, { code: RULE_CODES[rule], message: `${message} (policy.${rule})`, hint }, path));
  const spec = f.fork.spec;

  if (policy.maxLifetime !== undefined) {
    const max = parseDuration(policy.maxLifetime)!;
    if (spec.expires === undefined) {
      violation(["spec"], "maxLifetime", `the fork has no spec.expires, and forks must expire within ${policy.maxLifetime}`, `add spec.expires: "${formatRfc3339(input.now + Math.min(max, 72 * 3_600_000))}"`);
    } else if (expiresAt(f.fork)! - input.now > max) {
      violation(["spec", "expires"], "maxLifetime", `expires ${spec.expires} is more than ${policy.maxLifetime} from now`, `set spec.expires no later than ${formatRfc3339(input.now + max)}`);
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
          violation(path, "images", `image ${image} is not allowed${normalizeImage(image) !== image ? ` (it is ${normalizeImage(image)})` : ""}`, `images must match one of: ${policy.images.join(", ")}`);
    }
  });
  return problems;
}
