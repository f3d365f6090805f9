// Rank 1 asks for an id outside the vocabulary: it must fail before the exchange with a
// message naming table and id, and the launcher stops the other rank.
import { initProcessGroup } from "@gmeta/collectives";

import { ShardedEmbeddingCollection } from "../../src/index.js";
import { rowWise } from "../helpers/plans.js";
import { TABLES } from "../helpers/scenario.js";

async function main(): Promise<void> {
  const pg = await initProcessGroup({ backend: "gloo", timeoutMs: 20_000 });
  const coll = new ShardedEmbeddingCollection({ tables: TABLES, plan: rowWise(pg.size), processGroup: pg, optimizer: { kind: "sgd", lr: 1 } });
  const ids = pg.rank === 1 ? new BigInt64Array([3n, 999n]) : new BigInt64Array([3n]);
  await coll.lookup({ user: ids });
  await pg.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
