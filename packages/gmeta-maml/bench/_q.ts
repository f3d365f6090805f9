import * as T from "@gmeta/tensor";
import { CompiledStep, MetaDLRM, MetaLearner, prepareBatch } from "../src/index.js";
import { toyBatch } from "../test/fixtures.js";
T.setNumThreads(Number(process.env.TH ?? 2));
const K = Number(process.env.K ?? 1), TASKS = Number(process.env.TT ?? 32), DIM = Number(process.env.DIM ?? 16);
const slots = [{ name: "item", table: "item", pooling: "sum" as const }, { name: "cat", table: "cat", pooling: "sum" as const }, { name: "tags", table: "tags", pooling: "mean" as const }];
const model = new MetaDLRM({ denseDim: 8, slots, embeddingDim: DIM, bottom: [32], top: [64, 32] });
const learner = new MetaLearner(model, { innerSteps: K, innerLr: 0.1, adapt: "all" });
const tables: Record<string, T.Tensor> = { item: T.randn([50000, DIM]), cat: T.randn([100, DIM]), tags: T.randn([1000, DIM]) };
const spec = { tasks: Array(TASKS).fill(16), dense: 8, vocab: [50000, 100, 1000], bag: [1, 1, 3] };
const c = new CompiledStep(learner, { compile: true });
const pb = prepareBatch(model, toyBatch(1, spec));
const rows = pb.tables.map((t) => T.gatherRows(tables[t.table]!, T.tensor(t.ids, { dtype: "int64" })).setRequiresGrad(true));
for (let i = 0; i < 5; i++) c.run(pb, rows);
const ts: number[] = [];
for (let i = 0; i < 20; i++) { const t0 = performance.now(); c.run(pb, rows); ts.push(performance.now() - t0); }
ts.sort((a, b) => a - b);
const st = c.status()[0]!.stats!;
console.log(`T=${TASKS} k=${K} d=${DIM}: run ${ts[10]!.toFixed(2)} ms (min ${ts[0]!.toFixed(2)}) ops ${st.ops} ${(st.flops / 1e6).toFixed(1)} MFLOP`);
const profs = Array.from({ length: 5 }, () => c.profile(true)!);
const agg = new Map<string, { calls: number; s: number[]; f: number }>();
for (const p of profs) for (const r of p) { const a = agg.get(r.op) ?? { calls: r.calls, s: [], f: r.flops }; a.s.push(r.seconds); agg.set(r.op, a); }
const rowsOut = [...agg].map(([op, a]) => ({ op, calls: a.calls, ms: a.s.sort((x, y) => x - y)[2]! * 1e3, gf: a.f / (a.s[2]! * 1e9) })).sort((x, y) => y.ms - x.ms);
const tot = rowsOut.reduce((x, r) => x + r.ms, 0);
console.log(`profiled total ${tot.toFixed(2)} ms`);
for (const r of rowsOut.slice(0, Number(process.env.TOP ?? 25))) console.log(r.op.padEnd(48), String(r.calls).padStart(4), r.ms.toFixed(3).padStart(8), "ms", r.gf.toFixed(1).padStart(6), "GF/s");
