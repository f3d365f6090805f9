import { join } from "node:path";
import { openMetaDataset } from "@gmeta/io";
import type { Evaluation, TrainerState } from "@gmeta/maml";
import { evaluate } from "@gmeta/maml";
import type { TrainConfig } from "../config.js";
import { loadModel } from "./loadModel.js";
import { buildJob, checkCompatible } from "./buildJob.js";
import { latestCheckpoint, readJson } from "./runFiles.js";
import { joinGroup } from "./trainRank.js";

/** One rank of `gmeta eval`: the run's latest checkpoint, adapted and scored on held-out tasks. */
export async function evalRank(cfg: TrainConfig, dataDir: string, tasksPerBatch: number): Promise<{ checkpoint: string; eval: Evaluation }> {
  const ck = latestCheckpoint(cfg.out);
  if (!ck) throw new Error(`gmeta eval: no complete checkpoint under ${join(cfg.out, "checkpoints")}`);
  await loadModel(cfg.model, "eval");
  const pg = await joinGroup(cfg);
  try {
    const train = await openMetaDataset(cfg.data, { verify: false });
    const data = await openMetaDataset(dataDir);
    checkCompatible([train.manifest, data.manifest], [cfg.data, dataDir]);
    // The tables are as the checkpoint holds them, whatever vocabulary the new data has.
    const saved = readJson<{ tables: { name: string; rows: number }[] }>(join(ck, "embeddings", "manifest.json"));
    const rows = Object.fromEntries(saved.tables.map((t) => [t.name, t.rows]));
    const job = buildJob(cfg, [train.manifest, data.manifest], pg, cfg.algorithm, rows);
    job.trainer.loadState(readJson<TrainerState>(join(ck, "trainer.json")));
    await job.collection.load(join(ck, "embeddings"));
    const per = Math.max(1, Math.min(Math.floor(tasksPerBatch / pg.size), Math.floor(data.index.task.length / pg.size)));
    const loader = data.loader({ rank: pg.rank, worldSize: pg.size, tasksPerBatch: per, shuffle: false, remainder: "pad", workers: cfg.workers });
    return { checkpoint: ck, eval: await evaluate(job.learner, job.store, pg, loader) };
  } finally {
    await pg.close();
  }
}
