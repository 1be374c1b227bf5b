// An app directory as a map of path → text, for in-process renders with edits.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "./cli.ts";

export function appFiles(fixture: string, edit: (files: Record<string, string>) => void = () => {}): Record<string, string> {
  const dir = join(ROOT, "fixtures", fixture, "app");
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  edit(files);
  return files;
}
