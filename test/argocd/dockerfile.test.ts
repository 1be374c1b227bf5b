// The sidecar image without Docker: the Dockerfile is parsed and checked against the repository
// and against what Argo CD expects of a CMP sidecar.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error: a plain .mjs build script, without type declarations
import { bundleOptions, OUTFILE } from "../../scripts/bundle-options.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

interface Instruction {
  op: string;
  flags: Record<string, string>;
  args: string[];
  /** The raw argument text, for exec-form JSON. */
  text: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** A small Dockerfile reader: comments, line continuations, `--flag=value`s, ARG defaults in FROM. */
function readDockerfile(source: string): { args: Record<string, string>; stages: Stage[] } {
  const lines: string[] = [];
  let pending = "";
  for (const line of source.split("\n")) {
    if (/^\s*#/.test(line)) continue; // comments, also inside continuations
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, " ");
      continue;
    }
    const full = (pending + line).trim();
    pending = "";
    if (full) lines.push(full);
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const op = m[1]!.toUpperCase();
    const text = m[2]!.trim();
    const words = text.split(/\s+/).filter(Boolean);
    const flags: Record<string, string> = {};
    while (words[0]?.startsWith("--")) {
      const [k, v = ""] = words.shift()!.slice(2).split("=");
      flags[k!] = v;
    }
    const ins: Instruction = { op, flags, args: words, text: words.join(" ") };
    if (op === "FROM") {
      const image = words[0]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? "");
      stages.push({ from: image, name: words[2], instructions: [] });
    } else if (op === "ARG" && stages.length === 0) {
      const [k, v = ""] = words[0]!.split("=");
      args[k!] = v.replace(/^"|"$/g, "");
    } else {
      expect(stages.length, `${op} before FROM`).toBeGreaterThan(0);
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { args, stages };
}

function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((i) => i.op === "ENV")) {
    for (const pair of i.args) {
      const [k, ...v] = pair.split("=");
      env[k!] = v.join("=").replace(/^"|"$/g, "");
    }
  }
  return env;
}

function workdirOf(stage: Stage, upTo: Instruction): string {
  let wd = "/";
  for (const i of stage.instructions) {
    if (i === upTo) break;
    if (i.op === "WORKDIR") wd = posix.resolve(wd, i.args[0]!);
  }
  return wd;
}

const { stages } = readDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const build = stages.find((s) => s.name === "build")!;
const runtime = stages.at(-1)!;
// Where the build writes the bundle: the path the runtime stage must copy.
const BUNDLE: string = OUTFILE;

