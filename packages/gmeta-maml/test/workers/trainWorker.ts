// One rank of the distributed-equals-single test: trains the toy MetaDLRM (toyTraining.ts)
// once per algorithm asked for, then rank 0 writes, per algorithm, the losses, the dense
// parameters and the full embedding tables as JSON.
import { writeFileSync } from "node:fs";
import { initProcessGroup } from "@gmeta/collectives";
import type { Device } from "@gmeta/tensor";
import type { Algorithm, Strategy } from "../../src/index.js";
import { trainToy } from "../toyTraining.js";
import type { ToyRun } from "../toyTraining.js";

const [out, strategy, stepsArg, tableStrategy, path = "cpu", algorithms = "maml", prepare = "inline"] = process.argv.slice(2) as [string, Strategy, string, "row-wise" | "table-wise", string?, string?, ("inline" | "transform")?];
// "cpu": tables and meta-step on the host; "cuda:N": both on that GPU (exchanged through Gloo on the host).
const device = (path.startsWith("cuda:") ? path : "cpu") as Device;
const pg = await initProcessGroup({ backend: "gloo", timeoutMs: 60_000 });
const runs: Record<string, ToyRun> = {};
for (const algorithm of algorithms.split(",") as Algorithm[]) {
  runs[algorithm] = await trainToy(pg, { strategy, steps: Number(stepsArg), tableStrategy, device, algorithm, prepare });
}
if (pg.rank === 0) writeFileSync(out, JSON.stringify(runs));
await pg.barrier();
await pg.close();
