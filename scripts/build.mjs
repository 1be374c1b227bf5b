// Bundles the CLI into one self-contained file: dist/kubefork.cjs (Node >= 20.16, no node_modules
// needed). The options, and why the file is shaped as it is: scripts/bundle-options.mjs.
import { build } from "esbuild";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bundleOptions, OUTFILE, ROOT } from "./bundle-options.mjs";

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
chmodSync(out, 0o755);
