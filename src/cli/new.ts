// `kubefork new ID --workload NAME [...] [DIR]`: writes forks/ID.yaml for workloads of the base.
// The file is loaded and rendered (that fork alone, with the policy) before it is written: an
// invalid fork file is never written.
import { startCommand, type ManagedApp, type Started } from "./common.ts";
import { forkFilePath, forkIdFromPath } from "../util/fork-id.ts";
import { FORK_ID_RULE } from "../model/formats.ts";
import { isExpired } from "../model/expiry.ts";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { loadFork } from "../load/app.ts";
import { FORK_ID_MAX, forkIdentifier, parseDuration } from "../model/common.ts";
import type { ForkManager } from "../model/manager.ts";
import { buildIndex } from "../plan/base-index.ts";
import { error, EXIT, exitCodeFor, hasErrors, warning, type Problem, type ProblemCode } from "../problems.ts";
import { render } from "../render.ts";
import { buildNewFork } from "../review/new-fork.ts";
import { expiryText, parseExpires, rfc3339 } from "../review/time.ts";
import type { Io } from "./io.ts";
import { VERSION } from "./version.ts";
import { printProblems } from "./report.ts";

export interface NewFlags {
  workload?: string[];
  kind?: string;
  namespace?: string;
  image?: string[];
  container?: string[];
  env?: string[];
  replicas?: string;
  expires?: string;
  owner?: string;
  force?: boolean;
  now?: string;
  dryRun?: boolean;
  schema?: string;
}

/** How long a fork lives when `--expires` is not given (capped by policy.maxLifetime). */
export const DEFAULT_LIFETIME = "72h";

/** Where fork files point editors for their JSON Schema (override: --schema or $KUBEFORK_SCHEMA). */
export function defaultSchemaUrl(): string {
  return `https://raw.githubusercontent.com/kubefork/kubefork/v${VERSION}/schema/fork.schema.json`;
}

/** A usage error (exit 64): the command line asks for what kubefork new will not do. */
const usage = (io: Io, code: ProblemCode, message: string, hint?: string): number => {
  printProblems(io, [error({ code, message, hint })]);
  return EXIT.usage;
};

export async function newCommand(io: Io, id: string, dir: string | undefined, flags: NewFlags): Promise<number> {
  const args = readNewArgs(io, id, flags);
  if (typeof args === "number") return args;
  const start = await startCommand(io, dir, flags, "valid");
  if (typeof start === "number") return start;
  const expiry = expiryOf(io, flags, start.app.manager.manager, start.now);
  if (typeof expiry === "number") return expiry;
  const text = buildForkFile(io, start, id, args, flags, expiry.expires);
  if (typeof text === "number") return text;
  const file = freeFileOf(io, start.app, id, flags.force);
  if (typeof file === "number") return file;
  const problems = checkForkAlone(io, start, id, file.rel, text, expiry.notes);
  if (typeof problems === "number") return problems;
  printProblems(io, problems);
  if (flags.dryRun) {
    io.stdout(text);
    return EXIT.ok;
  }
  const failed = writeForkFile(io, file, text);
  if (failed !== undefined) return failed;
  const shown = relative(resolve(io.cwd), file.abs) || file.abs;
  io.stdout(`${shown}\n`);
  io.stderr(`created fork '${id}' (expires ${expiry.expires}, ${expiryText(expiry.expires, start.now)}); commit ${shown} and open a pull request — kubefork explain ${id} shows what it creates\n`);
  return EXIT.ok;
}

/** What the command line says beyond the app directory. */
interface NewArgs {
  workloads: { namespace?: string; name: string }[];
  env: { name: string; value: string }[];
  replicas?: number;
}

/** The identifier, --workload, --env and --replicas, checked before anything is read; the exit code (64) after printing why. */
function readNewArgs(io: Io, id: string, flags: NewFlags): NewArgs | number {
  if (!forkIdentifier.safeParse(id).success)
    return usage(io, "KF6013", `the fork identifier '${id}' is not a DNS-1123 label of at most ${FORK_ID_MAX} characters`, `an identifier is ${FORK_ID_RULE} (it becomes part of object names, labels and of the host <id>.<domain>)`);
  const workloads = (flags.workload ?? []).map((w) => {
    const i = w.indexOf("/");
    return i > 0 ? { namespace: w.slice(0, i), name: w.slice(i + 1) } : flags.namespace ? { namespace: flags.namespace, name: w } : { name: w };
  });
  if (workloads.length === 0) return usage(io, "KF6014", "kubefork new needs at least one --workload", "name a Deployment of the base: kubefork new <id> --workload <name>");
  const env: { name: string; value: string }[] = [];
  for (const e of flags.env ?? []) {
    const i = e.indexOf("=");
    if (i <= 0) return usage(io, "KF6015", `--env ${e}: expected NAME=VALUE`);
    env.push({ name: e.slice(0, i), value: e.slice(i + 1) });
  }
  if (flags.replicas === undefined) return { workloads, env };
  const replicas = Number(flags.replicas);
  if (!/^\d+$/.test(flags.replicas) || !Number.isSafeInteger(replicas)) return usage(io, "KF6016", `--replicas ${flags.replicas}: expected a whole number`);
  return { workloads, env, replicas };
}

