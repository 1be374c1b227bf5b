// `kubefork new ID --workload NAME [...] [DIR]`: writes forks/ID.yaml for workloads of the base.
// The file is loaded and rendered (that fork alone, with the policy) before it is written: an
// invalid fork file is never written.
import { startCommand } from "./common.ts";
import { forkFilePath, forkIdFromPath } from "../util/fork-id.ts";
import { FORK_ID_RULE } from "../model/formats.ts";
import { isExpired } from "../model/expiry.ts";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { loadFork } from "../load/app.ts";
import { FORK_ID_MAX, forkIdentifier, parseDuration } from "../model/common.ts";
import { buildIndex } from "../plan/base-index.ts";
import { error, EXIT, exitCodeFor, hasErrors, warning, type Problem } from "../problems.ts";
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

const usage = (io: Io, message: string, hint?: string): number => {
  printProblems(io, [error({ message, hint })]);
  return EXIT.usage;
};

export async function newCommand(io: Io, id: string, dir: string | undefined, flags: NewFlags): Promise<number> {
  if (!forkIdentifier.safeParse(id).success)
    return usage(io, `the fork identifier '${id}' is not a DNS-1123 label of at most ${FORK_ID_MAX} characters`, `an identifier is ${FORK_ID_RULE} (it becomes part of object names, labels and of the host <id>.<domain>)`);
  const workloads = (flags.workload ?? []).map((w) => {
    const i = w.indexOf("/");
    return i > 0 ? { namespace: w.slice(0, i), name: w.slice(i + 1) } : flags.namespace ? { namespace: flags.namespace, name: w } : { name: w };
  });
  if (workloads.length === 0) return usage(io, "kubefork new needs at least one --workload", "name a Deployment of the base: kubefork new <id> --workload <name>");
  const env: { name: string; value: string }[] = [];
  for (const e of flags.env ?? []) {
    const i = e.indexOf("=");
    if (i <= 0) return usage(io, `--env ${e}: expected NAME=VALUE`);
    env.push({ name: e.slice(0, i), value: e.slice(i + 1) });
  }
  let replicas: number | undefined;
  if (flags.replicas !== undefined) {
    replicas = Number(flags.replicas);
    if (!/^\d+$/.test(flags.replicas) || !Number.isSafeInteger(replicas)) return usage(io, `--replicas ${flags.replicas}: expected a whole number`);
  }
  const start = await startCommand(io, dir, flags, "valid");
  if (typeof start === "number") return start;
  const { now, app } = start;
  const manager = app.manager.manager;
  const notes: Problem[] = [];

  // Expiry: --expires, or 72h; never past policy.maxLifetime.
  const maxLifetime = manager.spec.policy?.maxLifetime;
  const max = maxLifetime !== undefined ? parseDuration(maxLifetime)! : undefined;
  let expiresAt: number;
  if (flags.expires !== undefined) {
    const e = parseExpires(flags.expires, now);
    if ("error" in e) return usage(io, e.error);
    expiresAt = e.at;
    if (max !== undefined && expiresAt - now > max)
      return usage(io, `--expires ${flags.expires} is later than policy.maxLifetime (${maxLifetime}) allows`, `kubefork.yaml lets forks live at most ${maxLifetime}: pass --expires ${maxLifetime} or an earlier time (no later than ${rfc3339(now + max)})`);
  } else {
    expiresAt = now + parseDuration(DEFAULT_LIFETIME)!;
    if (max !== undefined && max < parseDuration(DEFAULT_LIFETIME)!) {
      expiresAt = now + max;
      notes.push(warning({ message: `the fork expires after ${maxLifetime}, the policy's maxLifetime (shorter than the default ${DEFAULT_LIFETIME})` }));
    }
  }
  const expires = rfc3339(expiresAt);
  const owner = flags.owner ?? io.env.KUBEFORK_OWNER ?? io.env.GIT_AUTHOR_EMAIL ?? io.env.USER ?? io.env.USERNAME;

  const ns = start.defaultNamespace;
  const index = buildIndex(app.base, { defaultNamespace: ns, clusterDomain: manager.spec.clusterDomain });
  const built = buildNewFork(index, {
    id,
    workloads,
    kind: flags.kind,
    images: flags.image,
    containers: flags.container,
    env,
    replicas,
    expires,
    owner,
    schema: flags.schema ?? io.env.KUBEFORK_SCHEMA ?? defaultSchemaUrl(),
  });
  if (!built.text) {
    printProblems(io, built.errors.map((e) => error(e)));
    return EXIT.invalid;
  }

  // The file: refuse to overwrite, and to add forks/ID.yaml beside forks/ID.yml.
  const rel = forkFilePath(manager.spec.forksDir, id);
  const other = app.forkFiles.find((f) => f !== rel && forkIdFromPath(f) === id);
  if (other) return usage(io, `fork '${id}' already exists: ${other}`, `edit ${other}, or pick another identifier`);
  const abs = join(app.dir, rel);
  if (existsSync(abs) && !flags.force) return usage(io, `${rel} already exists`, "edit it, pick another identifier, or pass --force to replace it");

  // Never write an invalid file: load it, then render that fork alone (plan, policy, generators).
  const loaded = loadFork({ path: rel, text: built.text });
  if (!loaded.fork) {
    printProblems(io, loaded.problems.map((p) => ({ ...p, kind: "internal" as const, hint: "kubefork new built a file its own loader refuses: this is a bug, please report it" })));
    return EXIT.internal;
  }
  const result = render(
    { manager: app.manager, base: app.base, forks: [loaded.fork], forkProblems: [], forkFiles: [rel] },
    { now, scope: { kind: "fork", id }, defaultNamespace: ns },
  );
  const problems = [...notes, ...result.problems];
  if (hasErrors(problems)) {
    printProblems(io, problems);
    io.stderr(`${rel} was not written\n`);
    return exitCodeFor(problems);
  }
  const maxForks = manager.spec.policy?.maxForks;
  const live = app.forks.filter((f) => f.id !== id && !isExpired(f, now)).length + 1;
  if (maxForks !== undefined && live > maxForks)
    problems.push(warning({ kind: "policy", file: app.manager.file, path: "spec.policy.maxForks", message: `${live} live forks will exceed maxForks ${maxForks}: the render fails until one is removed`, hint: "remove a fork that is done (git rm forks/<id>.yaml), or raise spec.policy.maxForks" }));
  printProblems(io, problems);

  if (flags.dryRun) {
    io.stdout(built.text);
    return EXIT.ok;
  }
  try {
    mkdirSync(dirname(abs), { recursive: true });
    const tmp = `${abs}.kubefork-${process.pid}.tmp`;
    writeFileSync(tmp, built.text, { mode: 0o644 });
    renameSync(tmp, abs);
  } catch (e) {
    printProblems(io, [error({ file: rel, message: `cannot write the file: ${(e as Error).message}` })]);
    return EXIT.invalid;
  }
  const shown = relative(resolve(io.cwd), abs) || abs;
  io.stdout(`${shown}\n`);
  io.stderr(`created fork '${id}' (expires ${expires}, ${expiryText(expires, now)}); commit ${shown} and open a pull request — kubefork explain ${id} shows what it creates\n`);
  return EXIT.ok;
}
