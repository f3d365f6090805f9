import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

import type { ResolvedOptimizer } from "../optim/SparseOptimizer.js";
import { stateSlots } from "../optim/SparseOptimizer.js";
import type { RowShard } from "../RowShard.js";
import type { ResolvedTable } from "../TableConfig.js";
import type { CheckpointManifest, ShardFileEntry } from "./manifest.js";
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, MANIFEST_FILE } from "./manifest.js";

/** What a collection hands to loadCheckpoint: its tables and this rank's (re-planned) shards. */
export interface LoadTarget {
  tables: readonly ResolvedTable[];
  optimizer: ResolvedOptimizer;
  shards: readonly (RowShard | undefined)[];
}

function refuse(dir: string, what: string): Error {
  return new Error(`checkpoint ${dir}: ${what}`);
}

/** Reads and checks the manifest against the collection; the error names what differs. */
export function readManifest(dir: string, target: LoadTarget): CheckpointManifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw refuse(dir, `${MANIFEST_FILE} is missing (not a checkpoint, or an interrupted save)`);
  let m: CheckpointManifest;
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as CheckpointManifest;
  } catch (e) {
    throw refuse(dir, `${MANIFEST_FILE} is not valid JSON (${(e as Error).message})`);
  }
  if (m.format !== CHECKPOINT_FORMAT) throw refuse(dir, `${MANIFEST_FILE} has format ${JSON.stringify(m.format)}, expected "${CHECKPOINT_FORMAT}"`);
  if (m.version !== CHECKPOINT_VERSION) throw refuse(dir, `format version ${m.version} is not supported (this build reads ${CHECKPOINT_VERSION})`);
  if (m.byteOrder !== "little") throw refuse(dir, `byte order ${JSON.stringify(m.byteOrder)} is not supported`);
  if (!Array.isArray(m.tables) || !Array.isArray(m.shards) || typeof m.steps !== "object") throw refuse(dir, `${MANIFEST_FILE} lacks tables, shards or steps`);
  const saved = new Map(m.tables.map((t) => [t.name, t]));
  for (const t of target.tables) {
    const s = saved.get(t.name);
    if (!s) throw refuse(dir, `table "${t.name}" is in this collection but not in the checkpoint (which has ${[...saved.keys()].join(", ")})`);
    if (s.rows !== t.rows || s.dim !== t.dim) throw refuse(dir, `table "${t.name}" is ${s.rows} rows × ${s.dim} in the checkpoint but ${t.rows} × ${t.dim} here`);
    if (s.hash !== t.hash) throw refuse(dir, `table "${t.name}" has hash: ${s.hash} in the checkpoint but ${t.hash} here`);
  }
  for (const name of saved.keys()) {
    if (!target.tables.some((t) => t.name === name)) throw refuse(dir, `table "${name}" is in the checkpoint but not in this collection`);
  }
  const a = m.optimizer;
  const b = target.optimizer;
  const layout = (o: ResolvedOptimizer): string => (o.kind === "adagrad" ? `adagrad${o.rowWise ? " (row-wise)" : ""}` : o.kind);
  if (!a || layout(a) !== layout(b)) throw refuse(dir, `optimizer state is ${a ? layout(a) : "missing"} in the checkpoint but ${layout(b)} here`);
  return m;
}

/** The shard entries of a table in row order, checked to tile [0, rows). */
function tableShards(dir: string, m: CheckpointManifest, t: ResolvedTable): ShardFileEntry[] {
  const list = m.shards.filter((s) => s.table === t.name).sort((x, y) => x.rowStart - y.rowStart);
  let next = 0;
  for (const s of list) {
    if (s.rowStart !== next || !(s.rowCount > 0)) throw refuse(dir, `table "${t.name}" shard ${s.file} covers rows [${s.rowStart}, ${s.rowStart + s.rowCount}), expected a shard from row ${next}`);
    next += s.rowCount;
  }
  if (next !== t.rows) throw refuse(dir, `table "${t.name}" shards cover ${next} of ${t.rows} rows`);
  return list;
}

function readShardFile(dir: string, s: ShardFileEntry, want: number): Buffer {
  const path = join(dir, s.file);
  if (!existsSync(path)) throw refuse(dir, `file ${s.file} (table "${s.table}", rows [${s.rowStart}, ${s.rowStart + s.rowCount})) is missing`);
  const buf = readFileSync(path);
  if (buf.length !== want || s.bytes !== want) throw refuse(dir, `file ${s.file} has ${buf.length} bytes, expected ${want}`);
  const sum = createHash("sha256").update(buf).digest("hex");
  if (sum !== s.sha256) throw refuse(dir, `file ${s.file} is damaged: sha256 ${sum.slice(0, 16)}… but the manifest says ${String(s.sha256).slice(0, 16)}…`);
  return buf;
}

/**
 * Fills this rank's shards from a checkpoint written by any number of ranks: each new shard
 * copies the overlapping rows of every saved shard (weights and optimizer state). Verifies
 * the size and checksum of each file it reads; nothing changes until `commit()`.
 */
export function loadCheckpoint(dirIn: string, target: LoadTarget): { steps: Record<string, number>; commit: () => void } {
  const dir = resolve(dirIn);
  const m = readManifest(dir, target);
  // Everything is read and verified before any shard changes, so a refused checkpoint
  // leaves the collection as it was.
  const copies: (() => void)[] = [];
  const steps: Record<string, number> = {};
  target.tables.forEach((t, i) => {
    const saved = tableShards(dir, m, t);
    const step = m.steps[t.name];
    if (!Number.isSafeInteger(step) || step! < 0) throw refuse(dir, `table "${t.name}" has no valid step count`);
    steps[t.name] = step!;
    const shard = target.shards[i];
    if (!shard) return;
    const slots = [{ name: "", width: t.dim }, ...stateSlots(target.optimizer, t.dim)];
    const perRow = slots.reduce((a, s) => a + s.width, 0);
    const lo = shard.rowStart;
    const hi = lo + shard.rowCount;
    const pieces: { floats: Float32Array; s: ShardFileEntry; from: number; to: number }[] = [];
    for (const s of saved) {
      const from = Math.max(lo, s.rowStart);
      const to = Math.min(hi, s.rowStart + s.rowCount);
      if (from >= to) continue;
      const buf = readShardFile(dir, s, s.rowCount * perRow * 4);
      pieces.push({ floats: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)), s, from, to });
    }
    copies.push(() => {
      // Whole slots are assembled on the host and written once (a live view on the CPU).
      slots.forEach((slot, k) => {
        const dst = shard.readSlot(slot.name);
        for (const { floats, s, from, to } of pieces) {
          let base = 0;
          for (let j = 0; j < k; j++) base += s.rowCount * slots[j]!.width;
          dst.set(floats.subarray(base + (from - s.rowStart) * slot.width, base + (to - s.rowStart) * slot.width), (from - lo) * slot.width);
        }
        shard.writeSlot(slot.name, dst);
      });
    });
    copies.push(() => (shard.step = step!));
  });
  return { steps, commit: () => copies.forEach((c) => c()) };
}
