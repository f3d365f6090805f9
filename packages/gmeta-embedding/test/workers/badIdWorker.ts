// Rank 1 asks for an id outside the vocabulary: it fails with a message naming table and id,
// and rank 0 fails too (told through the request header) instead of waiting.
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
  // Every rank lingers a moment after printing: the first to exit makes the launcher stop the
  // others, and each rank's message (the root cause, and the peer told of it) must be out by then.
  setTimeout(() => process.exit(1), 1500);
});
