// The esbuild options of the bundle, dist/kubefork.cjs: used by scripts/build.mjs, and by
// bench/run.mjs for an unminified twin to profile. No side effects.
//
// What the file is shaped by is start-up time, which every Argo CD render pays (issue 7):
// - CommonJS, not ESM: node starts a CommonJS main module without its ES module loader.
// - Pure ASCII (checked by build.mjs): node decodes an ASCII file on a fast path, and V8 keeps it
//   as a one-byte string.
// - Only what runs is initialised: commands import their modules when they run (src/cli/program.ts),
//   node:child_process and node:crypto are loaded on first use, zod carries English messages only.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export const OUTFILE = "dist/kubefork.cjs";

/** Stands for the bundle's own sha256 (src/cli/version.ts BUILD_ID), which build.mjs writes over it. */
export const BUILD_ID_PLACEHOLDER = "kubefork-build-id:".padEnd(64, "x");

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

// zod re-exports every locale (≈ 250 KB minified) though kubefork only uses English messages; the
// bundle keeps `en` alone, which cuts what node compiles at every start.
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: "zod-locales", namespace: "zod-english-only", pluginData: args.resolveDir } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";\n',
      resolveDir: args.pluginData,
      loader: "js",
    }));
  },
};

// commander requires node:child_process when it loads, for executable subcommands, which kubefork
// does not have; child_process brings net and the stream modules along, a few ms of every start.
// commander's copy is loaded on first use instead.
const lazyChildProcessForCommander = {
  name: "lazy-child-process-for-commander",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: "child_process", namespace: "lazy-child-process" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-child-process" }, () => ({
      contents: 'let cp; module.exports = new Proxy({}, { get: (_, key) => (cp ??= process.getBuiltinModule("node:child_process"))[key] });\n',
      loader: "js",
    }));
  },
};

/** The esbuild options of the bundle; bench/run.mjs builds an unminified twin for profiles. */
export function bundleOptions({ outfile = OUTFILE, minify = true } = {}) {
  return {
    absWorkingDir: ROOT,
    entryPoints: ["src/cli/main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    charset: "ascii", // esbuild's default, stated: build.mjs relies on it
    minify,
    legalComments: "none",
    banner: { js: "#!/usr/bin/env node" },
    define: { __KUBEFORK_VERSION__: JSON.stringify(pkg.version), __KUBEFORK_BUILD_ID__: JSON.stringify(BUILD_ID_PLACEHOLDER) },
    plugins: [zodEnglishOnly, lazyChildProcessForCommander],
    logLevel: "warning",
  };
}
