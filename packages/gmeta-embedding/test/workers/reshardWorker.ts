// One rank of the resharding run over Gloo. "train-save": 4 ranks train 3 steps and save;
// "load-save": 2 ranks load that checkpoint under another plan and save again. Rank 0 writes
// the lookups of every row so the test can compare across world sizes.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { initProcessGroup } from "@gmeta/collectives";

import { ShardedEmbeddingCollection } from "../../src/index.js";
import { mixed4, rowWise } from "../helpers/plans.js";
import { TABLES } from "../helpers/scenario.js";
import { lookupAllRows, trainSteps } from "../helpers/train.js";

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2) as [string, string];
  const pg = await initProcessGroup({ backend: "gloo", timeoutMs: 30_000 });
  const plan = mode === "train-save" ? mixed4() : rowWise(pg.size);
  const coll = new ShardedEmbeddingCollection({ tables: TABLES, plan, processGroup: pg, optimizer: { kind: "adam", lr: 0.05 } });
  if (mode === "train-save") await trainSteps(coll, 3);
  else await coll.load(join(dir, "a"));
  const rows = await lookupAllRows(coll);
  if (pg.rank === 0) {
    const json = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, Array.from(v)]));
    writeFileSync(join(dir, `lookup${pg.size}.json`), JSON.stringify(json));
  }
  await coll.save(join(dir, mode === "train-save" ? "a" : "b"));
  await pg.close();
  console.log(`rank ${pg.rank}/${pg.size} ${mode}: done`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
