// The floor of issue 7: the least any renderer can do for one app directory.
//
//   node bench/floor.mjs --app DIR --docs CLI_OUTPUT.json -o json|yaml [--report FILE]
//
// Timed, in this process, with performance.now():
//   load       walk DIR, read every input file (kubefork.yaml, base, forks) and js-yaml `loadAll` it
//   serialise  `JSON.stringify` (-o json) or js-yaml `dump` (-o yaml) of the SAME documents the CLI
//              printed, in the CLI's output shape (JSON array / List / concatenated objects,
//              indentation; YAML stream joined with `---`)
//   write      the serialised text to stdout (the CLI pays for that too)
// Not timed, and reported as `prepMs` so the runner can subtract it from the wall time it
// measures from outside: reading and parsing the CLI's output to get those documents.
// `startupMs` is the time from process start to the first line of this module (node start-up and
// the import of js-yaml), i.e. what `node -e 0` + module loading costs before any work.
import { performance } from "node:perf_hooks";
import { readFileSync, readdirSync, writeFileSync, writeSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { dump, loadAll } from "js-yaml";
import { pathToFileURL } from "node:url";

const startupMs = performance.now();

/** The options the floor uses for `dump`: documents parsed from JSON share no objects, so
 * `noRefs: true` gives the same text as the default while skipping the duplicate scan. */
export const DUMP_OPTIONS = { noRefs: true };

/** Input files as SPEC.md's default base selection plus kubefork.yaml and forks/*.yaml, sorted. */
export function inputFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort((a, b) => (relative(dir, a).split(sep).join("/") < relative(dir, b).split(sep).join("/") ? -1 : 1));
}

/**
 * Parses a CLI `-o json` output whatever its shape: one JSON array, a `kind: List`, one object,
 * or a stream of concatenated / newline-delimited objects.
 * @returns {{docs: object[], shape: "array"|"list"|"single"|"concat", indent: number, wrapper?: object}}
 */
export function parseJsonOutput(text) {
  const indent = detectIndent(text);
  let whole;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (Array.isArray(whole)) return { docs: whole, shape: "array", indent };
  if (whole && typeof whole === "object") {
    if (whole.kind === "List" && Array.isArray(whole.items)) {
      const { items, ...wrapper } = whole;
      return { docs: items, shape: "list", indent, wrapper };
    }
    return { docs: [whole], shape: "single", indent };
  }
  return { docs: splitConcatenated(text), shape: "concat", indent };
}

/** The indentation step of pretty-printed JSON: the smallest leading run of spaces (0 = compact). */
function detectIndent(text) {
  let min = 0;
  for (const m of text.slice(0, 4096).matchAll(/\n( +)\S/g)) {
    if (min === 0 || m[1].length < min) min = m[1].length;
  }
  return min;
}

/** Splits concatenated top-level JSON values (objects or arrays), with or without separators. */
function splitConcatenated(text) {
  const docs = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth++ === 0) start = i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (--depth === 0) {
        const v = JSON.parse(text.slice(start, i + 1));
        if (Array.isArray(v)) docs.push(...v);
        else docs.push(v);
      }
    }
  }
  if (depth !== 0) throw new Error("CLI JSON output: unbalanced brackets at end of input");
  return docs;
}

/** Serialises `docs` the way the CLI's output is shaped. */
export function serialiseJson(parsed) {
  const { docs, shape, indent, wrapper } = parsed;
  switch (shape) {
    case "array":
      return JSON.stringify(docs, null, indent) + "\n";
    case "list":
      return JSON.stringify({ ...wrapper, items: docs }, null, indent) + "\n";
    case "single":
      return JSON.stringify(docs[0], null, indent) + "\n";
    default: {
      let out = "";
      for (const d of docs) out += JSON.stringify(d, null, indent) + "\n";
      return out;
    }
  }
}

export function serialiseYaml(docs) {
  let out = "";
  for (let i = 0; i < docs.length; i++) {
    if (i > 0) out += "---\n";
    out += dump(docs[i], DUMP_OPTIONS);
  }
  return out;
}

function parseArgs(argv) {
  const o = { app: undefined, docs: undefined, output: "json", report: undefined, write: true };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === "--app") o.app = argv[++k];
    else if (a === "--docs") o.docs = argv[++k];
    else if (a === "-o" || a === "--output") o.output = argv[++k];
    else if (a === "--report") o.report = argv[++k];
    else if (a === "--no-write") o.write = false;
    else throw new Error(`floor.mjs: unknown argument ${a}`);
  }
  if (!o.app || !o.docs || !["json", "yaml"].includes(o.output)) {
    throw new Error("usage: node bench/floor.mjs --app DIR --docs CLI_OUTPUT.json -o json|yaml [--report FILE] [--no-write]");
  }
  return o;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const opts = parseArgs(process.argv.slice(2));

  // load: the same input the CLI reads.
  const t0 = performance.now();
  const files = inputFiles(opts.app);
  let inputBytes = 0;
  let inputDocs = 0;
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    inputBytes += text.length;
    inputDocs += loadAll(text, { filename: f }).length;
  }
  const t1 = performance.now();

  // prep (not timed): the documents the CLI printed.
  const parsed = parseJsonOutput(readFileSync(opts.docs, "utf8"));
  const t2 = performance.now();

  // serialise + write.
  const out = opts.output === "json" ? serialiseJson(parsed) : serialiseYaml(parsed.docs);
  const t3 = performance.now();
  if (opts.write) writeSync(1, out);
  const t4 = performance.now();

  const report = {
    output: opts.output,
    startupMs,
    loadMs: t1 - t0,
    prepMs: t2 - t1,
    serialiseMs: t3 - t2,
    writeMs: t4 - t3,
    workMs: t1 - t0 + (t4 - t2),
    inputFiles: files.length,
    inputBytes,
    inputDocs,
    outputDocs: parsed.docs.length,
    outputShape: parsed.shape,
    outputIndent: parsed.indent,
    outputBytes: Buffer.byteLength(out),
    endMs: performance.now(),
  };
  if (opts.report) writeFileSync(opts.report, JSON.stringify(report) + "\n");
  else process.stderr.write(JSON.stringify(report, null, 2) + "\n");
}
