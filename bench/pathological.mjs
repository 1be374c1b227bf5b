// Bench rows for hostile inputs (issue 13): each must end fast, and fail or pass as stated.
//
//   node bench/pathological.mjs [--cli dist/kubefork.cjs] [--only NAME]
//
// `npm run bench` runs them too (bench/run.mjs; `--pathological-only` for these alone), each
// against its target: the exit code stated below, and an end within PATHOLOGICAL_LIMIT_S (half
// of Argo CD's 60 s repo-server timeout) without running out of its heap.
//
// Rows (each renders in its own process, as Argo CD runs it, with the heap given):
//   whitespace-fork   a valid 1 MB fork file whose `owner` is a run of spaces (once a backtracking
//                     regex: more than 11 minutes)
//   patch-ops         8 forks of 15,000 RFC 6902 operations each (once quadratic: 61 s)
//   env-ops           8 forks of 10,000 `add .../containers/0/env/-` each, on one container (once
//                     quadratic: 166 s, the whole container list snapshotted per operation)
//   volume-ops        8 forks of 10,000 operations on the pod's volume list each: appended, inserted
//                     in the middle, replaced, removed (once quadratic, the whole volume list
//                     snapshotted and compared per operation)
//   patch-problem     8 forks of 15,000 patch operations whose last one fails: the error's line is
//                     looked up in each ~0.9 MB fork file (once a re-parse with the \`yaml\`
//                     package, about 0.7 s per file; now from js-yaml's events)
//   many-forks        300 fork files of 1,000 workloads, maxForks 5, under a 256 MB heap (once out
//                     of memory instead of failing on maxForks)
// Prints a Markdown table: wall time, exit code, peak RSS, the first line of stderr.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateApp } from "./generate.mjs";

const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const CLI_ARG = flag("--cli", "dist/kubefork.cjs");
const ONLY = flag("--only", undefined);
const WORK = resolve(fileURLToPath(new URL(".", import.meta.url)), ".work/pathological");
const NOW = "2026-11-23T12:00:00Z";

function fork(id, body) {
  return `apiVersion: kubefork.dev/v1alpha1\nkind: Fork\nmetadata:\n  name: ${id}\nspec:\n  expires: "2026-11-30T00:00:00Z"\n${body}`;
}

/** An app of `services` services (bench/generate.mjs) with `forks` written by the row. */
function appWith(name, services, forks, managerEdit = (m) => m) {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  generateApp(dir, { services, forks: 0 });
  const m = join(dir, "kubefork.yaml");
  writeFileSync(m, managerEdit(readFileSync(m, "utf8")));
  mkdirSync(join(dir, "forks"), { recursive: true });
  for (const [file, text] of Object.entries(forks)) writeFileSync(join(dir, "forks", file), text);
  return dir;
}

/** The exit each row must end with: 0 renders, 1 invalid input, 2 a policy violation. */
export const EXPECTED_EXIT = {
  "whitespace-fork": 1, // the copy carries the 1 MB owner annotation: over the 1 MiB object limit (KF5020)
  "patch-ops": 0,
  "env-ops": 0,
  "volume-ops": 0,
  "patch-problem": 1, // its last operation fails
  "many-forks": 2, // maxForks
};

/** Half of Argo CD's repo-server timeout (60 s): a row past it is a render Argo CD may kill. */
export const PATHOLOGICAL_LIMIT_S = 30;

