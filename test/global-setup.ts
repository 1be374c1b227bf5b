// Builds dist/kubefork.cjs once before the suite: CLI tests run the real bundle, as Argo CD does.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
