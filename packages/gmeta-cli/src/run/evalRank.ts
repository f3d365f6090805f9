import { join } from "node:path";
import { checkWritableTarget, openMetaDataset, type MetaDataset } from "@gmeta/io";
import type { Evaluation } from "@gmeta/maml";
import { evaluate } from "@gmeta/maml";
import { UsageError } from "../args.js";
import type { TrainConfig } from "../config.js";
import { loadModel } from "./loadModel.js";
import { buildJob, checkCompatible } from "./buildJob.js";
import { verifyCheckpoint, type VerifiedCheckpoint } from "./preflight.js";
import { onInterrupt } from "./interrupt.js";
import { isLaunchedRank, launchEnv } from "./rankEnv.js";
import { latestCheckpoint } from "./runFiles.js";
import { joinGroup } from "./trainRank.js";

/** What an evaluation needs, read and checked before any rank joins or anything is written. */
export interface EvalInputs {
  ck: VerifiedCheckpoint;
  train: MetaDataset;
  data: MetaDataset;
  perRank: number;
}

/** Checks the run's checkpoint, both datasets and the batch size for `world` ranks. */
export async function preflightEval(cfg: TrainConfig, dataDir: string, tasksPerBatch: number, world: number): Promise<EvalInputs> {
  const dir = latestCheckpoint(cfg.out);
  if (!dir) throw new UsageError(`gmeta eval: no complete checkpoint under ${join(cfg.out, "checkpoints")}`);
  const ck = verifyCheckpoint(dir);
  const train = await openMetaDataset(cfg.data, { verify: false });
  const data = await openMetaDataset(dataDir);
  checkCompatible([train.manifest, data.manifest], [cfg.data, dataDir]);
  checkWritableTarget(join(cfg.out, "eval.json"));
  const tasks = data.index.task.length;
  if (tasks < world) throw new UsageError(`gmeta eval: ${dataDir} holds ${tasks} task(s), fewer than the ${world} ranks asked for (lower --nproc)`);
  const perRank = Math.max(1, Math.min(Math.floor(tasksPerBatch / world), Math.floor(tasks / world)));
  data.loader({ rank: 0, worldSize: world, tasksPerBatch: perRank, shuffle: false, remainder: "pad", workers: cfg.workers });
  return { ck, train, data, perRank };
}

/** One rank of `gmeta eval`: the run's latest checkpoint, adapted and scored on held-out tasks. */
export async function evalRank(cfg: TrainConfig, dataDir: string, tasksPerBatch: number): Promise<{ checkpoint: string; eval: Evaluation }> {
  const inputs = await preflightEval(cfg, dataDir, tasksPerBatch, launchEnv().size);
  await loadModel(cfg.model, "eval");
  const pg = await joinGroup(cfg);
  const stop = onInterrupt(() => undefined, isLaunchedRank() ? null : (signal) => `gmeta eval: interrupted by ${signal}; nothing was written`);
  try {
    const { ck, train, data, perRank } = inputs;
    // The tables are as the checkpoint holds them, whatever vocabulary the new data has.
    const job = buildJob(cfg, [train.manifest, data.manifest], pg, cfg.algorithm, ck.rows, launchEnv().localSize);
    try {
      job.trainer.loadState(ck.trainer);
      await job.collection.load(join(ck.dir, "embeddings"));
      const loader = data.loader({ rank: pg.rank, worldSize: pg.size, tasksPerBatch: perRank, shuffle: false, remainder: "pad", workers: cfg.workers });
      return { checkpoint: ck.dir, eval: await evaluate(job.learner, job.collection, pg, loader, { compile: cfg.compile }) };
    } finally {
      job.dispose();
    }
  } finally {
    stop();
    await pg.close();
  }
}
