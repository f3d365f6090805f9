// The NCCL half of the GPU check (scripts/gpu-check.sh): a world of one on `device`, each
// collective checked against its known answer. More ranks need more GPUs; one is what the
// check machine has.
import * as T from "@gmeta/tensor";
import type { Device } from "@gmeta/tensor";
import { initProcessGroup, ncclAvailability } from "../src/index.js";

export interface NcclCheckResult {
  ran: boolean;
  ok: boolean;
  detail: string;
}

export async function ncclCheck(device: Device): Promise<NcclCheckResult> {
  const avail = ncclAvailability();
  if (!avail.available) return { ran: false, ok: true, detail: `skipped: ${avail.reason}` };
  const pg = await initProcessGroup({ backend: "nccl", device: device as `cuda:${number}`, env: {} });
  const fails: string[] = [];
  const same = (what: string, got: ArrayLike<number | bigint>, want: number[]) => {
    const g = Array.from(got, Number);
    if (g.length !== want.length || g.some((v, i) => Math.abs(v - want[i]!) > 1e-6)) fails.push(`${what}: got [${g.join(", ")}], want [${want.join(", ")}]`);
  };
  try {
    const x = T.tensor([1, 2, 3, 4], { device });
    await pg.allReduce(x, "sum");
    same("allReduce sum", x.toArray(), [1, 2, 3, 4]);
    await pg.allReduce(x, "mean");
    same("allReduce mean", x.toArray(), [1, 2, 3, 4]);
    const i64 = T.tensor([5, 6], { dtype: "int64", device });
    await pg.allReduce(i64, "max");
    same("allReduce max int64", i64.toArray(), [5, 6]);
    const rows = T.tensor([[1, 2], [3, 4], [5, 6]], { device });
    const a2a = await pg.allToAllV(rows, [3]);
    same("allToAllV", a2a.recv.toArray(), [1, 2, 3, 4, 5, 6]);
    same("allToAllV counts", a2a.recvCounts, [3]);
    same("allGather", (await pg.allGather(rows)).toArray(), [1, 2, 3, 4, 5, 6]);
    const gv = await pg.allGatherV(rows);
    same("allGatherV", gv.recv.toArray(), [1, 2, 3, 4, 5, 6]);
    await pg.broadcast(x, 0);
    same("broadcast", x.toArray(), [1, 2, 3, 4]);
    await pg.barrier();
  } catch (e) {
    fails.push((e as Error).message.split("\n")[0]!);
  } finally {
    await pg.close();
  }
  return { ran: true, ok: fails.length === 0, detail: fails.length ? fails.join("; ") : `NCCL ${avail.version} (${avail.path}), world of 1` };
}
