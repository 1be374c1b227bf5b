// The render cache on disk, in the sidecar's temporary directory (os.tmpdir(): TMPDIR, else /tmp),
// which outlives each render while every render gets a fresh copy of the repository. Per-fork
// mode runs F+1 renders of one commit; the first computes every partition (src/commit.ts) and the
// others print theirs from here.
//
//   <tmp>/kubefork-render-cache/<key>/<partition>~<from>~<to>   one partition's bytes and problems
//   <tmp>/kubefork-render-cache/<key>/commit~<from>~<to>        the commit's partitions were derived
//   <tmp>/kubefork-render-cache/<key>.lock                      one render is computing them
//
// <key> is a sha256 of every input (src/commit-key.ts); from/to the validity window in ms
// (src/commit.ts). Each file starts with a sha256 of the rest and names its key, partition and
// window: a corrupted, truncated or misplaced file is ignored. Files are written to a temporary
// name and renamed. The cache is at most MAX_BYTES; the oldest keys go first. Any failure to read
// or write means no cache, never a failed render.
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inWindow, type PartitionName, type Window } from "../commit.ts";
import type { Problem } from "../problems.ts";

export const CACHE_DIR_NAME = "kubefork-render-cache";
/** Bound of the whole cache: a commit of (2000, 200) takes about 12 MB in YAML. */
export const MAX_BYTES = 256 * 1024 * 1024;
/** How long a render waits for another that computes the same commit, before computing itself. */
export const WAIT_MS = 5_000;
/** A lock older than this is left by a render that died: Argo CD stops a render after 60 s. */
export const STALE_LOCK_MS = 90_000;
const POLL_MS = 40;
const MAGIC = "kubefork-cache 1";

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

const fileName = (partition: string, w: Window) => `${partition}~${w.from ?? "-"}~${w.to ?? "-"}`;

function sha256(data: string | Buffer): string {
  return process.getBuiltinModule("node:crypto").createHash("sha256").update(data).digest("hex");
}

/** The partition as stored for `now`, or undefined. */
export function lookup(root: string, key: string, partition: PartitionName | "commit", now: number): Cached | undefined {
  let names: string[];
  try {
    names = readdirSync(join(root, key));
  } catch {
    return undefined;
  }
  for (const name of names) {
    const [p, from, to] = name.split("~");
    if (p !== partition || from === undefined || to === undefined) continue;
    const w: Window = { from: from === "-" ? null : Number(from), to: to === "-" ? null : Number(to) };
    if (!inWindow(w, now)) continue;
    const hit = readEntry(join(root, key, name), key, partition, w);
    if (hit) return hit;
  }
  return undefined;
}

function readEntry(path: string, key: string, partition: string, w: Window): Cached | undefined {
  try {
    const buf = readFileSync(path);
    const nl = buf.indexOf(0x0a);
    const first = buf.subarray(0, nl).toString("latin1");
    if (nl < 0 || !first.startsWith(`${MAGIC} `) || sha256(buf.subarray(nl + 1)) !== first.slice(MAGIC.length + 1)) return undefined;
    const nl2 = buf.indexOf(0x0a, nl + 1);
    if (nl2 < 0) return undefined;
    const h = JSON.parse(buf.subarray(nl + 1, nl2).toString("utf8")) as Header;
    if (h.key !== key || h.partition !== partition || h.from !== w.from || h.to !== w.to || !Array.isArray(h.problems)) return undefined;
    return { body: buf.subarray(nl2 + 1).toString("utf8"), problems: h.problems };
  } catch {
    return undefined;
  }
}

/** Writes one partition (or the commit marker, with an empty body) atomically; false when it could not. */
export function store(root: string, key: string, partition: PartitionName | "commit", w: Window, entry: Cached): boolean {
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
    renameSync(tmp, join(dir, fileName(partition, w)));
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
