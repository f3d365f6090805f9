import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Every file and folder under `dir` with the hash of each file: what "left exactly as it was" compares. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) {
        out[rel] = "dir";
        walk(p);
      } else out[rel] = createHash("sha1").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

/** Names a failed command may not leave anywhere: temporaries and half-written checkpoints. */
export const LEFTOVER = /\.(partial|tmp|old)$|\.tmp-|\.split\.tmp|\.movielens\.tmp/;

export function copy(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

/** Rewrites a JSON file through `edit` (which may return a replacement value). */
export function editJson(file: string, edit: (v: any) => unknown): void {
  const v = JSON.parse(readFileSync(file, "utf8"));
  const r = edit(v);
  writeFileSync(file, JSON.stringify(r === undefined ? v : r, null, 2));
}

/** Cuts a file to its first `keep` bytes (or fraction of its length). */
export function truncate(file: string, keep: number): void {
  const b = readFileSync(file);
  writeFileSync(file, b.subarray(0, keep < 1 ? Math.floor(b.length * keep) : keep));
}

/** Flips one byte in the middle of a file (same size, different content). */
export function flipByte(file: string): void {
  const b = readFileSync(file);
  const at = b.length >> 1;
  b[at] = b[at]! ^ 0xff;
  writeFileSync(file, b);
}
