// Every example GitHub workflow, checked against a subset of the GitHub workflow JSON Schema written
// here (the schema itself is not vendored: fetched files stay out of the repository). The subset
// follows SchemaStore's src/schemas/json/github-workflow.json (SchemaStore/schemastore, read at
// commit 0119407f90325ccab24b70d1cc08bf91c1562865): required `on` and `jobs`, the keys allowed at
// the top level, in a job and in a step (additionalProperties: false), job ids matching
// definitions/name, a step with exactly one of `uses` and `run`, permissions levels, and
// concurrency/env shapes. On top of the schema, our rule: every `uses` pinned to a 40-hex commit.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMMENT_MARKER } from "../../src/review/comment.ts";
import { ROOT } from "../helpers/cli.ts";

type Doc = Record<string, unknown>;
const isObj = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

const WORKFLOW_KEYS = ["name", "run-name", "on", "env", "defaults", "concurrency", "jobs", "permissions"];
const JOB_KEYS = ["name", "needs", "permissions", "runs-on", "environment", "outputs", "env", "defaults", "if", "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services", "concurrency"];
const STEP_KEYS = ["id", "if", "name", "uses", "run", "working-directory", "shell", "with", "env", "continue-on-error", "timeout-minutes"];
const EVENTS = ["check_run", "check_suite", "create", "delete", "deployment", "deployment_status", "fork", "gollum", "issue_comment", "issues", "label", "member", "merge_group", "milestone", "page_build", "project", "project_card", "project_column", "public", "pull_request", "pull_request_review", "pull_request_review_comment", "pull_request_target", "push", "registry_package", "release", "status", "watch", "workflow_call", "workflow_dispatch", "workflow_run", "repository_dispatch", "schedule"];
const PERMISSION_SCOPES = ["actions", "attestations", "checks", "contents", "deployments", "discussions", "id-token", "issues", "metadata", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses"];
const LEVELS = ["read", "write", "none"];
const JOB_ID = /^[_a-zA-Z][a-zA-Z0-9_-]*$/;
/** `owner/repo[/path]@<40 hex>`, or a local action / docker image (not pinned by us, not used here). */
const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@]+)?@[0-9a-f]{40}$/;

function unknownKeys(o: Doc, allowed: readonly string[], where: string): string[] {
  return Object.keys(o).filter((k) => !allowed.includes(k)).map((k) => `${where}: unknown key '${k}'`);
}

function checkEnv(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!isObj(v) || Object.keys(v).length === 0) return [`${where}: must be a non-empty mapping`];
  return Object.entries(v).filter(([, x]) => !["string", "number", "boolean"].includes(typeof x)).map(([k]) => `${where}.${k}: must be a string, number or boolean`);
}

function checkPermissions(v: unknown, where: string): string[] {
  if (v === undefined || v === "read-all" || v === "write-all") return [];
  if (!isObj(v) || Object.keys(v).length === 0) return [`${where}: read-all, write-all or a non-empty mapping`];
  return Object.entries(v).flatMap(([k, x]) => [
    ...(PERMISSION_SCOPES.includes(k) ? [] : [`${where}: unknown scope '${k}'`]),
    ...(LEVELS.includes(x as string) ? [] : [`${where}.${k}: must be read, write or none`]),
  ]);
}

function checkConcurrency(v: unknown, where: string): string[] {
  if (v === undefined || typeof v === "string") return [];
  if (!isObj(v) || typeof v.group !== "string") return [`${where}: a string or {group, cancel-in-progress}`];
  return [...unknownKeys(v, ["group", "cancel-in-progress"], where), ...(v["cancel-in-progress"] === undefined || typeof v["cancel-in-progress"] === "boolean" || typeof v["cancel-in-progress"] === "string" ? [] : [`${where}.cancel-in-progress: boolean`])];
}

function checkOn(v: unknown): string[] {
  if (typeof v === "string") return EVENTS.includes(v) ? [] : [`on: unknown event '${v}'`];
  if (Array.isArray(v)) return v.flatMap((e) => (EVENTS.includes(e) ? [] : [`on: unknown event '${e}'`]));
  if (!isObj(v) || Object.keys(v).length === 0) return ["on: an event, a list of events or a mapping of events"];
  const out: string[] = [];
  for (const [event, cfg] of Object.entries(v)) {
    if (!EVENTS.includes(event)) out.push(`on: unknown event '${event}'`);
    if (event === "schedule") {
      if (!Array.isArray(cfg) || cfg.length === 0 || !cfg.every((c) => isObj(c) && typeof c.cron === "string")) out.push("on.schedule: a non-empty list of {cron}");
      continue;
    }
    if (cfg === null) continue;
    if (!isObj(cfg)) {
      out.push(`on.${event}: a mapping or null`);
      continue;
    }
    for (const [a, b] of [["branches", "branches-ignore"], ["tags", "tags-ignore"], ["paths", "paths-ignore"]] as const) if (cfg[a] !== undefined && cfg[b] !== undefined) out.push(`on.${event}: ${a} and ${b} together`);
    for (const k of ["branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore", "types"])
      if (cfg[k] !== undefined && !(Array.isArray(cfg[k]) && (cfg[k] as unknown[]).length > 0 && (cfg[k] as unknown[]).every((g) => typeof g === "string" && g.length > 0))) out.push(`on.${event}.${k}: a non-empty list of non-empty strings`);
  }
  return out;
}