/** When the fork ends: --expires, or 72h; never past policy.maxLifetime (a warning when the policy shortens the default). */
function expiryOf(io: Io, flags: NewFlags, manager: ForkManager, now: number): { expires: string; notes: Problem[] } | number {
  const maxLifetime = manager.spec.policy?.maxLifetime;
  const max = maxLifetime !== undefined ? parseDuration(maxLifetime)! : undefined;
  const lifetime = parseDuration(DEFAULT_LIFETIME)!;
  if (flags.expires === undefined) {
    if (max === undefined || max >= lifetime) return { expires: rfc3339(now + lifetime), notes: [] };
    return { expires: rfc3339(now + max), notes: [warning({ code: "KF6019", message: `the fork expires after ${maxLifetime}, the policy's maxLifetime (shorter than the default ${DEFAULT_LIFETIME})` })] };
  }
  const e = parseExpires(flags.expires, now);
  if ("error" in e) return usage(io, "KF6017", e.error);
  if (max !== undefined && e.at - now > max)
    return usage(io, "KF6018", `--expires ${flags.expires} is later than policy.maxLifetime (${maxLifetime}) allows`, `kubefork.yaml lets forks live at most ${maxLifetime}: pass --expires ${maxLifetime} or an earlier time (no later than ${rfc3339(now + max)})`);
  return { expires: rfc3339(e.at), notes: [] };
}

/** The text of forks/<id>.yaml, built against the base index; the exit code after printing why it cannot be. */
function buildForkFile(io: Io, start: Started<ManagedApp>, id: string, args: NewArgs, flags: NewFlags, expires: string): string | number {
  const manager = start.app.manager.manager;
  const index = buildIndex(start.app.base, { defaultNamespace: start.defaultNamespace, clusterDomain: manager.spec.clusterDomain });
  const built = buildNewFork(index, {
    id,
    workloads: args.workloads,
    kind: flags.kind,
    images: flags.image,
    containers: flags.container,
    env: args.env,
    replicas: args.replicas,
    expires,
    owner: flags.owner ?? io.env.KUBEFORK_OWNER ?? io.env.GIT_AUTHOR_EMAIL ?? io.env.USER ?? io.env.USERNAME,
    schema: flags.schema ?? io.env.KUBEFORK_SCHEMA ?? defaultSchemaUrl(),
  });
  if (built.text) return built.text;
  printProblems(io, built.errors.map((e) => error({ code: "KF6022", ...e })));
  return EXIT.invalid;
}

/** Where the file goes: refuse to overwrite (without --force), and to add forks/ID.yaml beside forks/ID.yml. */
function freeFileOf(io: Io, app: ManagedApp, id: string, force: boolean | undefined): { rel: string; abs: string } | number {
  const rel = forkFilePath(app.manager.manager.spec.forksDir, id);
  const other = app.forkFiles.find((f) => f !== rel && forkIdFromPath(f) === id);
  if (other) return usage(io, "KF6021", `fork '${id}' already exists: ${other}`, `edit ${other}, or pick another identifier`);
  const abs = join(app.dir, rel);
  if (existsSync(abs) && !force) return usage(io, "KF6020", `${rel} already exists`, "edit it, pick another identifier, or pass --force to replace it");
  return { rel, abs };
}

/**
 * Never write an invalid file: load it, then render that fork alone (plan, policy, generators).
 * The problems to print (warnings, maxForks ahead), or the exit code after printing the errors.
 */
function checkForkAlone(io: Io, start: Started<ManagedApp>, id: string, rel: string, text: string, notes: readonly Problem[]): Problem[] | number {
  const { app, now } = start;
  const loaded = loadFork({ path: rel, text });
  if (!loaded.fork) {
    printProblems(io, loaded.problems.map((p) => ({ ...p, kind: "internal" as const, hint: "kubefork new built a file its own loader refuses: this is a bug, please report it" })));
    return EXIT.internal;
  }
  const result = render(
    { manager: app.manager, base: app.base, forks: [loaded.fork], forkProblems: [], forkFiles: [rel] },
    { now, scope: { kind: "fork", id }, defaultNamespace: start.defaultNamespace },
  );
  const problems = [...notes, ...result.problems];
  if (hasErrors(problems)) {
    printProblems(io, problems);
    io.stderr(`${rel} was not written\n`);
    return exitCodeFor(problems);
  }
  const maxForks = app.manager.manager.spec.policy?.maxForks;
  const live = app.forks.filter((f) => f.id !== id && !isExpired(f, now)).length + 1;
  if (maxForks !== undefined && live > maxForks)
    problems.push(warning({ kind: "policy", code: "KF3010", file: app.manager.file, path: "spec.policy.maxForks", message: `${live} live forks will exceed maxForks ${maxForks}: the render fails until one is removed`, hint: "remove a fork that is done (git rm forks/<id>.yaml), or raise spec.policy.maxForks" }));
  return problems;
}

/** Writes the file atomically (a temporary file renamed over it); the exit code after printing why it could not. */
function writeForkFile(io: Io, file: { rel: string; abs: string }, text: string): number | undefined {
  try {
    mkdirSync(dirname(file.abs), { recursive: true });
    const tmp = `${file.abs}.kubefork-${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, file.abs);
    return undefined;
  } catch (e) {
    printProblems(io, [error({ code: "KF6023", file: file.rel, message: `cannot write the file: ${(e as Error).message}` })]);
    return EXIT.invalid;
  }
}
