// Bundles the CLI into one self-contained file: dist/kubefork.cjs (Node >= 20.16, no node_modules
// needed). The options, and why the file is shaped as it is: scripts/bundle-options.mjs.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD_ID_PLACEHOLDER, bundleOptions, OUTFILE, ROOT } from "./bundle-options.mjs";

await build(bundleOptions());
const out = join(ROOT, OUTFILE);
// esbuild escapes non-ASCII in strings and identifiers, not everywhere (regular expression
// literals keep theirs): one such character makes node decode the whole file slowly.
const text = readFileSync(out, "latin1");
const at = text.search(/[^\x00-\x7f]/);
if (at >= 0) {
  const line = text.slice(0, at).split("\n").length;
  console.error(`${OUTFILE}:${line}: non-ASCII character in ${JSON.stringify(text.slice(Math.max(0, at - 30), at + 10))}; write it as a \\u escape in src/`);
  process.exit(1);
}
// The render cache's identity of the code (src/cli/version.ts): a sha256 of the bundle as built,
// written over its placeholder (same length, so the rest of the file keeps its bytes).
if (!text.includes(BUILD_ID_PLACEHOLDER)) {
  console.error(`${OUTFILE}: no build id placeholder (scripts/bundle-options.mjs) in the bundle`);
  process.exit(1);
}
writeFileSync(out, text.replaceAll(BUILD_ID_PLACEHOLDER, createHash("sha256").update(text).digest("hex")), "latin1");
chmodSync(out, 0o755);
