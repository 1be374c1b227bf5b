// Bench rows for hostile inputs (issue 13): each must end fast, and fail or pass as stated.
//
//   node bench/pathological.mjs [--cli dist/kubefork.cjs] [--only NAME]
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
import { generateApp } from "./generate.mjs";

const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const CLI = resolve(flag("--cli", "dist/kubefork.cjs"));
const ONLY = flag("--only", undefined);
const WORK = resolve("bench/.work/pathological");
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

if (!existsSync(CLI)) {
  console.error(`bench: ${CLI} not found: run \`npm run build\` first`);
  process.exit(1);
}
const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
console.log("| row | heap | wall | exit | peak RSS | stderr (first line) |\n|---|---:|---:|---:|---:|---|");
for (const [name, make] of Object.entries(ROWS)) {
  if (ONLY && ONLY !== name) continue;
  const { dir, heapMb } = make();
  const node = [`--max-old-space-size=${heapMb}`, CLI, "render", dir, "--now", NOW];
  const cmd = timeBin ? [timeBin, "-f", "RSS %M", process.execPath, ...node] : [process.execPath, ...node];
  const t = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", maxBuffer: 1 << 30, timeout: 15 * 60_000 });
  const wall = ((performance.now() - t) / 1000).toFixed(2);
  const rss = /RSS (\d+)/.exec(r.stderr ?? "")?.[1];
  const first = (r.stderr ?? "").split("\n").find((l) => l && !l.startsWith("RSS ")) ?? "";
  console.log(`| ${name} | ${heapMb} MB | ${wall} s | ${r.status ?? r.signal} | ${rss ? `${Math.round(rss / 1024)} MB` : "?"} | ${first.slice(0, 140).replace(/\|/g, "\\|")} |`);
}
