import { initProcessGroup } from "@gmeta/collectives";
import { planSharding, ShardedEmbeddingCollection } from "@gmeta/embedding";
import * as T from "@gmeta/tensor";
import { MetaDLRM, MetaLearner, MetaTrainer } from "../src/index.js";
import * as PB from "../src/data/PreparedBatch.js";
import { rng } from "../test/fixtures.js";
const tasks = Number(process.argv[2] ?? 32), k = Number(process.argv[3] ?? 1), dim = Number(process.argv[4] ?? 16), order = Number(process.argv[5] ?? 1);
const VOCAB = { item: 50_000, cat: 100, tags: 1000 };
const zipf = (r: () => number, n: number) => Math.min(n - 1, Math.floor(Math.exp(r() * Math.log(n + 1))) - 1);
function block(r: () => number, tasks: number, perTask: number) {
  const size = tasks * perTask;
  const single = (f: () => number) => ({ ids: BigInt64Array.from({ length: size }, () => BigInt(f())), offsets: Int32Array.from({ length: size + 1 }, (_, i) => i) });
  const tagOffsets = new Int32Array(size + 1); const tags: bigint[] = [];
  for (let i = 0; i < size; i++) { const len = 1 + Math.floor(r() * 3); for (let j = 0; j < len; j++) tags.push(BigInt(zipf(r, VOCAB.tags))); tagOffsets[i + 1] = tags.length; }
  return { size, labels: Float32Array.from({ length: size }, () => (r() < 0.3 ? 1 : 0)), dense: Float32Array.from({ length: size * 8 }, () => r() * 2 - 1),
    slots: [single(() => zipf(r, VOCAB.item)), single(() => Math.floor(r() * VOCAB.cat)), { ids: BigInt64Array.from(tags), offsets: tagOffsets }],
    taskOffsets: Int32Array.from({ length: tasks + 1 }, (_, t) => t * perTask) };
}
if (process.env.THREADS) T.setNumThreads(Number(process.env.THREADS));
if (process.env.THREADS) T.setNumThreads(Number(process.env.THREADS));
const pg = await initProcessGroup({ backend: "gloo" });
const model = new MetaDLRM({ denseDim: 8, embeddingDim: dim, bottom: [32], top: [64, 32], slots: [{ name: "item", table: "item", pooling: "sum" }, { name: "cat", table: "cat", pooling: "sum" }, { name: "tags", table: "tags", pooling: "mean" }] });
const learner = new MetaLearner(model, { algorithm: order === 2 ? "maml" : "fomaml", innerSteps: k, innerLr: 0.1, adapt: "all", seed: 0 });
const tables = Object.entries(VOCAB).map(([name, rows], i) => ({ name, rows, dim, init: { kind: "normal" as const, std: 0.05 }, seed: i }));
const optimizer = { kind: "adagrad" as const, lr: 0.05, rowWise: true };
const plan = planSharding({ tables, worldSize: pg.size, optimizer });
const collection = new ShardedEmbeddingCollection({ tables, plan, processGroup: pg, optimizer });
const trainer = new MetaTrainer({ learner, processGroup: pg, embeddings: collection, outerLr: 1e-3, compile: true });
const acc: Record<string, number[]> = {};
const wrap = (obj: any, name: string, label = name) => { const f = obj[name]; obj[name] = function (...a: any[]) { const t0 = performance.now(); const r = f.apply(this, a);
  if (r instanceof Promise) return r.then((v: any) => { (acc[label] ??= []).push(performance.now() - t0); return v; });
  (acc[label] ??= []).push(performance.now() - t0); return r; }; };
const P = MetaTrainer.prototype as any;
for (const m of ["lookup", "learnerStep", "reduceDense", "reduceBuckets", "checkFiniteFlat", "checkFinite", "applySparse", "outerUpdate"]) wrap(P, m);
wrap((trainer as any).compiled, "run", "compiled.run");
wrap((trainer as any).compiled.fn, "run", "fn.run");
const r = rng(7);
const batches = Array.from({ length: 4 }, () => ({ support: block(r, tasks, 16), query: block(r, tasks, 16) }));
const steps: number[] = [];
for (let i = 0; i < Number(process.env.STEPS ?? 30); i++) { const m = await trainer.step(batches[i % 4] as any); if (i >= 10) steps.push(m.seconds * 1000); if (i == 9) for (const key in acc) acc[key] = []; }
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`T=${tasks} k=${k} d=${dim} order=${order} step median ${med(steps).toFixed(3)} ms`);
for (const [key, v] of Object.entries(acc)) console.log(key.padEnd(14), med(v).toFixed(3));
const prof = trainer.compileProfile()!; let tot = 0, ctot = 0; for (const p of prof) { tot += p.seconds; ctot += p.cpuSeconds; }
console.log("replay profile total ms", (tot * 1000).toFixed(3), "cpu", (ctot * 1000).toFixed(3));
const byS = (process.env.BYOP ? trainer.compileProfile(false) : trainer.compileProfile(true))!; for (const p of byS.filter((p) => !process.env.OPF || p.op.startsWith(process.env.OPF)).slice(0, 40)) console.log(p.op.padEnd(20), p.calls, (p.seconds * 1000).toFixed(3), "cpu", (p.cpuSeconds * 1000).toFixed(3), (p.flops / 1e6).toFixed(1));
console.log(JSON.stringify(trainer.compileStatus()[0]?.stats));
trainer.dispose(); learner.dispose(); collection.dispose(); await pg.destroy?.();
