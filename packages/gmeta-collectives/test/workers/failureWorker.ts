// Ranks that fail on purpose. Mode (argv[2]):
//   kill      rank 1 SIGKILLs itself while both ranks loop over allReduce; the survivors print
//             "CAUGHT <ms since the kill> <message>" and exit 3.
//   filestore join through a FileStore at argv[3], one allReduce, exit 0 (errors exit 1).
//   idle      rank 1 SIGKILLs itself between collectives; rank 0 then calls every operation
//             and prints "CAUGHT <message>" for each, exit 0 when all failed cleanly.
//   join      join through the TCP store (rank 0 hosts it), one barrier.
//   stall     rank 1 never enters the allReduce (alive but stuck); rank 0 prints
//             "CAUGHT <ms> <message>" and exits 3, then rank 1 exits.
//   freeze    rank 1 stops itself (SIGSTOP) after a barrier; rank 0 prints "CAUGHT <ms> <message>"
//             of its timed-out allReduce and exits 3 (the test kills the stopped rank).
import { initArrayGroup } from "../../src/index.js";

const mode = process.argv[2];

// "CAUGHT <ms since `since`> <message>", exit 3: the failure the test expects, and how fast.
function exitCaught(e: unknown, since: number): never {
  console.log(`CAUGHT ${Date.now() - since} ${(e as Error).message}`);
  process.exit(3);
}

async function killMode(): Promise<void> {
  const pg = await initArrayGroup({ timeoutMs: Number(process.env.TEST_TIMEOUT_MS ?? 10_000) });
  await pg.barrier();
  const killAt = Date.now() + 300;
  if (pg.rank === 1) setTimeout(() => process.kill(process.pid, "SIGKILL"), 300);
  const data = new Float32Array(4 << 20);
  try {
    for (;;) await pg.allReduce(data, "sum");
  } catch (e) {
    exitCaught(e, killAt);
  }
}

async function fileStoreMode(path: string): Promise<void> {
  const pg = await initArrayGroup({ store: { kind: "file", path }, timeoutMs: 10_000 });
  const data = new Int32Array([pg.rank + 1]);
  await pg.allReduce(data, "sum");
  if (data[0] !== (pg.size * (pg.size + 1)) / 2) throw new Error(`filestore allReduce gave ${data[0]}`);
  await pg.close();
  console.log("filestore ok");
}

// Rank 1 gets stuck after a barrier (`stuck`: alive but never calling, or stopped); rank 0's next
// allReduce must fail within its timeout.
async function peerStuckMode(timeoutMs: number, stuck: () => void): Promise<void> {
  const pg = await initArrayGroup({ timeoutMs });
  await pg.barrier();
  if (pg.rank === 1) {
    stuck();
    return;
  }
  const t0 = Date.now();
  try {
    await pg.allReduce(new Float64Array(10), "sum");
  } catch (e) {
    exitCaught(e, t0);
  }
}

const stallMode = () => peerStuckMode(1500, () => setTimeout(() => process.exit(0), 3000));

const freezeMode = () =>
  peerStuckMode(5000, () => {
    console.log("STOPPING");
    process.kill(process.pid, "SIGSTOP");
  });

async function idleMode(): Promise<void> {
  const pg = await initArrayGroup({ timeoutMs: 5000 });
  await pg.barrier();
  if (pg.rank === 1) process.kill(process.pid, "SIGKILL");
  await new Promise((r) => setTimeout(r, 300));
  const ops: Array<() => Promise<unknown>> = [
    () => pg.allReduce(new Float32Array(4)),
    () => pg.allToAllV(new Int32Array(4), [2, 2]),
    () => pg.allGather(new Float64Array(2)),
    () => pg.allGatherV(new BigInt64Array(3)),
    () => pg.broadcast(new Float32Array(4), 1),
    () => pg.barrier(),
  ];
  for (const op of ops) {
    try {
      await op();
      throw new Error("a collective with a dead peer succeeded");
    } catch (e) {
      console.log(`CAUGHT ${(e as Error).message}`);
    }
  }
}

async function joinMode(): Promise<void> {
  const pg = await initArrayGroup();
  await pg.barrier();
  await pg.close();
}

const modes: Record<string, () => Promise<void>> = { kill: killMode, join: joinMode, stall: stallMode, idle: idleMode, freeze: freezeMode };
(modes[mode!] ?? (() => fileStoreMode(process.argv[3]!)))().catch((e) => {
  console.error(`FAILED ${(e as Error).message}`);
  process.exit(1);
});
