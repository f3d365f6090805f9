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
  // A rank told of another's failure lingers a moment, so the launcher does not stop the
  // rank with the root cause before that one has printed it.
  const told = e instanceof Error && e.message.includes("rejected its lookup input");
  setTimeout(() => process.exit(1), told ? 1500 : 0);
});
