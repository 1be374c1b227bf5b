// The benchmark of issue 7: `npm run bench` (builds dist/kubefork.cjs, then runs this).
//
//   node bench/run.mjs [--quick] [--sizes 100x10,2000x200] [--runs 5] [--seed 1] [--cli dist/kubefork.cjs]
//   node bench/run.mjs --cold-only [--cold-runs 20]
//   node bench/run.mjs --profile [--sizes 2000x200] [--profile-dist]
//   node bench/run.mjs --commit-only [--commit-sizes 2000x200,10000x1000] [--commit-large]
//   node bench/run.mjs --pathological-only
//
// The hostile-input rows (issue 13, bench/pathological.mjs: a 1 MB whitespace fork, 15,000 patch
// operations, 10,000 env and volume operations, 300 x 1,000 workloads under a 256 MB heap) run
// after the sizes and the commit scenario, except with --quick, --cold-only or --commit-only;
// each must end with its stated exit within 30 s.
//
// For every (N services, F forks) it generates an app directory into bench/.work/ (reused when the
// parameters and the generator are unchanged), runs the bundled CLI as a separate process for
// `-o json` and `-o yaml` (one checked warm-up run, then --runs timed runs), and the floor
// (bench/floor.mjs: js-yaml loadAll of the same input + JSON.stringify / dump of the same output
// documents) the same way, interleaved. Wall time is measured from this process, spawn to exit,
// for both; the floor's untimed preparation (parsing the CLI's output) is subtracted from its wall
// time. Peak RSS comes from GNU time (`/usr/bin/time -f %M`), or, without it, from a preloaded
// hook reading process.resourceUsage().maxRSS at exit.
//
// The commit scenario (issue 15, per-fork mode): for each --commit-sizes entry (default 2000x200;
// --commit-large adds 10000x1000; `none` skips it), F + 1 renders of one commit, `--fork <id>` for
// every fork and `--shared`, one after the other, each from a fresh copy of the app directory, all
// sharing one TMPDIR (the render cache). Reported against one full render (T_full) and against
// (F + 1) x `kubefork --version` (T_start); target T_commit <= 3 T_full + 1.5 (F + 1) T_start.
//
// Prints a Markdown report (machine, Node, date, table, targets with pass/fail), also written to
// bench/.work/results.md and, as data, bench/.work/results.json.
//
// --profile renders once per format under `node --cpu-prof` (by default with an unminified bundle
// built into bench/.work/prof/, so function names are readable; --profile-dist uses dist/ as is)
// and prints the top self-time functions and modules.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadAll } from "js-yaml";
import { generateApp } from "./generate.mjs";
import { parseJsonOutput } from "./floor.mjs";
import { PATHOLOGICAL_LIMIT_S, pathologicalTable, runPathological } from "./pathological.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const WORK = join(BENCH, ".work");
const NOW = "2026-11-23T12:00:00Z";
const ALL_SIZES = [
  [100, 10],
  [500, 50],
  [2000, 200],
  [2000, 400],
];
const TARGETS = { floorRatio: 1.5, forkGrowth: 1.3, rssMB: 400, coldRatio: 1.5, commitFull: 3, commitStart: 1.5 };
const COMMIT_SIZES = [[2000, 200]];
const COMMIT_LARGE = [10000, 1000];

// ---------------------------------------------------------------------------------------------
// arguments

function parseArgs(argv) {
  const o = { quick: false, coldOnly: false, commitOnly: false, pathologicalOnly: false, sizes: undefined, commitSizes: undefined, commitLarge: false, runs: 5, coldRuns: 20, seed: 1, cli: "dist/kubefork.cjs", profile: false, profileDist: false, top: 15 };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const val = () => {
      if (k + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++k];
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--cold-only") o.coldOnly = true;
    else if (a === "--commit-only") o.commitOnly = true;
    else if (a === "--pathological-only") o.pathologicalOnly = true;
    else if (a === "--commit-large") o.commitLarge = true;
    else if (a === "--commit-sizes") o.commitSizes = ((v) => (v === "none" ? [] : parseSizes(v)))(val());
    else if (a === "--sizes") o.sizes = parseSizes(val());
    else if (a === "--runs") o.runs = posInt(val(), a);
    else if (a === "--cold-runs") o.coldRuns = posInt(val(), a);
    else if (a === "--seed") o.seed = posInt(val(), a);
    else if (a === "--cli") o.cli = val();
    else if (a === "--profile") o.profile = true;
    else if (a === "--profile-dist") o.profile = o.profileDist = true;
    else if (a === "--top") o.top = posInt(val(), a);
    else if (a === "-h" || a === "--help") {
      const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
      console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith("//"))).join("\n"));
      process.exit(0);
    } else die(`unknown argument ${a} (try --help)`);
  }
  if (!o.sizes) o.sizes = o.profile ? [[2000, 200]] : o.coldOnly || o.commitOnly || o.pathologicalOnly ? [] : o.quick ? ALL_SIZES.slice(0, 2) : ALL_SIZES;
  if (!o.commitSizes) o.commitSizes = o.coldOnly || o.profile ? [] : o.quick ? [[500, 50]] : COMMIT_SIZES;
  if (o.commitLarge && !o.commitSizes.some(([n, f]) => n === COMMIT_LARGE[0] && f === COMMIT_LARGE[1])) o.commitSizes = [...o.commitSizes, COMMIT_LARGE];
  return o;
}

function parseSizes(s) {
  return s.split(",").map((p) => {
    const m = /^(\d+)[x:,/](\d+)$/.exec(p.trim());
    if (!m || Number(m[1]) < 1) die(`--sizes: expected NxF[,NxF...], e.g. 2000x200, got "${p}"`);
    return [Number(m[1]), Number(m[2])];
  });
}

function posInt(s, flag) {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) die(`${flag}: expected a positive integer, got "${s}"`);
  return n;
}

