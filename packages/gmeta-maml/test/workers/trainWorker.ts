// One rank of the distributed-equals-single test: trains the toy MetaDLRM (toyTraining.ts),
// then rank 0 writes the dense parameters and the full embedding tables as JSON.
import { writeFileSync } from "node:fs";
import { initProcessGroup } from "@gmeta/collectives";
import type { Device } from "@gmeta/tensor";
import type { Strategy } from "../../src/index.js";
import { trainToy } from "../toyTraining.js";

const [out, strategy, stepsArg, tableStrategy, path = "host"] = process.argv.slice(2) as [string, Strategy, string, "row-wise" | "table-wise", string?];
// "host": tables as host arrays; "tensor": the device path's code on the CPU; "cuda:N": the
// meta-step and the tables on that GPU (exchanged through Gloo on the host).
const device = (path.startsWith("cuda:") ? path : "cpu") as Device;
const pg = await initProcessGroup({ backend: "gloo", timeoutMs: 60_000 });
const run = await trainToy(pg, { strategy, steps: Number(stepsArg), tableStrategy, device, tensorPath: path !== "host" });
if (pg.rank === 0) writeFileSync(out, JSON.stringify(run));
await pg.barrier();
await pg.close();
