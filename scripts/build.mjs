// Bundles the CLI into one self-contained file: dist/kubefork.js (Node 20, no node_modules needed).
import { build } from "esbuild";
import { readFileSync, chmodSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

await build({
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/kubefork.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  legalComments: "none",
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __kfCreateRequire } from 'node:module'; const require = __kfCreateRequire(import.meta.url);",
  },
  define: { __KUBEFORK_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
});
chmodSync("dist/kubefork.js", 0o755);
