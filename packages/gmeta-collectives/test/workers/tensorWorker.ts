// One rank of the tensor-level run: ProcessGroup on @gmeta/tensor CPU tensors, rows along
// dimension 0, results checked against values every rank can compute.
import { tensor, type Tensor } from "@gmeta/tensor";
import { initProcessGroup } from "../../src/index.js";

function expectEqual(what: string, got: Tensor, shape: number[], values: number[]): void {
  const v = Array.from(got.hostView() as ArrayLike<number | bigint>, Number);
  if (got.shape.join() !== shape.join() || v.join() !== values.join()) {
    throw new Error(`${what}: got shape [${got.shape}] ${v}, expected [${shape}] ${values}`);
  }
}

async function main(): Promise<void> {
  const pg = await initProcessGroup({ backend: "gloo", timeoutMs: 20_000 });
  const { rank, size } = pg;
  const r1 = rank + 1;

  // allReduce in place on a 2x3 float32 tensor and a mean on float64.
  const a = tensor(new Float32Array([1, 2, 3, 4, 5, 6].map((x) => x * r1)), { shape: [2, 3] });
  const tri = (size * (size + 1)) / 2;
  expectEqual("allReduce sum", await pg.allReduce(a), [2, 3], [1, 2, 3, 4, 5, 6].map((x) => x * tri));
  const m = tensor(new Float64Array([r1, -r1]), { shape: [2] });
  expectEqual("allReduce mean", await pg.allReduce(m, "mean"), [2], [tri / size, -tri / size]);
  const mx = tensor(new BigInt64Array([BigInt(r1), BigInt(-r1)]), { shape: [2] });
  expectEqual("allReduce max int64", await pg.allReduce(mx, "max"), [2], [size, -1]);

  // allToAllV of rows of width 2: rank r sends (d + r) % 2 rows to rank d (zeros included).
  const rowsTo = Array.from({ length: size }, (_, d) => (d + rank) % 2);
  const nrows = rowsTo.reduce((x, y) => x + y, 0);
  const send = tensor(new Int32Array(nrows * 2).map((_, i) => rank * 100 + i), { shape: [nrows, 2] });
  const { recv, recvCounts } = await pg.allToAllV(send, rowsTo);
  const wantCounts = Array.from({ length: size }, (_, s) => (rank + s) % 2);
  if (recvCounts.join() !== wantCounts.join()) throw new Error(`allToAllV counts ${recvCounts}`);
  const want: number[] = [];
  for (let s = 0; s < size; s++) {
    const before = Array.from({ length: rank }, (_, d) => (d + s) % 2).reduce((x, y) => x + y, 0);
    for (let i = 0; i < wantCounts[s]! * 2; i++) want.push(s * 100 + before * 2 + i);
  }
  expectEqual("allToAllV", recv, [want.length / 2, 2], want);

  // allGather rows, allGatherV with rank r giving r rows (rank 0 none), broadcast from the last rank.
  const g = await pg.allGather(tensor(new Float32Array([rank, rank]), { shape: [1, 2] }));
  expectEqual("allGather", g, [size, 2], Array.from({ length: size }, (_, r) => [r, r]).flat());
  const gv = await pg.allGatherV(tensor(new Float32Array(rank * 3).fill(rank), { shape: [rank, 3] }));
  const wantV = Array.from({ length: size }, (_, r) => new Array(r * 3).fill(r)).flat();
  expectEqual("allGatherV", gv.recv, [wantV.length / 3, 3], wantV);
  if (gv.counts.join() !== Array.from({ length: size }, (_, r) => r).join()) throw new Error(`allGatherV counts ${gv.counts}`);
  const b = tensor(new Float64Array([rank, rank * 2]), { shape: [2] });
  expectEqual("broadcast", await pg.broadcast(b, size - 1), [2], [size - 1, (size - 1) * 2]);

  await pg.barrier();
  for (const t of [a, m, mx, send, recv, g, gv.recv, b]) t.dispose();
  await pg.close();
  console.log(`rank ${rank}/${size}: tensor collectives ok`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