describe("Dockerfile", () => {
  it("is multi-stage: a named build stage and a small runtime stage, both a supported Node LTS on alpine", () => {
    expect(stages.length).toBe(2);
    expect(build).toBeDefined();
    expect(runtime).not.toBe(build);
    for (const s of stages) expect(s.from).toMatch(/^node:(22|24)(\.\d+)*-alpine/);
  });

  it("builds the bundle with npm ci and npm run build", () => {
    const runs = build.instructions.filter((i) => i.op === "RUN").map((i) => i.text);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.build).toBe("node scripts/build.mjs");
    const options = bundleOptions();
    expect(options.outfile).toBe("dist/kubefork.cjs");
    expect(options.entryPoints).toEqual(["src/cli/main.ts"]);
  });

  it("every path it COPYs from the build context exists in the repository", () => {
    const copies = stages.flatMap((s) => s.instructions.filter((i) => (i.op === "COPY" || i.op === "ADD") && !i.flags.from));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c.op, "COPY, not ADD").toBe("COPY");
      for (const src of c.args.slice(0, -1)) expect(existsSync(join(ROOT, src)), `${src} (COPY ${c.text})`).toBe(true);
    }
    // The build context must carry what `npm run build` reads.
    const copied = copies.filter((c) => build.instructions.includes(c)).flatMap((c) => c.args.slice(0, -1));
    for (const needed of ["package.json", "package-lock.json", "scripts", "src"]) expect(copied).toContain(needed);
  });

  it("copies from the build stage only what npm run build produces", () => {
    const fromBuild = runtime.instructions.filter((i) => i.op === "COPY" && i.flags.from);
    expect(fromBuild).toHaveLength(1);
    const copy = fromBuild[0]!;
    expect(copy.flags.from).toBe("build");
    const buildRun = build.instructions.find((i) => i.op === "RUN" && /npm run build/.test(i.text))!;
    const src = copy.args[0]!;
    expect(posix.relative(workdirOf(build, buildRun), src)).toBe(BUNDLE);
  });

  it("installs the CLI at /usr/local/bin/kubefork, executable", () => {
    const copy = runtime.instructions.find((i) => i.op === "COPY" && i.args.at(-1) === "/usr/local/bin/kubefork");
    expect(copy, "COPY ... /usr/local/bin/kubefork").toBeDefined();
    expect(copy!.flags.chmod).toBe("755");
  });

  it("bakes plugin.yaml where the cmp-server reads it", () => {
    const copy = runtime.instructions.find((i) => i.op === "COPY" && !i.flags.from && i.args[0] === "plugin.yaml");
    expect(copy?.args.at(-1)).toBe("/home/argocd/cmp-server/config/plugin.yaml");
    const plugin = parse(readFileSync(join(ROOT, "plugin.yaml"), "utf8"));
    // generate.command[0] is looked up on PATH: /usr/local/bin is on node images' PATH.
    expect(plugin.spec.generate.command[0]).toBe(posix.basename(copy ? "/usr/local/bin/kubefork" : ""));
  });

  it("runs as uid 999 with HOME=/tmp and argocd-cmp-server as entrypoint", () => {
    const users = runtime.instructions.filter((i) => i.op === "USER");
    expect(users.at(-1)?.args).toEqual(["999"]);
    expect(envOf(runtime).HOME).toBe("/tmp");
    const entrypoints = runtime.instructions.filter((i) => i.op === "ENTRYPOINT");
    expect(entrypoints).toHaveLength(1);
    expect(JSON.parse(entrypoints[0]!.text)).toEqual(["/var/run/argocd/argocd-cmp-server"]);
    expect(runtime.instructions.some((i) => i.op === "CMD")).toBe(false);
  });

  it("keeps the runtime small: no npm ci, no source, kustomize only on request", () => {
    const runs = runtime.instructions.filter((i) => i.op === "RUN").map((i) => i.text);
    expect(runs.some((r) => /\bnpm (ci|install)\b/.test(r))).toBe(false);
    expect(runtime.instructions.some((i) => i.op === "COPY" && i.args.includes("src"))).toBe(false);
    const apk = runs.filter((r) => /apk add/.test(r));
    for (const r of apk) expect(r).toMatch(/if \[ -n "\$\{KUSTOMIZE_VERSION\}" \]; then apk add --no-cache "kustomize~\$\{KUSTOMIZE_VERSION\}"/);
    const argDefault = runtime.instructions.find((i) => i.op === "ARG" && i.args[0]!.startsWith("KUSTOMIZE_VERSION"));
    expect(argDefault?.args[0]).toBe('KUSTOMIZE_VERSION=""');
  });
});

// Runs only after `npm run build` (the test script builds first): the bundle the image copies
// must run with nothing but node, from a directory without node_modules.
describe.skipIf(!existsSync(join(ROOT, BUNDLE)))("the bundle the image copies", () => {
  it("starts with a node shebang and runs without node_modules", () => {
    const text = readFileSync(join(ROOT, BUNDLE), "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "kubefork-bundle-"));
    try {
      const bin = join(dir, "kubefork");
      copyFileSync(join(ROOT, BUNDLE), bin);
      execFileSync(process.execPath, [bin, "--help"], { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir }, stdio: "pipe", timeout: 30_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