function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// small helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => (x == null || Number.isNaN(x) ? "–" : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const mb = (kb) => (kb == null ? "–" : `${(kb / 1024).toFixed(0)} MB`);
const ratio = (x) => (x == null || !Number.isFinite(x) ? "–" : `${x.toFixed(2)}×`);
const mark = (ok) => (ok == null ? "➖ n/a" : ok ? "✅ pass" : "❌ fail");
const sha1 = (s) => createHash("sha1").update(s).digest("hex");

function gitRev() {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" });
  const dirty = spawnSync("git", ["status", "--porcelain", "--", "src", "scripts", "package.json"], { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() + (dirty.stdout.trim() ? "+dirty" : "") : "unknown";
}

// ---------------------------------------------------------------------------------------------
// app directories

/** Generates (or reuses) bench/.work/app-n<N>-f<F>-s<seed>. The stamp lives outside the app
 * directory: the default base selection would read any *.json inside it. */
function ensureApp(n, f, seed) {
  const name = `app-n${n}-f${f}-s${seed}`;
  const dir = join(WORK, name);
  const stampFile = join(WORK, `${name}.stamp.json`);
  const genHash = sha1(readFileSync(join(BENCH, "generate.mjs")));
  if (existsSync(stampFile) && existsSync(dir)) {
    try {
      const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
      if (stamp.genHash === genHash) return { ...stamp.info, reused: true };
    } catch {
      /* regenerate */
    }
  }
  const info = generateApp(dir, { services: n, forks: f, seed });
  writeFileSync(stampFile, JSON.stringify({ genHash, info }, null, 2) + "\n");
  return { ...info, reused: false };
}

// ---------------------------------------------------------------------------------------------
// processes

/** How peak RSS is measured: GNU time when it works, else a preloaded exit hook. */
function detectRssMethod() {
  const probe = join(WORK, "time-probe.txt");
  if (existsSync("/usr/bin/time")) {
    const r = spawnSync("/usr/bin/time", ["-f", TIME_FORMAT, "-o", probe, "true"], { encoding: "utf8" });
    if (r.status === 0 && existsSync(probe) && /^\d+ [\d.]+ [\d.]+\s*$/m.test(readFileSync(probe, "utf8"))) return { kind: "gnu-time" };
  }
  const hook = join(WORK, "rss-hook.mjs");
  writeFileSync(
    hook,
    `import { writeFileSync } from "node:fs";
const file = process.env.KUBEFORK_BENCH_RSS_FILE;
if (file) process.on("exit", () => { try { const u = process.resourceUsage(); writeFileSync(file, \`\${u.maxRSS} \${u.userCPUTime / 1e6} \${u.systemCPUTime / 1e6}\\n\`); } catch {} });
`,
  );
  return { kind: "hook", hook: pathToFileURL(hook).href };
}

let rssMethod;
/** GNU time: peak RSS (kB), user and system CPU seconds. The hook writes the same three fields. */
const TIME_FORMAT = "%M %U %S";

/**
 * Runs `node ...nodeArgs` with stdout into `stdoutFile` (or discarded), measuring wall time
 * from spawn to exit in this process, peak RSS (kB) and CPU time (user + system, ms).
 * @returns {Promise<{code: number|null, signal: string|null, wallMs: number, rssKB: number|undefined, cpuMs: number|undefined, stderr: string}>}
 */
function runNode(nodeArgs, { stdoutFile, measureRss = true, env } = {}) {
  const rssFile = join(WORK, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  let cmd = process.execPath;
  let args = nodeArgs;
  let childEnv = env ?? process.env;
  if (measureRss && rssMethod.kind === "gnu-time") {
    cmd = "/usr/bin/time";
    args = ["-f", TIME_FORMAT, "-o", rssFile, process.execPath, ...nodeArgs];
  } else if (measureRss) {
    args = ["--import", rssMethod.hook, ...nodeArgs];
    childEnv = { ...childEnv, KUBEFORK_BENCH_RSS_FILE: rssFile };
  }
  const outFd = stdoutFile ? openSync(stdoutFile, "w") : "ignore";
  return new Promise((resolve, reject) => {
    const chunks = [];
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: ROOT, env: childEnv, stdio: ["ignore", outFd, "pipe"] });
    let wallMs;
    child.on("exit", () => {
      wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    });
    child.stderr.on("data", (c) => chunks.push(c));
    child.on("error", (e) => {
      if (typeof outFd === "number") closeSync(outFd);
      reject(e);
    });
    child.on("close", (code, signal) => {
      if (typeof outFd === "number") closeSync(outFd);
      let rssKB;
      let cpuMs;
      if (measureRss && existsSync(rssFile)) {
        // GNU time writes "Command exited with non-zero status N" before the format line.
        const lines = readFileSync(rssFile, "utf8").trim().split("\n");
        const [rss, user, sys] = lines[lines.length - 1].split(" ").map(Number);
        if (Number.isFinite(rss)) rssKB = rss;
        if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = (user + sys) * 1000;
      }
      resolve({ code, signal, wallMs, rssKB, cpuMs, stderr: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

const cliArgs = (cli, app, format) => [cli, "render", app, "--now", NOW, "-o", format];

function abort(what, res) {
  console.error(`\nbench: ${what} failed (exit ${res.code}${res.signal ? `, signal ${res.signal}` : ""}). stderr:\n${res.stderr || "(empty)"}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// one size

async function benchSize(opts, n, f, log) {
  const app = ensureApp(n, f, opts.seed);
  const appRel = relative(ROOT, app.dir);
  const loadBefore = os.loadavg()[0];
  log(
    `\n(${n}, ${f}): ${appRel} ${app.reused ? "(reused)" : "(generated)"}: ${app.baseDocs} base documents, ` +
      `${(app.totalBytes / 1e6).toFixed(2)} MB input, ${app.forkedWorkloads} forked workloads`,
  );
  const out = {};
  for (const format of ["json", "yaml"]) out[format] = join(WORK, `out-n${n}-f${f}.${format}`);

  // Warm-up + sanity: exit code, JSON parses, enough objects; YAML has the same documents.
  const res = {};
  for (const format of ["json", "yaml"]) {
    const r = await runNode(cliArgs(opts.cli, appRel, format), { stdoutFile: out[format] });
    if (r.code !== 0) abort(`render -o ${format} of ${appRel}`, r);
    if (statSync(out[format]).size === 0) abort(`render -o ${format} of ${appRel} (empty stdout)`, r);
    res[format] = r;
  }
  let parsed;
  try {
    parsed = parseJsonOutput(readFileSync(out.json, "utf8"));
  } catch (e) {
    abort(`parsing the -o json output of ${appRel} (${e.message})`, res.json);
  }
  const objects = parsed.docs.filter((d) => d && typeof d === "object").length;
  if (objects < app.baseDocs) {
    abort(`sanity check of ${appRel}: ${objects} objects in the JSON output, fewer than the ${app.baseDocs} base objects`, res.json);
  }
  const expectedMin = app.baseDocs + 3 * app.forkedWorkloads; // + Deployment, Service, DestinationRule copies
  const warnings = [];
  if (objects < expectedMin) warnings.push(`only ${objects} objects, expected ≥ ${expectedMin} (base + 3 per forked workload)`);
  const yamlDocs = loadAll(readFileSync(out.yaml, "utf8")).filter((d) => d != null);
  if (yamlDocs.length !== objects) warnings.push(`-o yaml printed ${yamlDocs.length} documents, -o json ${objects}`);
  else if (yamlDocs.some((d, i) => JSON.stringify(d) !== JSON.stringify(parsed.docs[i]))) warnings.push("-o yaml and -o json documents differ");
  log(`  output: ${objects} objects (json ${(statSync(out.json).size / 1e6).toFixed(2)} MB, shape ${parsed.shape}; yaml ${(statSync(out.yaml).size / 1e6).toFixed(2)} MB)`);
  for (const w of warnings) log(`  WARNING: ${w}`);
  const firstBytes = { json: readFileSync(out.json), yaml: readFileSync(out.yaml) };

  // Timed runs, interleaved so that drift of the machine hits CLI and floor alike.
  const runs = { json: [], yaml: [], floorJson: [], floorYaml: [] };
  const floorReport = join(WORK, "floor-report.json");
  for (let r = 0; r < opts.runs; r++) {
    for (const format of ["json", "yaml"]) {
      const runOut = join(WORK, `run-out.${format}`);
      const x = await runNode(cliArgs(opts.cli, appRel, format), { stdoutFile: runOut });
      if (x.code !== 0) abort(`render -o ${format} of ${appRel} (run ${r + 1})`, x);
      if (!readFileSync(runOut).equals(firstBytes[format])) warnings.push(`-o ${format}: run ${r + 1} printed different bytes (not deterministic)`);
      runs[format].push(x);

      rmSync(floorReport, { force: true });
      const fl = await runNode(
        [join(BENCH, "floor.mjs"), "--app", appRel, "--docs", out.json, "-o", format, "--report", floorReport],
        { stdoutFile: join(WORK, `floor-out.${format}`) },
      );
      if (fl.code !== 0) abort(`floor -o ${format} of ${appRel}`, fl);
      const rep = JSON.parse(readFileSync(floorReport, "utf8"));
      runs[format === "json" ? "floorJson" : "floorYaml"].push({ ...fl, rep, floorWallMs: fl.wallMs - rep.prepMs });
    }
    process.stderr.write(".");
  }
  process.stderr.write("\n");

  const summary = { n, f, seed: opts.seed, inputBytes: app.totalBytes, baseDocs: app.baseDocs, forkedWorkloads: app.forkedWorkloads, objects, warnings, load: Math.max(loadBefore, os.loadavg()[0]) };
  for (const format of ["json", "yaml"]) {
    const cli = runs[format];
    const fl = runs[format === "json" ? "floorJson" : "floorYaml"];
    const s = {
      wallMs: median(cli.map((x) => x.wallMs)),
      wallMinMs: Math.min(...cli.map((x) => x.wallMs)),
      wallMaxMs: Math.max(...cli.map((x) => x.wallMs)),
      rssKB: cli.every((x) => x.rssKB != null) ? median(cli.map((x) => x.rssKB)) : undefined,
      rssMaxKB: cli.every((x) => x.rssKB != null) ? Math.max(...cli.map((x) => x.rssKB)) : undefined,
      cpuMs: cli.every((x) => x.cpuMs != null) ? median(cli.map((x) => x.cpuMs)) : undefined,
      cpuMinMs: cli.every((x) => x.cpuMs != null) ? Math.min(...cli.map((x) => x.cpuMs)) : undefined,
      cpuMaxMs: cli.every((x) => x.cpuMs != null) ? Math.max(...cli.map((x) => x.cpuMs)) : undefined,
      outputBytes: firstBytes[format].length,
      floor: {
        wallMs: median(fl.map((x) => x.floorWallMs)),
        wallMinMs: Math.min(...fl.map((x) => x.floorWallMs)),
        startupMs: median(fl.map((x) => x.rep.startupMs)),
        loadMs: median(fl.map((x) => x.rep.loadMs)),
        serialiseMs: median(fl.map((x) => x.rep.serialiseMs)),
        writeMs: median(fl.map((x) => x.rep.writeMs)),
        workMs: median(fl.map((x) => x.rep.workMs)),
        outputBytes: fl[0].rep.outputBytes,
        // CPU time of the floor process minus its untimed preparation (single-threaded parse).
        cpuMs: fl.every((x) => x.cpuMs != null) ? median(fl.map((x) => x.cpuMs - x.rep.prepMs)) : undefined,
      },
    };
    s.ratio = s.wallMs / s.floor.wallMs;
    s.cpuRatio = s.cpuMs != null && s.floor.cpuMs != null ? s.cpuMs / s.floor.cpuMs : undefined;
    summary[format] = s;
    log(
      `  -o ${format}: ${ms(s.wallMs)} (${ms(s.wallMinMs)}–${ms(s.wallMaxMs)}), RSS ${mb(s.rssKB)}; ` +
        `floor ${ms(s.floor.wallMs)} (start-up ${ms(s.floor.startupMs)} + load ${ms(s.floor.loadMs)} + ` +
        `${format === "json" ? "stringify" : "dump"} ${ms(s.floor.serialiseMs)} + write ${ms(s.floor.writeMs)}); ratio ${ratio(s.ratio)}; ` +
        `CPU ${ms(s.cpuMs)} vs floor ${ms(s.floor.cpuMs)} (${ratio(s.cpuRatio)})`,
    );
  }
  return summary;
}

/** The bundled example: the small app `npm start` renders, a render whose cost is mostly start-up. */
const SMALL_APP = "fixtures/bookshop/app";

/**
 * Cold start: `node -e 0`, `kubefork --version` and a render of the bundled example, interleaved,
 * --cold-runs times each. Medians and minima: on a shared machine the minimum is the steadier
 * figure, the median the one the target is judged by.
 */
async function coldStart(opts) {
  const runs = { node: [], version: [], render: [] };
  let version = "";
  const vf = join(WORK, "version.txt");
  for (let r = 0; r < opts.coldRuns; r++) {
    runs.node.push((await runNode(["-e", "0"], { measureRss: false })).wallMs);
    const x = await runNode([opts.cli, "--version"], { stdoutFile: vf, measureRss: false });
    if (x.code !== 0) abort(`${opts.cli} --version`, x);
    version = readFileSync(vf, "utf8").trim();
    runs.version.push(x.wallMs);
    const y = await runNode(cliArgs(opts.cli, SMALL_APP, "yaml"), { measureRss: false });
    if (y.code !== 0) abort(`${opts.cli} render ${SMALL_APP}`, y);
    runs.render.push(y.wallMs);
  }
  const stat = (xs) => ({ median: median(xs), min: Math.min(...xs) });
  const node = stat(runs.node);
  const cli = stat(runs.version);
  const render = stat(runs.render);
  const smallBytes = readdirSync(join(ROOT, SMALL_APP), { recursive: true })
    .map((f) => statSync(join(ROOT, SMALL_APP, f)))
    .reduce((sum, st) => sum + (st.isFile() ? st.size : 0), 0);
  return {
    nodeMs: node.median,
    nodeMinMs: node.min,
    cliMs: cli.median,
    cliMinMs: cli.min,
    ratio: cli.median / node.median,
    minRatio: cli.min / node.min,
    renderMs: render.median,
    renderMinMs: render.min,
    smallBytes,
    version,
  };
}

// ---------------------------------------------------------------------------------------------
// the commit scenario (issue 15)

/** Where the per-render copies of the app directory go: a tmpfs when there is one (copying and
 * removing 23 MB a thousand times on a disk would dominate the bench), else bench/.work. */
function copyRoot() {
  for (const d of ["/dev/shm"]) {
    try {
      if (statSync(d).isDirectory()) {
        const probe = join(d, `kubefork-bench-${process.pid}`);
        mkdirSync(probe);
        return probe;
      }
    } catch {
      /* not here */
    }
  }
  const d = join(WORK, `copies-${process.pid}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Identities of the objects of a `-o json` output, sorted: the partitions' union is checked against the full render. */
function identities(file) {
  const { docs } = parseJsonOutput(readFileSync(file, "utf8"));
  return docs.map((d) => `${d.apiVersion}/${d.kind}/${d.metadata?.namespace ?? ""}/${d.metadata?.name}`);
}

/**
 * One commit in per-fork mode: `--fork <id>` for every fork (the first one computes the commit),
 * then `--shared`, one after the other, each from a fresh copy of the app directory (untimed), all
 * with one fresh TMPDIR. Paired, in the same run: one full render (median of a few) and
 * `kubefork --version` (median of 11).
 */
async function benchCommit(opts, n, f, log) {
  const app = ensureApp(n, f, opts.seed);
  const loadBefore = os.loadavg()[0];
  log(`\ncommit (${n}, ${f}): ${relative(ROOT, app.dir)} ${app.reused ? "(reused)" : "(generated)"}, ${(app.totalBytes / 1e6).toFixed(2)} MB input`);
  const copies = copyRoot();
  const tmp = join(WORK, `commit-tmp-n${n}-f${f}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  let copyNo = 0;
  let copy;
  const freshCopy = () => {
    if (copy) rmSync(copy, { recursive: true, force: true });
    copy = join(copies, `app-${copyNo++}`);
    cpSync(app.dir, copy, { recursive: true });
    return copy;
  };
  const out = join(WORK, `commit-out.json`);
  try {
    // T_full and T_start, measured now, under the same load as the commit.
    const fullRuns = n > 2000 ? 1 : 3;
    const full = [];
    const fullOut = join(WORK, `commit-full-n${n}-f${f}.json`);
    for (let r = 0; r < fullRuns; r++) {
      const x = await runNode(cliArgs(opts.cli, freshCopy(), "json"), { stdoutFile: fullOut });
      if (x.code !== 0) abort(`full render of ${app.dir}`, x);
      full.push(x);
    }
    const start = [];
    const versionFile = join(WORK, "version.txt");
    for (let r = 0; r < 11; r++) {
      const x = await runNode([opts.cli, "--version"], { stdoutFile: versionFile });
      if (x.code !== 0) abort(`${opts.cli} --version`, x);
      start.push(x);
    }
    const tFull = median(full.map((x) => x.wallMs));
    const tStart = median(start.map((x) => x.wallMs));

    const ids = readdirSync(join(app.dir, "forks")).filter((x) => x.endsWith(".yaml")).map((x) => x.slice(0, -5)).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    const partitions = [...ids.map((id) => ["--fork", id]), ["--shared"]];
    const env = { ...process.env, TMPDIR: tmp };
    const runs = [];
    const union = [];
    for (const [i, args] of partitions.entries()) {
      const x = await runNode([...cliArgs(opts.cli, freshCopy(), "json"), ...args], { stdoutFile: out, env });
      if (x.code !== 0) abort(`render ${args.join(" ")} of ${app.dir} (commit, render ${i + 1})`, x);
      union.push(...identities(out));
      runs.push({ args, ...x });
      if (i % 50 === 49) process.stderr.write(".");
    }
    process.stderr.write("\n");
    const want = identities(fullOut).sort();
    union.sort();
    const warnings = [];
    if (union.length !== want.length || union.some((u, k) => u !== want[k])) {
      warnings.push(`the partitions' union (${union.length} objects) is not the full render (${want.length})`);
    }
    const first = runs[0];
    const cached = runs.slice(1, -1);
    const shared = runs[runs.length - 1];
    const total = runs.reduce((s, x) => s + x.wallMs, 0);
    const cpu = runs.every((x) => x.cpuMs != null) ? runs.reduce((s, x) => s + x.cpuMs, 0) : undefined;
    const budget = TARGETS.commitFull * tFull + TARGETS.commitStart * partitions.length * tStart;
    const r = {
      n,
      f,
      renders: partitions.length,
      tFull,
      tFullCpu: full.every((x) => x.cpuMs != null) ? median(full.map((x) => x.cpuMs)) : undefined,
      tStart,
      tStartMin: Math.min(...start.map((x) => x.wallMs)),
      tStartCpu: start.every((x) => x.cpuMs != null) ? median(start.map((x) => x.cpuMs)) : undefined,
      version: readFileSync(versionFile, "utf8").trim(),
      first: { wallMs: first.wallMs, cpuMs: first.cpuMs, rssKB: first.rssKB },
      cached: {
        wallMs: median(cached.map((x) => x.wallMs)),
        wallMinMs: Math.min(...cached.map((x) => x.wallMs)),
        wallMaxMs: Math.max(...cached.map((x) => x.wallMs)),
        cpuMs: cached.every((x) => x.cpuMs != null) ? median(cached.map((x) => x.cpuMs)) : undefined,
        rssKB: cached.every((x) => x.rssKB != null) ? median(cached.map((x) => x.rssKB)) : undefined,
      },
      shared: { wallMs: shared.wallMs, cpuMs: shared.cpuMs },
      totalMs: total,
      cpuMs: cpu,
      budgetMs: budget,
      ok: total <= budget,
      cpuBudgetMs: undefined,
      objects: want.length,
      warnings,
      load: Math.max(loadBefore, os.loadavg()[0]),
    };
    if (cpu != null && r.tFullCpu != null && r.tStartCpu != null) r.cpuBudgetMs = TARGETS.commitFull * r.tFullCpu + TARGETS.commitStart * partitions.length * r.tStartCpu;
    log(
      `  T_full ${ms(tFull)}, T_start ${ms(tStart)}; first --fork ${ms(first.wallMs)}, cached --fork ${ms(r.cached.wallMs)} ` +
        `(${ms(r.cached.wallMinMs)}–${ms(r.cached.wallMaxMs)}), --shared ${ms(shared.wallMs)}; commit ${ms(total)} ` +
        `(${ratio(total / tFull)} T_full; target ${ms(budget)}: ${r.ok ? "pass" : "FAIL"}); load ${r.load.toFixed(1)}`,
    );
    for (const w of warnings) log(`  WARNING: ${w}`);
    return r;
  } finally {
    rmSync(copies, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// report

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown CPU",
    cores: cpus.length,
    memGB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

function markdown(results) {
  const { m, sizes, cold, commits, hostile, opts, rev, linearity, targets } = results;
  const L = [];
  L.push(`### Benchmark (\`npm run bench\`)`);
  L.push("");
  L.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGB.toFixed(1)} GB, ${m.os}; Node ${m.node}; ${m.date}; ` +
      `kubefork ${cold?.version ?? commits?.[0]?.version ?? "?"} (${rev}). Wall time = median of ${opts.runs} runs, spawn to exit, node start-up included; ` +
      `peak RSS = median, ${rssMethod.kind === "gnu-time" ? "GNU time %M" : "process.resourceUsage().maxRSS"}.` +
      ` Floor = js-yaml \`loadAll\` of the same input + \`JSON.stringify\` / js-yaml \`dump\` of the same output documents + write, in a separate node process, wall time measured the same way.`,
  );
  L.push("");
  if (sizes.length) {
    L.push("| N services | F forks | input | objects out | output | render: median (min) | peak RSS | floor: median (min) | floor: start-up + load + serialise | render / floor | CPU render / floor | load avg |");
    L.push("|---:|---:|---:|---:|:---|---:|---:|---:|---:|---:|---:|---:|");
  }
  for (const s of sizes) {
    for (const format of ["json", "yaml"]) {
      const x = s[format];
      L.push(
        `| ${s.n} | ${s.f} | ${(s.inputBytes / 1e6).toFixed(2)} MB | ${s.objects} | ${format} (${(x.outputBytes / 1e6).toFixed(2)} MB) | ` +
          `${ms(x.wallMs)} (${ms(x.wallMinMs)}) | ${mb(x.rssKB)} | ${ms(x.floor.wallMs)} (${ms(x.floor.wallMinMs)}) | ` +
          `${ms(x.floor.startupMs)} + ${ms(x.floor.loadMs)} + ${ms(x.floor.serialiseMs)} | ${ratio(x.ratio)} | ${ratio(x.cpuRatio)} | ${s.load.toFixed(1)} |`,
      );
    }
  }
  L.push("");
  if (linearity) {
    L.push(`Fork cost at N = 2000 (T0 = render with F = 0):`);
    L.push("");
    L.push("| output | time | T0 = T(2000, 0) | T200 = T(2000, 200) | T400 = T(2000, 400) | T400 / T200 | fork part T200 − T0 | T400 − T0 | (T400 − T0) / (T200 − T0), linear = 2.00 |");
    L.push("|:---|:---|---:|---:|---:|---:|---:|---:|---:|");
    for (const x of Object.values(linearity)) {
      const fc = `${x.forkCost == null ? "–" : x.forkCost.toFixed(2)}${x.noisy ? " (fork part within noise)" : ""}`;
      L.push(
        `| ${x.format} | ${x.measure === "cpu" ? "CPU" : "wall"} | ${ms(x.t0)} | ${ms(x.t200)} | ${ms(x.t400)} | ${ratio(x.total)} | ` +
          `${x.t0 == null ? "–" : ms(x.t200 - x.t0)} | ${x.t0 == null ? "–" : ms(x.t400 - x.t0)} | ${fc} |`,
      );
    }
    L.push("");
  }
  if (cold) {
    L.push(
      `Cold start (median and minimum of ${opts.coldRuns}, interleaved): \`node -e 0\` ${ms(cold.nodeMs)} (${ms(cold.nodeMinMs)}), ` +
        `\`kubefork --version\` ${ms(cold.cliMs)} (${ms(cold.cliMinMs)}): ${ratio(cold.ratio)} (minima ${ratio(cold.minRatio)}). ` +
        `\`kubefork render ${SMALL_APP}\` (the bundled example, ${(cold.smallBytes / 1024).toFixed(0)} KB): ${ms(cold.renderMs)} (${ms(cold.renderMinMs)}).`,
    );
    L.push("");
  }
  if (commits?.length) {
    L.push(
      `Commit in per-fork mode (issue 15): F + 1 renders (\`--fork <id>\` for every fork, the first of which computes the commit, then \`--shared\`), ` +
        `one after the other, each from a fresh copy of the app directory, one shared TMPDIR, \`-o json\`. ` +
        `T_full = one full render (median of ${commits.some((c) => c.n <= 2000) ? "3" : "1"} at N ≤ 2000, else 1), T_start = \`kubefork --version\` (median of 11), both measured just before the commit.`,
    );
    L.push("");
    L.push("| N | F | renders | T_full | T_start | first `--fork` | cached `--fork`: median (min–max) | cached `--fork` CPU, RSS | `--shared` | T_commit | T_commit / T_full | target 3 T_full + 1.5 (F+1) T_start | commit CPU | load avg |");
    L.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const c of commits) {
      L.push(
        `| ${c.n} | ${c.f} | ${c.renders} | ${ms(c.tFull)} | ${ms(c.tStart)} | ${ms(c.first.wallMs)} | ${ms(c.cached.wallMs)} (${ms(c.cached.wallMinMs)}–${ms(c.cached.wallMaxMs)}) | ` +
          `${ms(c.cached.cpuMs)}, ${mb(c.cached.rssKB)} | ${ms(c.shared.wallMs)} | ${ms(c.totalMs)} | ${ratio(c.totalMs / c.tFull)} | ${ms(c.budgetMs)} ${c.ok ? "✅" : "❌"} | ${ms(c.cpuMs)} | ${c.load.toFixed(1)} |`,
      );
    }
    L.push("");
  }
  if (hostile?.length) {
    L.push("Hostile inputs (issue 13, bench/pathological.mjs), each in its own process with its heap:");
    L.push("");
    L.push(pathologicalTable(hostile));
    L.push("");
  }
  L.push("Targets (issues 7, 13 and 15):");
  L.push("");
  for (const t of targets) L.push(`- ${mark(t.ok)} ${t.text}: ${t.value}`);
  const warn = [...sizes, ...(commits ?? [])].flatMap((s) => s.warnings.map((w) => `(${s.n}, ${s.f}): ${w}`));
  if (m.loadStart != null && Math.max(m.loadStart, m.loadEnd) > 0.5 * m.cores) {
    warn.push(
      `the machine was busy (1-minute load average ${m.loadStart.toFixed(2)} at start, ${m.loadEnd.toFixed(2)} at end, ` +
        `${m.cores} cores): wall times are noisy, the CPU-time ratio is the steadier comparison`,
    );
  }
  if (warn.length) {
    L.push("");
    L.push("Warnings:");
    for (const w of [...new Set(warn)]) L.push(`- ${w}`);
  }
  return L.join("\n");
}

function evaluate(sizes, cold, commits = []) {
  const find = (n, f) => sizes.find((s) => s.n === n && s.f === f);
  const s200 = find(2000, 200);
  const s400 = find(2000, 400);
  const s0 = find(2000, 0);
  const targets = [];
  for (const format of ["json", "yaml"]) {
    targets.push({
      text: `render -o ${format} ≤ ${TARGETS.floorRatio}× its floor at (2000, 200)`,
      ok: s200 ? s200[format].ratio <= TARGETS.floorRatio : null,
      value: s200 ? `${ratio(s200[format].ratio)} (${ms(s200[format].wallMs)} vs ${ms(s200[format].floor.wallMs)})` : "not run",
    });
  }
  let linearity;
  if (s200 && s400) {
    linearity = {};
    for (const format of ["json", "yaml"]) {
      for (const measure of ["wall", "cpu"]) {
        const get = (x, what = "") => x?.[format][`${measure}${what}Ms`];
        const t200 = get(s200);
        const t400 = get(s400);
        const t0 = get(s0);
        if (t200 == null || t400 == null) continue;
        // The fork part is the difference of two noisy medians: when it is smaller than the spread
        // of the runs (or 3 % of T0) its ratio says nothing.
        const spread = Math.max(get(s200, "Max") - get(s200, "Min"), s0 ? get(s0, "Max") - get(s0, "Min") : 0);
        const noisy = t0 != null && t200 - t0 < Math.max(spread, 0.03 * t0);
        linearity[`${format}-${measure}`] = {
          format,
          measure,
          t0,
          t200,
          t400,
          total: t400 / t200,
          forkCost: t0 != null && t200 > t0 ? (t400 - t0) / (t200 - t0) : null,
          noisy,
        };
      }
      const x = linearity[`${format}-wall`];
      const c = linearity[`${format}-cpu`];
      targets.push({
        text: `fork cost linear, -o ${format}: T(2000, 400) ≤ ${TARGETS.forkGrowth}× T(2000, 200)`,
        ok: x.total <= TARGETS.forkGrowth,
        value:
          `${ratio(x.total)} wall` +
          (c ? `, ${ratio(c.total)} CPU` : "") +
          (x.t0 != null
            ? `; fork part (T400 − T0)/(T200 − T0) = ${x.forkCost == null ? "–" : x.forkCost.toFixed(2)} wall` +
              (c?.forkCost != null ? `, ${c.forkCost.toFixed(2)} CPU` : "") +
              ` (2.00 is linear${x.noisy ? "; the wall-time fork part is within the noise" : ""})`
            : ""),
      });
    }
  } else {
    targets.push({ text: `fork cost linear: T(2000, 400) ≤ ${TARGETS.forkGrowth}× T(2000, 200)`, ok: null, value: "not run" });
  }
  const rss = s400 ? Math.max(s400.json.rssMaxKB ?? NaN, s400.yaml.rssMaxKB ?? NaN) : undefined;
  targets.push({
    text: `peak RSS ≤ ${TARGETS.rssMB} MB at (2000, 400)`,
    ok: s400 && Number.isFinite(rss) ? rss / 1024 <= TARGETS.rssMB : null,
    value: s400 ? (Number.isFinite(rss) ? `${mb(rss)} (highest of all runs, json and yaml)` : "RSS not measured") : "not run",
  });
  for (const c of commits) {
    targets.push({
      text: `commit (${c.n}, ${c.f}), ${c.renders} renders: T_commit ≤ ${TARGETS.commitFull} T_full + ${TARGETS.commitStart} × ${c.renders} × T_start (issue 15)`,
      ok: c.ok,
      value:
        `${ms(c.totalMs)} vs ${ms(c.budgetMs)} (T_full ${ms(c.tFull)}, T_start ${ms(c.tStart)}); a cached \`--fork\` ${ms(c.cached.wallMs)} = ${ratio(c.cached.wallMs / c.tStart)} T_start` +
        (c.cpuBudgetMs != null ? `; in CPU time ${ms(c.cpuMs)} vs ${ms(c.cpuBudgetMs)} (T_full ${ms(c.tFullCpu)}, T_start ${ms(c.tStartCpu)}; a cached \`--fork\` ${ratio(c.cached.cpuMs / c.tStartCpu)} T_start)` : ""),
    });
  }
  targets.push({
    text: `cold start ≤ ${TARGETS.coldRatio}× \`node -e 0\``,
    ok: cold ? cold.ratio <= TARGETS.coldRatio : null,
    value: cold ? `${ratio(cold.ratio)} (${ms(cold.cliMs)} vs ${ms(cold.nodeMs)}; minima ${ratio(cold.minRatio)})` : "not run",
  });
  return { targets, linearity };
}

// ---------------------------------------------------------------------------------------------
// profile

/** Builds an unminified bundle with the options of scripts/build.mjs (scripts/bundle-options.mjs). */
async function buildProfileBundle() {
  const { build } = await import("esbuild");
  const { bundleOptions } = await import("../scripts/bundle-options.mjs");
  const outfile = join(WORK, "prof", "kubefork.prof.cjs");
  await build(bundleOptions({ outfile, minify: false }));
  return outfile;
}

/** Line → source module of an unminified esbuild bundle, from its `// path/to/module.ts` markers. */
function moduleMap(bundleFile) {
  const marks = [];
  const lines = readFileSync(bundleFile, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(lines[i]);
    if (m) marks.push([i, m[1]]);
  }
  if (marks.length === 0) return undefined; // minified: no markers
  const fn = (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let found;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid][0] <= line) {
        found = marks[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  fn.file = bundleFile;
  return fn;
}

/** Self time per function (and per module) from a .cpuprofile. */
export function analyseProfile(profile, moduleOf) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: attribute the interval after sample i.
    const dt = (timeDeltas[i + 1] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const modules = new Map();
  for (const [id, t] of self) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const name = cf.functionName || "(anonymous)";
    const file = cf.url ? cf.url.replace(/^file:\/\//, "") : "";
    const inBundle = Boolean(moduleOf) && file === moduleOf.file;
    const mod = file ? (inBundle ? moduleOf(cf.lineNumber) : undefined) ?? relative(ROOT, file) : "";
    const where = file ? (inBundle ? mod : `${mod}:${cf.lineNumber + 1}:${cf.columnNumber + 1}`) : "";
    const key = `${name}\u0000${where}`;
    const e = fns.get(key) ?? { name: name.length > 70 ? name.slice(0, 67) + "..." : name, where, ms: 0 };
    e.ms += t;
    fns.set(key, e);
    const mk = name.startsWith("RegExp:") ? "(regular expressions)" : file.startsWith("node:") ? "(node internals)" : mod || (name.startsWith("(") ? name : "(native builtins)");
    modules.set(mk, (modules.get(mk) ?? 0) + t);
  }
  const top = [...fns.values()].sort((a, b) => b.ms - a.ms);
  const mods = [...modules.entries()].map(([name, t]) => ({ name, ms: t })).sort((a, b) => b.ms - a.ms);

  // Inclusive (total) time of the renderer's own functions: each sample counts once for every
  // distinct src/ function on its stack, so recursion is not counted twice.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const srcKey = new Map(); // node id → "name\0module" for src/ frames
  for (const n of profile.nodes) {
    const file = n.callFrame.url ? n.callFrame.url.replace(/^file:\/\//, "") : "";
    const mod = (moduleOf && file === moduleOf.file ? moduleOf(n.callFrame.lineNumber) : file ? relative(ROOT, file) : "") ?? "";
    if (mod.startsWith("src/")) srcKey.set(n.id, `${n.callFrame.functionName || "(anonymous)"}\u0000${mod}`);
  }
  const inclusive = new Map();
  for (const [id, t] of self) {
    const seen = new Set();
    for (let cur = id; cur != null; cur = parent.get(cur)) {
      const k = srcKey.get(cur);
      if (k && !seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + t);
      }
    }
  }
  const totalSrc = [...inclusive.entries()]
    .map(([k, t]) => ({ name: k.split("\u0000")[0], where: k.split("\u0000")[1], ms: t }))
    .sort((a, b) => b.ms - a.ms);
  return { total, top, modules: mods, inclusive: totalSrc };
}

async function profileRun(opts) {
  const [n, f] = opts.sizes[0];
  const app = ensureApp(n, f, opts.seed);
  const appRel = relative(ROOT, app.dir);
  const profDir = join(WORK, "prof");
  mkdirSync(profDir, { recursive: true });
  let bundle = opts.cli;
  let moduleOf;
  if (!opts.profileDist) bundle = await buildProfileBundle();
  moduleOf = moduleMap(resolve(ROOT, bundle));
  const m = machine();
  console.log(`Profile of render (${n}, ${f}) (${appRel}, ${(app.totalBytes / 1e6).toFixed(2)} MB), ${relative(ROOT, bundle)}; ${m.cpu}, Node ${m.node}`);
  for (const format of ["json", "yaml"]) {
    const name = `render-n${n}-f${f}-${format}.cpuprofile`;
    rmSync(join(profDir, name), { force: true });
    const r = await runNode(
      ["--cpu-prof", "--cpu-prof-dir", profDir, "--cpu-prof-name", name, ...cliArgs(relative(ROOT, bundle), appRel, format)],
      { stdoutFile: join(WORK, `prof-out.${format}`), measureRss: false },
    );
    if (r.code !== 0) abort(`profiled render -o ${format}`, r);
    const prof = JSON.parse(readFileSync(join(profDir, name), "utf8"));
    const a = analyseProfile(prof, moduleOf);
    console.log(`\n#### -o ${format}: ${ms(r.wallMs)} wall (profiler on), ${ms(a.total)} sampled; ${relative(ROOT, join(profDir, name))}\n`);
    console.log("| # | self | % | function | module |");
    console.log("|---:|---:|---:|:---|:---|");
    a.top.slice(0, opts.top).forEach((e, i) => {
      console.log(`| ${i + 1} | ${e.ms.toFixed(0)} ms | ${((100 * e.ms) / a.total).toFixed(1)} | \`${e.name}\` | ${e.where || ""} |`);
    });
    console.log("\nSelf time by module:\n");
    console.log("| self | % | module |");
    console.log("|---:|---:|:---|");
    for (const e of a.modules.slice(0, 12)) console.log(`| ${e.ms.toFixed(0)} ms | ${((100 * e.ms) / a.total).toFixed(1)} | ${e.name} |`);
    if (a.inclusive.length) {
      console.log("\nTotal (inclusive) time of the renderer's functions (src/):\n");
      console.log("| total | % | function | module |");
      console.log("|---:|---:|:---|:---|");
      for (const e of a.inclusive.slice(0, opts.top)) {
        console.log(`| ${e.ms.toFixed(0)} ms | ${((100 * e.ms) / a.total).toFixed(1)} | \`${e.name}\` | ${e.where} |`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(WORK, { recursive: true });
  rssMethod = detectRssMethod();
  const cliPath = join(ROOT, opts.cli);
  if (!existsSync(cliPath)) die(`${opts.cli} not found: run \`npm run build\` first (or \`npm run bench\`).`);
  if (opts.profile) return profileRun(opts);

  if (rssMethod.kind !== "gnu-time") {
    console.error("bench: GNU time not found (apt-get install -y time); peak RSS comes from a preloaded hook (process.resourceUsage().maxRSS).");
  }
  // The F = 0 baseline for the fork-cost check, when both (2000, 200) and (2000, 400) are run.
  const sizes = [...opts.sizes];
  const has = (n, f) => sizes.some(([a, b]) => a === n && b === f);
  if (has(2000, 200) && has(2000, 400) && !has(2000, 0)) sizes.splice(sizes.findIndex(([a, b]) => a === 2000 && b === 200), 0, [2000, 0]);

  const m = machine();
  m.loadStart = os.loadavg()[0];
  const log = (s) => console.error(s);
  log(`bench: ${m.cpu}, ${m.cores} cores, Node ${m.node}; CLI ${opts.cli}; ${opts.runs} runs per measurement; RSS via ${rssMethod.kind}; load average ${m.loadStart.toFixed(2)}`);
  const cold = opts.commitOnly || opts.pathologicalOnly ? undefined : await coldStart(opts);
  if (cold) {
    log(
      `cold start: node -e 0 ${ms(cold.nodeMs)}, ${opts.cli} --version ${ms(cold.cliMs)} (${ratio(cold.ratio)}), ` +
        `render ${SMALL_APP} ${ms(cold.renderMs)}; version ${cold.version}`,
    );
  }
  const results = [];
  for (const [n, f] of sizes) results.push(await benchSize(opts, n, f, log));
  const commits = [];
  for (const [n, f] of opts.pathologicalOnly ? [] : opts.commitSizes) commits.push(await benchCommit(opts, n, f, log));
  const hostile = opts.pathologicalOnly || !(opts.quick || opts.coldOnly || opts.commitOnly) ? runPathological({ cli: resolve(ROOT, opts.cli) }) : [];
  if (hostile.length) log(`hostile inputs: ${hostile.map((r) => `${r.name} ${r.wallS.toFixed(2)} s exit ${r.exit}`).join(", ")}`);

  m.loadEnd = os.loadavg()[0];
  const { targets, linearity } = evaluate(results, cold, commits);
  if (hostile.length)
    targets.push({
      text: `hostile inputs: every row ends with its stated exit within ${PATHOLOGICAL_LIMIT_S} s`,
      ok: hostile.every((r) => r.ok),
      value: `slowest ${Math.max(...hostile.map((r) => r.wallS)).toFixed(2)} s${hostile.some((r) => !r.ok) ? `; failed: ${hostile.filter((r) => !r.ok).map((r) => r.name).join(", ")}` : ""}`,
    });
  const report = { m, sizes: results, cold, commits, hostile, opts, rev: gitRev(), linearity, targets };
  const md = markdown(report);
  writeFileSync(join(WORK, "results.md"), md + "\n");
  writeFileSync(join(WORK, "results.json"), JSON.stringify({ ...report, rssMethod: rssMethod.kind }, null, 2) + "\n");
  console.log("\n" + md);
  console.error(`\n(also in ${relative(ROOT, join(WORK, "results.md"))} and results.json)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  });
}
