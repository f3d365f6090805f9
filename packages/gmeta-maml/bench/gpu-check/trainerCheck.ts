// The trainer half of the GPU check (scripts/gpu-check.sh): the toy distributed-equals-single
// run of the test suite (test/toyTraining.ts) on one rank, with the meta-step and the tables
// on the GPU, against the same run on the CPU; over Gloo (buffers staged through the host)
// and over NCCL (everything stays on the GPU) when NCCL loads.
import { initProcessGroup, ncclAvailability } from "@gmeta/collectives";
import type { Device } from "@gmeta/tensor";

import { maxDiff, trainToy } from "../../test/toyTraining.js";
import type { ToyRun } from "../../test/toyTraining.js";

export interface CheckResult {
  name: string;
  ok: boolean;
  ran: boolean;
  detail: string;
}

function compare(name: string, cpu: ToyRun, other: ToyRun): CheckResult {
  const d = maxDiff(cpu, other);
  const dl = Math.max(...cpu.losses.map((l, i) => Math.abs(l - other.losses[i]!)));
  return { name, ok: d < 1e-4 && dl < 1e-4, ran: true, detail: `max|diff| params+tables ${d.toExponential(2)}, losses ${dl.toExponential(2)}` };
}

export async function trainerCheck(device: Device): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const gloo = await initProcessGroup({ backend: "gloo", store: { kind: "tcp", port: 0 }, timeoutMs: 60_000 });
  let cpu: ToyRun;
  try {
    cpu = await trainToy(gloo, { strategy: "gmeta", steps: 3, tableStrategy: "row-wise" });
    for (const strategy of ["gmeta", "naive"] as const) {
      const name = `MetaTrainer ${strategy} on ${device} over Gloo vs CPU`;
      try {
        out.push(compare(name, cpu, await trainToy(gloo, { strategy, steps: 3, tableStrategy: "row-wise", device })));
      } catch (e) {
        out.push({ name, ok: false, ran: true, detail: (e as Error).message.split("\n")[0]! });
      }
    }
  } finally {
    await gloo.close();
  }
  const name = `MetaTrainer gmeta on ${device} over NCCL vs CPU`;
  const nccl = ncclAvailability();
  if (!nccl.available) {
    out.push({ name, ok: true, ran: false, detail: `skipped: ${nccl.reason}` });
    return out;
  }
  try {
    const pg = await initProcessGroup({ backend: "nccl", store: { kind: "tcp", port: 0 }, device: device as `cuda:${number}`, timeoutMs: 60_000 });
    try {
      out.push(compare(name, cpu, await trainToy(pg, { strategy: "gmeta", steps: 3, tableStrategy: "row-wise", device })));
    } finally {
      await pg.close();
    }
  } catch (e) {
    out.push({ name, ok: false, ran: true, detail: (e as Error).message.split("\n")[0]! });
  }
  return out;
}
