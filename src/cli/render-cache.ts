// The render cache on disk, in the sidecar's temporary directory (os.tmpdir(): TMPDIR, else /tmp),
// which outlives each render while every render gets a fresh copy of the repository. Per-fork
// mode runs F+1 renders of one commit; the first computes every partition (src/commit.ts) and the
// others print theirs from here.
//
//   <tmp>/kubefork-render-cache/<key>/<partition>   one partition's bytes and problems
//   <tmp>/kubefork-render-cache/<key>/commit        the commit's partitions were derived
//   <tmp>/kubefork-render-cache/<key>.lock          one render is computing them
//   <tmp>/kubefork-render-cache/<plan key>/plan     what kubefork.yaml says to read (src/cli/app-dir.ts)
//
// <key> is a sha256 of every input (src/commit-key.ts). Each file starts with a sha256 of the rest
// and names its key, partition and the window of `now` it holds in (src/commit.ts): a corrupted,
// truncated or misplaced file is ignored, and so is one whose window does not hold `now` (a render
// at such a `now` computes the commit again and replaces it; windows of one key never overlap).
// A lookup opens one file by its name: no directory listing, whatever the number of forks. Files
// are written to a temporary name and renamed. The cache is at most MAX_BYTES; the oldest keys go
// first. Any failure to read or write means no cache, never a failed render.
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inWindow, type PartitionName, type Window } from "../commit-key.ts";
import type { Problem } from "../problems.ts";

export const CACHE_DIR_NAME = "kubefork-render-cache";
/** Bound of the whole cache: a commit of (2000, 200) takes about 12 MB in YAML. */
export const MAX_BYTES = 256 * 1024 * 1024;
/** How long a render waits for another that computes the same commit, before computing itself. */
export const WAIT_MS = 5_000;
/** A lock older than this is left by a render that died: Argo CD stops a render after 60 s. */
export const STALE_LOCK_MS = 90_000;
const POLL_MS = 40;
const MAGIC = "kubefork-cache 2";

export interface Cached {
  body: string;
  /** The problems the render printed, settings aside. */
  problems: Problem[];
}

interface Header {
  key: string;
  partition: string;
  from: number | null;
  to: number | null;
  problems: Problem[];
}

/** The cache directory, created if need be; undefined (no cache) when it is not a private directory of this user. */
export function openCache(env: Record<string, string | undefined>): string | undefined {
  try {
    const root = join(env.TMPDIR || tmpdir(), CACHE_DIR_NAME);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const st = lstatSync(root);
    if (!st.isDirectory() || (st.mode & 0o022) !== 0) return undefined;
    if (typeof process.getuid === "function" && st.uid !== process.getuid()) return undefined;
    return root;
  } catch {
    return undefined;
  }
}

/** What a cache directory holds besides partitions. */
export type EntryName = PartitionName | "commit" | "plan";

function sha256(data: string | Buffer): string {
  return process.getBuiltinModule("node:crypto").createHash("sha256").update(data).digest("hex");
}

/** The entry as stored, when it holds at `now`; else undefined. */
export function lookup(root: string, key: string, name: EntryName, now: number): Cached | undefined {
  return readEntry(join(root, key, name), key, name, now);
}

function readEntry(path: string, key: string, name: string, now: number): Cached | undefined {
  try {
    const buf = readFileSync(path);
    const nl = buf.indexOf(0x0a);
    const first = buf.subarray(0, nl).toString("latin1");
    if (nl < 0 || !first.startsWith(`${MAGIC} `) || sha256(buf.subarray(nl + 1)) !== first.slice(MAGIC.length + 1)) return undefined;
    const nl2 = buf.indexOf(0x0a, nl + 1);
    if (nl2 < 0) return undefined;
    const h = JSON.parse(buf.subarray(nl + 1, nl2).toString("utf8")) as Header;
    if (h.key !== key || h.partition !== name || !Array.isArray(h.problems)) return undefined;
    if (!inWindow({ from: typeof h.from === "number" ? h.from : null, to: typeof h.to === "number" ? h.to : null }, now)) return undefined;
    return { body: buf.subarray(nl2 + 1).toString("utf8"), problems: h.problems };
  } catch {
    return undefined;
  }
}

/** Writes one partition (or the commit marker, with an empty body) atomically; false when it could not. */
export function store(root: string, key: string, partition: EntryName, w: Window, entry: Cached): boolean {
  const dir = join(root, key);
  const tmp = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const header: Header = { key, partition, from: w.from, to: w.to, problems: entry.problems };
    const rest = Buffer.from(`${JSON.stringify(header)}\n${entry.body}`, "utf8");
    const fd = openSync(tmp, "wx", 0o600);
    try {
      writeSync(fd, `${MAGIC} ${sha256(rest)}\n`);
      writeSync(fd, rest);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, partition));
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

let held: string | undefined;
let exitHook = false;

/** Takes the commit's lock (O_EXCL); a stale one is broken once. */
export function lock(root: string, key: string): boolean {
  const path = join(root, `${key}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      held = path;
      if (!exitHook) {
        exitHook = true;
        process.on("exit", () => held && rmSync(held, { force: true }));
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") return false;
      try {
        if (Date.now() - statSync(path).mtimeMs < STALE_LOCK_MS) return false;
        unlinkSync(path);
      } catch {
        /* gone meanwhile: try again */
      }
    }
  }
  return false;
}

export function unlock(): void {
  if (held) rmSync(held, { force: true });
  held = undefined;
}

/** Waits (bounded) while another render holds the lock, for the partition it is writing. */
export async function waitFor(root: string, key: string, partition: PartitionName, now: number, waitMs = WAIT_MS): Promise<Cached | undefined> {
  const until = Date.now() + waitMs;
  const lockPath = join(root, `${key}.lock`);
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const hit = lookup(root, key, partition, now);
    if (hit) return hit;
    let locked = true;
    try {
      statSync(lockPath);
    } catch {
      locked = false;
    }
    if (!locked) return lookup(root, key, partition, now);
  }
  return undefined;
}

/** Removes the oldest keys until the cache is at most MAX_BYTES, and temporary files older than an hour. */
export function evict(root: string, maxBytes = MAX_BYTES): void {
  try {
    const keys: { dir: string; bytes: number; mtime: number }[] = [];
    let total = 0;
    for (const name of readdirSync(root)) {
      const dir = join(root, name);
      const st = lstatSync(dir);
      if (!st.isDirectory()) continue;
      let bytes = 0;
      for (const f of readdirSync(dir)) {
        const fs = lstatSync(join(dir, f));
        if (f.startsWith(".tmp-") && Date.now() - fs.mtimeMs > 3_600_000) rmSync(join(dir, f), { force: true });
        else bytes += fs.size;
      }
      keys.push({ dir, bytes, mtime: st.mtimeMs });
      total += bytes;
    }
    keys.sort((a, b) => a.mtime - b.mtime);
    for (const k of keys) {
      if (total <= maxBytes) break;
      rmSync(k.dir, { recursive: true, force: true });
      total -= k.bytes;
    }
  } catch {
    /* an unreadable cache is no cache */
  }
}