function checkStep(s: unknown, where: string): string[] {
  if (!isObj(s)) return [`${where}: a mapping`];
  const out = unknownKeys(s, STEP_KEYS, where);
  if ((s.uses === undefined) === (s.run === undefined)) out.push(`${where}: exactly one of uses and run`);
  if (s.run !== undefined && typeof s.run !== "string") out.push(`${where}.run: a string`);
  if (s.uses !== undefined) {
    if (typeof s.uses !== "string") out.push(`${where}.uses: a string`);
    else if (!PINNED.test(s.uses)) out.push(`${where}.uses: '${s.uses}' is not pinned to a 40-hex commit SHA`);
    if (s.shell !== undefined || s["working-directory"] !== undefined) out.push(`${where}: shell and working-directory only go with run`);
  }
  if (s.with !== undefined && !isObj(s.with)) out.push(`${where}.with: a mapping`);
  out.push(...checkEnv(s.env, `${where}.env`));
  return out;
}

/** Violations of the subset, as text (none: valid). */
function checkWorkflow(wf: unknown): string[] {
  if (!isObj(wf)) return ["the workflow is not a mapping"];
  const out = unknownKeys(wf, WORKFLOW_KEYS, "workflow");
  for (const k of ["on", "jobs"]) if (wf[k] === undefined) out.push(`workflow: '${k}' is required`);
  if (wf.on !== undefined) out.push(...checkOn(wf.on));
  out.push(...checkPermissions(wf.permissions, "permissions"), ...checkConcurrency(wf.concurrency, "concurrency"), ...checkEnv(wf.env, "env"));
  if (wf.jobs !== undefined && (!isObj(wf.jobs) || Object.keys(wf.jobs).length === 0)) out.push("jobs: a non-empty mapping");
  for (const [id, job] of Object.entries(isObj(wf.jobs) ? wf.jobs : {})) {
    const where = `jobs.${id}`;
    if (!JOB_ID.test(id)) out.push(`${where}: job id must match ${JOB_ID}`);
    if (!isObj(job)) {
      out.push(`${where}: a mapping`);
      continue;
    }
    out.push(...unknownKeys(job, JOB_KEYS, where));
    if (job["runs-on"] === undefined) out.push(`${where}: 'runs-on' is required`);
    if (!Array.isArray(job.steps) || job.steps.length === 0) out.push(`${where}.steps: a non-empty list`);
    else job.steps.forEach((s, i) => out.push(...checkStep(s, `${where}.steps[${i}]`)));
    out.push(...checkPermissions(job.permissions, `${where}.permissions`), ...checkConcurrency(job.concurrency, `${where}.concurrency`), ...checkEnv(job.env, `${where}.env`));
  }
  return out;
}

const WORKFLOWS = [...readdirSync(join(ROOT, "examples/github")).filter((f) => f.endsWith(".yaml")).map((f) => join(ROOT, "examples/github", f)), join(ROOT, "argocd/gc/github-workflow.yaml")];

describe("example GitHub workflows", () => {
  it("are the ones this test knows", () => {
    expect(WORKFLOWS.map((f) => relative(ROOT, f)).sort()).toEqual(["argocd/gc/github-workflow.yaml", "examples/github/pr-comment.yaml", "examples/github/validate-pr.yaml"]);
  });

  it.each(WORKFLOWS.map((f) => [relative(ROOT, f), f]))("%s validates against the workflow schema subset", (_name, file) => {
    expect(checkWorkflow(parse(readFileSync(file, "utf8")))).toEqual([]);
  });

  it("the subset refuses what the schema refuses, and unpinned actions", () => {
    const ok = { on: { pull_request: { paths: ["forks/**"] } }, permissions: { contents: "read" }, jobs: { a: { "runs-on": "ubuntu-latest", steps: [{ run: "true" }] } } };
    expect(checkWorkflow(ok)).toEqual([]);
    expect(checkWorkflow({ jobs: ok.jobs })).toEqual(["workflow: 'on' is required"]);
    expect(checkWorkflow({ ...ok, on: { pull_request: { paths: ["a"], "paths-ignore": ["b"] } } })).toEqual(["on.pull_request: paths and paths-ignore together"]);
    expect(checkWorkflow({ ...ok, permissions: { contents: "admin" } })).toEqual(["permissions.contents: must be read, write or none"]);
    expect(checkWorkflow({ ...ok, jobs: { "1a": { "runs-on": "x", steps: [{ run: "true", uses: "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683" }] } } })).toEqual([
      "jobs.1a: job id must match /^[_a-zA-Z][a-zA-Z0-9_-]*$/",
      "jobs.1a.steps[0]: exactly one of uses and run",
    ]);
    expect(checkWorkflow({ ...ok, jobs: { a: { "runs-on": "x", step: [], steps: [{ uses: "actions/checkout@v4" }] } } })).toEqual([
      "jobs.a: unknown key 'step'",
      "jobs.a.steps[0].uses: 'actions/checkout@v4' is not pinned to a 40-hex commit SHA",
    ]);
  });

  it("the comment workflow validates, then posts or updates one comment found by the marker that `kubefork comment` prints", () => {
    const wf = parse(readFileSync(join(ROOT, "examples/github/pr-comment.yaml"), "utf8"));
    expect(wf.on.pull_request.paths).toEqual(["bookshop/forks/**"]);
    expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const run = (wf.jobs.comment.steps as Doc[]).map((s) => s.run ?? "").join("\n");
    expect(run).toMatch(/validate --format github "\$APP_DIR"/);
    expect(run).toMatch(/comment "\$APP_DIR" --fork "\$changed" --removed "\$removed"/);
    expect(run).toContain(`marker='${COMMENT_MARKER}'`);
    expect(run).toMatch(/--method PATCH .*issues\/comments\/\$id/);
  });
});