const ROWS = {
  "whitespace-fork": () => {
    const spaces = " ".repeat(1024 * 1024 - 300);
    const text = fork("ws", `  owner: "${spaces}x"\n  workloads:\n    - name: svc1-v1\n      image: registry.example.com/bench/svc1:pr-1\n`);
    return { dir: appWith("whitespace-fork", 10, { "ws.yaml": text }), heapMb: 256 };
  },
  "patch-ops": () => {
    const forks = {};
    for (let f = 0; f < 8; f++) {
      const ops = [];
      // Under the 1 MiB fork file limit: short lines.
      for (let k = 0; k < 15_000; k++) ops.push(`      - {op: add, path: /metadata/labels/l${k}, value: v}\n`);
      forks[`p${f}.yaml`] = fork(`p${f}`, `  workloads:\n    - name: svc${f}-v1\n      image: registry.example.com/bench/svc${f}:pr-1\n      patches:\n${ops.join("")}`);
    }
    return { dir: appWith("patch-ops", 10, forks), heapMb: 512 };
  },
  "env-ops": () => {
    const forks = {};
    for (let f = 0; f < 8; f++) {
      const ops = [];
      for (let k = 0; k < 10_000; k++) ops.push(`      - {op: add, path: /spec/template/spec/containers/0/env/-, value: {name: E${k}, value: v}}\n`);
      forks[`e${f}.yaml`] = fork(`e${f}`, `  workloads:\n    - name: svc${f}-v1\n      image: registry.example.com/bench/svc${f}:pr-1\n      patches:\n${ops.join("")}`);
    }
    return { dir: appWith("env-ops", 10, forks), heapMb: 512 };
  },
  "volume-ops": () => {
    const forks = {};
    const V = "/spec/template/spec/volumes";
    for (let f = 0; f < 8; f++) {
      const ops = [`      - {op: add, path: ${V}, value: []}\n`];
      let length = 0;
      for (let k = 1; k < 10_000; k++) {
        const mid = length >> 1;
        const kind = k % 6;
        if (kind <= 2) ops.push(`      - {op: add, path: ${V}/-, value: {name: v${k}, emptyDir: {}}}\n`), length++;
        else if (kind === 3) ops.push(`      - {op: add, path: ${V}/${mid}, value: {name: v${k}, configMap: {name: c}}}\n`), length++;
        else if (kind === 4) ops.push(`      - {op: replace, path: ${V}/${mid}, value: {name: v${k}, emptyDir: {}}}\n`);
        else ops.push(`      - {op: remove, path: ${V}/${mid}}\n`), length--;
      }
      forks[`v${f}.yaml`] = fork(`v${f}`, `  workloads:\n    - name: svc${f}-v1\n      image: registry.example.com/bench/svc${f}:pr-1\n      patches:\n${ops.join("")}`);
    }
    const allowVolumes = (m) => (m.includes("policy:") ? m.replace("policy:", `policy:\n    allowPatchPaths: [${V}]`) : `${m.trimEnd()}\n  policy:\n    allowPatchPaths: [${V}]\n`);
    return { dir: appWith("volume-ops", 10, forks, allowVolumes), heapMb: 512 };
  },
  "patch-problem": () => {
    const forks = {};
    for (let f = 0; f < 8; f++) {
      const ops = [];
      for (let k = 0; k < 15_000; k++) ops.push(`      - {op: add, path: /metadata/labels/l${k}, value: v}\n`);
      ops.push("      - {op: remove, path: /spec/nothing}\n");
      forks[`q${f}.yaml`] = fork(`q${f}`, `  workloads:\n    - name: svc${f}-v1\n      image: registry.example.com/bench/svc${f}:pr-1\n      patches:\n${ops.join("")}`);
    }
    return { dir: appWith("patch-problem", 10, forks), heapMb: 512 };
  },
  "many-forks": () => {
    const forks = {};
    const workloads = [];
    for (let i = 0; i < 1000; i++) workloads.push(`    - name: svc${i}-v1\n      image: registry.example.com/bench/svc${i}:pr-1\n`);
    const body = `  workloads:\n${workloads.join("")}`;
    for (let f = 0; f < 300; f++) forks[`m${f}.yaml`] = fork(`m${f}`, body);
    const withMaxForks = (m) => (m.includes("policy:") ? m.replace("policy:", "policy:\n    maxForks: 5") : `${m.trimEnd()}\n  policy:\n    maxForks: 5\n`);
    return { dir: appWith("many-forks", 1000, forks, withMaxForks), heapMb: 256 };
  },
};

/**
 * Runs the rows (or the one named), each in its own process with its heap, as Argo CD would.
 * Returns one record per row: wall seconds, exit, peak RSS (MB, when GNU time is there), the first
 * line of stderr, and whether it met its target.
 */
export function runPathological({ cli, only } = {}) {
  const bin = resolve(cli ?? "dist/kubefork.cjs");
  if (!existsSync(bin)) throw new Error(`bench: ${bin} not found: run \`npm run build\` first`);
  const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
  const out = [];
  for (const [name, make] of Object.entries(ROWS)) {
    if (only && only !== name) continue;
    const { dir, heapMb } = make();
    const node = [`--max-old-space-size=${heapMb}`, bin, "render", dir, "--now", NOW];
    const cmd = timeBin ? [timeBin, "-f", "RSS %M", process.execPath, ...node] : [process.execPath, ...node];
    const t = performance.now();
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", maxBuffer: 1 << 30, timeout: 15 * 60_000 });
    const wallS = (performance.now() - t) / 1000;
    const rss = /RSS (\d+)/.exec(r.stderr ?? "")?.[1];
    const first = (r.stderr ?? "").split("\n").find((l) => l && !l.startsWith("RSS ")) ?? "";
    const exit = r.status ?? r.signal;
    out.push({ name, heapMb, wallS, exit, rssMB: rss ? Math.round(rss / 1024) : undefined, stderr: first, ok: exit === EXPECTED_EXIT[name] && wallS <= PATHOLOGICAL_LIMIT_S });
  }
  return out;
}

/** The rows as a Markdown table. */
export function pathologicalTable(rows) {
  const L = ["| row | heap | wall | exit (expected) | peak RSS | target | stderr (first line) |", "|---|---:|---:|---:|---:|:---:|---|"];
  for (const r of rows)
    L.push(
      `| ${r.name} | ${r.heapMb} MB | ${r.wallS.toFixed(2)} s | ${r.exit} (${EXPECTED_EXIT[r.name]}) | ${r.rssMB !== undefined ? `${r.rssMB} MB` : "?"} | ${r.ok ? "pass" : "FAIL"} | ${r.stderr.slice(0, 140).replace(/\|/g, "\\|")} |`,
    );
  return L.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = runPathological({ cli: CLI_ARG, only: ONLY });
  console.log(pathologicalTable(rows));
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}
