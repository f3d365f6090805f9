import { totalmem } from "node:os";
import { join } from "node:path";
import { planSharding } from "@gmeta/embedding";
import type { LoaderState, MetaDataset } from "@gmeta/io";
import { checkWritableTarget, loaderStateSchema } from "@gmeta/io";
import type { TrainerState } from "@gmeta/maml";
import { UsageError } from "../args.js";
import { trainConfigSchema, type TrainConfig } from "../schemas/trainConfig.js";
import { embeddingManifestSchema, trainerStateSchema } from "../schemas/runFiles.js";
import { buildTables, checkCompatible, sparseOptimizer } from "./buildJob.js";
import { latestCheckpoint, readChecked } from "./runFiles.js";

/** A checkpoint whose files were all read and checked. */
export interface VerifiedCheckpoint {
  dir: string;
  config: TrainConfig;
  trainer: TrainerState;
  loader: LoaderState;
  rows: Record<string, number>;
}

/** Bytes of embedding rows and optimizer state one rank may hold: a share of this host's memory. */
export function memoryPerRank(localRanks: number): number {
  return Math.floor((totalmem() * 0.75) / Math.max(1, localRanks));
}

/** Reads and checks every file of a checkpoint that a resume or an evaluation needs. */
export function verifyCheckpoint(dir: string): VerifiedCheckpoint {
  const config = readChecked(join(dir, "config.json"), trainConfigSchema);
  const trainer = readChecked(join(dir, "trainer.json"), trainerStateSchema);
  const loader = readChecked(join(dir, "loader.json"), loaderStateSchema);
  const emb = readChecked(join(dir, "embeddings", "manifest.json"), embeddingManifestSchema);
  return { dir, config, trainer, loader, rows: Object.fromEntries(emb.tables.map((t) => [t.name, t.rows])) };
}

/** Settings that fix what a checkpoint's state means; a resumed run must keep them. */
const FIXED: (keyof TrainConfig)[] = ["data", "model", "embeddingDim", "bottom", "top", "hidden", "algorithm", "adapt", "tasksPerBatch", "nproc", "seed", "sparseOptimizer"];

/**
 * Everything a training run can check before it writes: the output folder, the sharding plan
 * against the memory budget, the loaders' settings against the data, and for --resume the
 * whole checkpoint. Throws the first problem; nothing is written either way.
 */
export function preflightTrain(cfg: TrainConfig, data: MetaDataset, evalData: MetaDataset | null, opts: { resume: boolean; localRanks: number }): VerifiedCheckpoint | null {
  if (evalData) checkCompatible([data.manifest, evalData.manifest], [cfg.data, cfg.eval!]);
  checkWritableTarget(join(cfg.out, "config.json"));
  const W = cfg.nproc;
  const manifests = [data.manifest, ...(evalData ? [evalData.manifest] : [])];
  let ck: VerifiedCheckpoint | null = null;
  if (opts.resume) {
    const dir = latestCheckpoint(cfg.out);
    if (!dir) throw new UsageError(`gmeta train --resume: no complete checkpoint under ${join(cfg.out, "checkpoints")}`);
    ck = verifyCheckpoint(dir);
    for (const k of FIXED) {
      if (JSON.stringify(cfg[k]) !== JSON.stringify(ck.config[k])) {
        throw new UsageError(`gmeta train --resume: expected ${k} ${JSON.stringify(ck.config[k])} (as in ${dir}/config.json), got ${JSON.stringify(cfg[k])}`);
      }
    }
  }
  const tables = buildTables(cfg, manifests, ck?.rows);
  planSharding({ tables, worldSize: W, optimizer: sparseOptimizer(cfg), memoryPerRank: memoryPerRank(opts.localRanks) });
  // The loaders check their settings against the data when made (they start no work until read).
  const perRank = cfg.tasksPerBatch / W;
  for (let rank = 0; rank < W; rank++) {
    data.loader({ rank, worldSize: W, tasksPerBatch: perRank, seed: cfg.seed, epochs: cfg.epochs, workers: cfg.workers, prefetch: cfg.prefetch });
  }
  if (ck) data.loader({ rank: 0, worldSize: W, tasksPerBatch: perRank, seed: cfg.seed, epochs: cfg.epochs, workers: cfg.workers, prefetch: cfg.prefetch }).resume(ck.loader);
  return ck;
}
