// One rank of the sharded-vs-unsharded scenario over a real Gloo process group. Runs every
// optimizer in turn on the same group and exits non-zero when any rank disagrees with the
// unsharded reference.
import { initProcessGroup } from "@gmeta/collectives";
import type { Device } from "@gmeta/tensor";

import type { Exchange, ShardingStrategy, SparseOptimizerConfig } from "../../src/index.js";
import { runScenario } from "../helpers/scenario.js";

const OPTIMIZERS: SparseOptimizerConfig[] = [
  { kind: "sgd", lr: 0.1 },
  { kind: "adagrad", lr: 0.1 },
  { kind: "adagrad", lr: 0.1, rowWise: true },
  { kind: "adam", lr: 0.05 },
];

async function main(): Promise<void> {
  const strategy = process.argv[2] as ShardingStrategy;
  // "host" (default) or a device such as "cuda:0" (rows on the GPU, exchanged through Gloo
  // on the host).
  const path = process.argv[3] ?? "host";
  const device = path.startsWith("cuda:") ? (path as Device) : "cpu";
  const pg = await initProcessGroup({ backend: "gloo", timeoutMs: 30_000 });
  // The collectives ProcessGroup is used as is: it is an Exchange.
  const group: Exchange = pg;
  for (const optimizer of OPTIMIZERS) {
    const r = await runScenario(group, { strategy, optimizer, steps: 4, device });
    const bad: string[] = [];
    if (r.firstLookupDiff !== 0) bad.push(`first lookup differs by ${r.firstLookupDiff}`);
    if (!(r.worstLookupDiff < 2e-6)) bad.push(`lookups differ by ${r.worstLookupDiff}`);
    if (!(r.worstRowDiff < 2e-6)) bad.push(`rows differ by ${r.worstRowDiff}`);
    if (!(r.worstStateDiff < 2e-6)) bad.push(`optimizer state differs by ${r.worstStateDiff}`);
    if (r.requested !== r.uniqueLocal || r.requested >= r.idsLocal) bad.push(`requested ${r.requested} rows for ${r.uniqueLocal} unique of ${r.idsLocal} ids`);
    if (r.allToAllCalls !== 8 || r.updateAllToAllCalls !== 4) bad.push(`AlltoAllV calls ${r.allToAllCalls} + ${r.updateAllToAllCalls}`);
    if (bad.length) throw new Error(`rank ${pg.rank} ${strategy} ${optimizer.kind}: ${bad.join("; ")}`);
    console.log(`rank ${pg.rank}/${pg.size} ${strategy} ${optimizer.kind}${"rowWise" in optimizer && optimizer.rowWise ? "-rowwise" : ""}: ok ${JSON.stringify(r)}`);
  }
  await pg.barrier();
  await pg.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
