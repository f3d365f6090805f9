import { join } from "node:path";
import type { LoaderState, Manifest, MetaDataset } from "@gmeta/io";
import { checkWritableTarget, loaderStateSchema } from "@gmeta/io";
import type { TrainerState } from "@gmeta/maml";
import { UsageError } from "../args.js";
import { trainConfigSchema, type TrainConfig } from "../schemas/trainConfig.js";
import { embeddingManifestSchema, trainerStateSchema } from "../schemas/runFiles.js";
import { buildModel, buildTables, checkCompatible } from "./buildJob.js";
import { hostMemoryShare, planTables } from "./embeddingBudget.js";
import { latestCheckpoint, readChecked } from "./runFiles.js";

/** A checkpoint whose files were all read and checked. */
export interface VerifiedCheckpoint {
  dir: string;
  config: TrainConfig;
  trainer: TrainerState;
  loader: LoaderState;
  rows: Record<string, number>;
}

/**
 * Refuses dense layers that cannot be held, before any is allocated: every rank holds the
 * parameters, their gradients, Adam's two moments and (Meta-SGD) a learning rate per value.
 */
export function checkDenseBudget(cfg: TrainConfig, manifest: Manifest, budget: number): void {
  const model = buildModel(cfg, manifest);
  const values = model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const copies = cfg.algorithm === "metasgd" ? 8 : 4;
  const bytes = values * 4 * copies;
  const widest = model.params.reduce((m, p) => Math.max(m, p.shape.reduce((a, b) => a * b, 1)), 0);
  if (bytes > budget || widest > 2 ** 31 - 1) {
    const fmt = (n: number) => n.toLocaleString("en-US");
    throw new UsageError(
      `gmeta train: the ${cfg.model} model's dense parameters (${fmt(values)} values, ${fmt(bytes)} bytes with gradients and optimizer state) do not fit the budget of ${fmt(budget)} bytes per rank; lower --embedding-dim or the layer widths (bottom ${JSON.stringify(cfg.bottom)}, top ${JSON.stringify(cfg.top)}, hidden ${JSON.stringify(cfg.hidden)})`,
    );
  }
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
const FIXED: (keyof TrainConfig)[] = ["data", "model", "modelOptions", "embeddingDim", "bottom", "top", "hidden", "algorithm", "adapt", "tasksPerBatch", "nproc", "seed", "sparseOptimizer"];

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
  checkDenseBudget(cfg, data.manifest, hostMemoryShare(opts.localRanks));
  // The embedding tables against the per-rank budget (embeddingMemoryMiB), before any row is allocated.
  planTables(cfg, buildTables(cfg, manifests, ck?.rows), W, opts.localRanks);
  const tasks = data.index.task.length;
  if (cfg.tasksPerBatch > tasks) {
    throw new UsageError(`gmeta train: expected at most ${tasks - (tasks % W)} (the tasks in ${cfg.data}) for tasksPerBatch, got ${cfg.tasksPerBatch}`);
  }
  // The loaders check their settings against the data when made (they start no work until read).
  const perRank = cfg.tasksPerBatch / W;
  for (let rank = 0; rank < W; rank++) {
    data.loader({ rank, worldSize: W, tasksPerBatch: perRank, seed: cfg.seed, epochs: cfg.epochs, workers: cfg.workers, prefetch: cfg.prefetch });
  }
  if (ck) data.loader({ rank: 0, worldSize: W, tasksPerBatch: perRank, seed: cfg.seed, epochs: cfg.epochs, workers: cfg.workers, prefetch: cfg.prefetch }).resume(ck.loader);
  return ck;
}
