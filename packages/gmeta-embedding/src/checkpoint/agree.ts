import { Scope, tensor } from "@gmeta/tensor";

import { zeroTraffic } from "../Counters.js";
import type { Exchange } from "../exchange/Exchange.js";
import { stagedAllToAll } from "../exchange/stagedAllToAll.js";

/** Every rank's yes/no, in rank order (one small AlltoAllV, not counted as lookup traffic). */
export async function agree(group: Exchange, ok: boolean): Promise<boolean[]> {
  const W = group.size;
  const scope = new Scope();
  try {
    const send = scope.run(() => tensor(new Int32Array(W).fill(ok ? 1 : 0), { shape: [W] }));
    const { recv } = await stagedAllToAll(group, scope, send, new Array<number>(W).fill(1), zeroTraffic(), "cpu");
    return Array.from(recv.hostView() as Int32Array, (x) => x === 1);
  } finally {
    scope.dispose();
  }
}
