import { toDevice } from "@gmeta/tensor";
import type { Device, Scope, Tensor } from "@gmeta/tensor";

import type { TrafficCounters } from "../Counters.js";
import type { Exchange } from "./Exchange.js";

/**
 * One AlltoAllV of a flat tensor, staged through the group's device when `send` lives
 * elsewhere (a GPU collection over a host group), with its traffic counted. The result is
 * on `to`; every copy made on the way belongs to `scope`.
 */
export async function stagedAllToAll(
  group: Exchange, scope: Scope, send: Tensor, counts: number[], c: TrafficCounters, to: Device,
): Promise<{ recv: Tensor; recvCounts: number[] }> {
  const staged = scope.run(() => toDevice(send, group.device ?? "cpu"));
  const { recv, recvCounts } = await group.allToAllV(staged, counts);
  scope.adopt(recv);
  const bytes = send.dtype === "int32" || send.dtype === "float32" ? 4 : 8;
  c.allToAllCalls += 1;
  c.bytesSent += (counts.reduce((a, b) => a + b, 0) - counts[group.rank]!) * bytes;
  c.bytesReceived += (recvCounts.reduce((a, b) => a + b, 0) - recvCounts[group.rank]!) * bytes;
  return { recv: scope.run(() => toDevice(recv, to)), recvCounts };
}
