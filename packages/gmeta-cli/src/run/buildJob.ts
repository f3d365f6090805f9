import type { ProcessGroup } from "@gmeta/collectives";
import { readLaunchEnv } from "@gmeta/collectives";
import { ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { SparseOptimizerConfig, TableConfig } from "@gmeta/embedding";
import type { Manifest } from "@gmeta/io";
import type { Algorithm } from "@gmeta/maml";
import { MetaLearner, MetaTrainer } from "@gmeta/maml";
import { backends } from "@gmeta/tensor";
import type { Device } from "@gmeta/tensor";
import type { TrainConfig } from "../config.js";
import { buildModel } from "./loadModel.js";
import { planTables } from "./embeddingBudget.js";

export { buildModel } from "./loadModel.js";

/** Refuses datasets whose features differ from the first one's (the training data's). */
export function checkCompatible(manifests: Manifest[], dirs: string[]): void {
  const describe = (m: Manifest) => `${m.denseDim} dense, slots [${m.slots.map((s) => `${s.name}${s.list ? "[]" : ""}${s.hashBuckets ? ` hashed into ${s.hashBuckets}` : ""}`).join(", ")}]`;
  const want = describe(manifests[0]!);
  manifests.slice(1).forEach((m, i) => {
    const got = describe(m);
    if (got !== want) throw new Error(`${dirs[i + 1]}/manifest.json: expected ${want} (the training data's) for its features, got ${got}`);
  });
}

/**
 * Table configs covering the ids of every dataset given (training and held-out), or with the
 * row counts of a checkpoint when one is being loaded.
 */
export function buildTables(cfg: TrainConfig, manifests: Manifest[], rows?: Record<string, number>): TableConfig[] {
  const first = manifests[0]!;
  return first.slots.map((s, i) => ({
    name: s.name,
    // A hashed slot's table has hashBuckets rows and maps any int64 id into them (hashId).
    rows: rows?.[s.name] ?? s.hashBuckets ?? Math.max(1, ...manifests.map((m) => m.slots[i]?.vocab ?? 1)),
    ...(s.hashBuckets ? { hash: true } : {}),
    dim: cfg.embeddingDim,
    init: { kind: "normal", std: 0.05 },
    seed: cfg.seed * 1000 + i + 1,
  }));
}

export function sparseOptimizer(cfg: TrainConfig): SparseOptimizerConfig {
  return { kind: cfg.sparseOptimizer, lr: cfg.sparseLr };
}

/**
 * This rank's device: "cpu", or for "cuda:N" GPU (N + LOCAL_RANK) mod the GPU count, so the
 * ranks of one host spread over its GPUs as torchrun's do.
 */
export function rankDevice(device: string, env: NodeJS.ProcessEnv = process.env): Device {
  if (device === "cpu") return "cpu";
  const first = Number(device.slice("cuda:".length));
  const local = readLaunchEnv(env).localRank;
  const count = Math.max(1, backends().cuda.devices);
  return `cuda:${(first + local) % count}` as Device;
}

/** A learner, sharded tables and trainer, fresh (the same on every rank for the same config). */
export function buildJob(cfg: TrainConfig, manifests: Manifest[], pg: ProcessGroup, algorithm: Algorithm, rows: Record<string, number> | undefined, localRanks: number) {
  const model = buildModel(cfg, manifests[0]!);
  const tables = buildTables(cfg, manifests, rows);
  const optimizer = sparseOptimizer(cfg);
  // The budget is checked by the pure planner before any table is allocated.
  const plan = planTables(cfg, tables, pg.size, localRanks);
  const device = rankDevice(cfg.device);
  const collection = new ShardedEmbeddingCollection({ tables, plan, processGroup: pg, optimizer, device });
  const learner = new MetaLearner(model, {
    algorithm, innerSteps: cfg.innerSteps, innerLr: cfg.innerLr, adapt: cfg.adapt, seed: cfg.seed, device,
    ...(cfg.embeddingInnerLr !== null ? { embeddingInnerLr: cfg.embeddingInnerLr } : {}),
  });
  const trainer = new MetaTrainer({ learner, processGroup: pg, embeddings: collection, outerLr: cfg.outerLr, strategy: cfg.strategy, compile: cfg.compile });
  const dispose = () => {
    trainer.dispose();
    learner.dispose();
    collection.dispose();
  };
  return { model, tables, plan, collection, learner, trainer, dispose };
}
