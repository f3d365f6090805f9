import { join } from "node:path";
import type { ScoreRows } from "@gmeta/io";
import { openMetaDataset } from "@gmeta/io";
import { CompiledPredict, scoreBatch } from "@gmeta/maml";
import { tensor } from "@gmeta/tensor";
import { UsageError } from "../args.js";
import type { TrainConfig } from "../config.js";
import { buildJob, buildTables } from "./buildJob.js";
import { loadModel } from "./loadModel.js";
import { predictBatch, readPredictInput } from "./predictInput.js";
import { verifyCheckpoint } from "./preflight.js";
import { launchEnv } from "./rankEnv.js";
import { latestCheckpoint } from "./runFiles.js";
import { joinGroup } from "./trainRank.js";

export interface PredictOutcome {
  checkpoint: string;
  tasks: number;
  adaptedTasks: number;
  /** On rank 0: every candidate's score, in input row order; null elsewhere. */
  scores: ScoreRows | null;
}

/**
 * The work of one rank of `gmeta predict`: task i of the input goes to rank i mod W, which
 * adapts on its labelled rows with the run's inner loop (unless `adapt` is false) and scores
 * its candidates; rank 0 gathers every score.
 */
export async function predictRank(cfg: TrainConfig, input: string, adapt: boolean, tasksPerBatch: number): Promise<PredictOutcome> {
  const dir = latestCheckpoint(cfg.out);
  if (!dir) throw new UsageError(`gmeta predict: no complete checkpoint under ${join(cfg.out, "checkpoints")}`);
  // Every file of the checkpoint is read and checked before any rank joins.
  const ck = verifyCheckpoint(dir);
  await loadModel(cfg.model, "predict");
  const train = await openMetaDataset(cfg.data, { verify: false });
  const m = train.manifest;
  const rows = ck.rows;
  const tables = buildTables(cfg, [m], rows);
  // Bad input fails on every rank alike, before any rank joins the job.
  const data = await readPredictInput(input, m.schema, tables.map((t) => ({ name: t.name, rows: t.rows, hash: !!t.hash })));
  const pg = await joinGroup(cfg);
  try {
    const W = pg.size;
    const N = data.tasks.length;
    const mine = data.tasks.filter((_, i) => i % W === pg.rank);
    const per = Math.max(1, tasksPerBatch);
    // Lookups are collective: every rank takes the same number of steps.
    const steps = Math.ceil(Math.ceil(N / W) / per);
    const job = buildJob(cfg, [m], pg, cfg.algorithm, rows, launchEnv().localSize);
    // Scored through captured programs like evaluation (eager with compile: false).
    const predict = new CompiledPredict(job.learner, { compile: cfg.compile });
    const scores: number[] = [];
    try {
      job.trainer.loadState(ck.trainer);
      await job.collection.load(join(ck.dir, "embeddings"));
      for (let b = 0; b < steps; b++) {
        let group = mine.slice(b * per, (b + 1) * per);
        let padded = 0;
        if (group.length === 0) {
          group = [data.tasks[0]!];
          padded = 1;
        }
        const batch = predictBatch(data, group, padded, b, pg.rank, m.denseDim, m.slots.length);
        const p = await scoreBatch(job.learner, job.collection, batch, adapt, predict);
        for (const s of p.scores) scores.push(s);
      }
    } finally {
      predict.dispose();
      job.dispose();
    }
    const local = tensor(Float32Array.from(scores), { shape: [scores.length] });
    const all = await pg.allGatherV(local);
    const gathered = all.recv.toArray() as Float32Array;
    local.dispose();
    all.recv.dispose();
    let out: ScoreRows | null = null;
    if (pg.rank === 0) {
      const refs: { key: bigint; row: number }[] = [];
      for (let r = 0; r < W; r++) {
        data.tasks.forEach((t, i) => {
          if (i % W === r) for (const c of t.candidates) refs.push({ key: t.key, row: c.row });
        });
      }
      if (refs.length !== gathered.length) throw new Error(`gmeta predict: expected ${refs.length} scores from the ranks, got ${gathered.length}`);
      const order = refs.map((_, k) => k).sort((a, b) => refs[a]!.row - refs[b]!.row);
      out = {
        taskColumn: m.schema.taskKey,
        task: BigInt64Array.from(order, (k) => refs[k]!.key),
        row: BigInt64Array.from(order, (k) => BigInt(refs[k]!.row)),
        score: Float32Array.from(order, (k) => gathered[k]!),
      };
    }
    return { checkpoint: ck.dir, tasks: N, adaptedTasks: data.tasks.filter((t) => t.support.length > 0).length, scores: out };
  } finally {
    await pg.close();
  }
}
