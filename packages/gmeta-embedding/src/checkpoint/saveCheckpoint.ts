import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import type { Exchange } from "../exchange/Exchange.js";
import type { ResolvedOptimizer } from "../optim/SparseOptimizer.js";
import { stateSlots } from "../optim/SparseOptimizer.js";
import type { ShardingPlan } from "../plan/types.js";
import type { RowShard } from "../RowShard.js";
import type { ResolvedTable } from "../TableConfig.js";
import type { CheckpointManifest, ShardFileEntry } from "./manifest.js";
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, MANIFEST_FILE, shardFileName } from "./manifest.js";
import { replaceFolder } from "./replaceFolder.js";

/** What a collection hands to saveCheckpoint. */
export interface SaveSource {
  group: Exchange;
  tables: readonly ResolvedTable[];
  optimizer: ResolvedOptimizer;
  plan: ShardingPlan;
  shards: readonly (RowShard | undefined)[];
  /** Step of each table (from any shard: every rank advances it alike). */
  steps: Record<string, number>;
}

/** A shard's bytes: weights, then each state slot, float32 little-endian. */
export function shardBytes(shard: RowShard, optimizer: ResolvedOptimizer): Buffer {
  const parts = [shard.weights, ...stateSlots(optimizer, shard.table.dim).map((s) => shard.state[s.name]!)];
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}

/**
 * Writes every rank's shards into `${dir}.tmp`, then rank 0 writes the manifest and renames
 * the folder into place, so `dir` is either the old checkpoint or the complete new one.
 * Collective; assumes every rank sees the same filesystem (one host, or a shared one).
 */
export async function saveCheckpoint(dir: string, src: SaveSource): Promise<void> {
  const { group } = src;
  const final = resolve(dir);
  const tmp = `${final}.tmp`;
  if (group.rank === 0) {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
  }
  await group.barrier();
  const mine: ShardFileEntry[] = [];
  src.shards.forEach((shard) => {
    if (!shard) return;
    const file = shardFileName(shard.table.name, group.rank);
    const bytes = shardBytes(shard, src.optimizer);
    writeFileSync(join(tmp, file), bytes);
    mine.push({
      table: shard.table.name, rank: group.rank, rowStart: shard.rowStart, rowCount: shard.rowCount,
      file, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"),
    });
  });
  writeFileSync(join(tmp, `rank-${group.rank}.json`), JSON.stringify(mine));
  await group.barrier();
  if (group.rank === 0) {
    const shards: ShardFileEntry[] = [];
    for (let r = 0; r < group.size; r++) {
      const f = join(tmp, `rank-${r}.json`);
      shards.push(...(JSON.parse(readFileSync(f, "utf8")) as ShardFileEntry[]));
      rmSync(f);
    }
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, byteOrder: "little", worldSize: group.size,
      tables: [...src.tables], optimizer: src.optimizer, steps: src.steps, plan: src.plan, shards,
    };
    writeFileSync(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    replaceFolder(tmp, final);
  }
  await group.barrier();
}
