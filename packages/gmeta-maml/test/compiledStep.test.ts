import { describe, expect, it } from "vitest";
import * as T from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";
import { CompiledPredict, CompiledStep, MeLU, MetaDLRM, MetaLearner, mlpLayers, mlpSpecs, prepareBatch } from "../src/index.js";
import type { AdaptScope, Algorithm, MetaModel, ModelInputs, ParamSpec, SlotSpec } from "../src/index.js";
import { rng, toyBatch } from "./fixtures.js";
import type { ToySpec } from "./fixtures.js";

const DIM = 4;
/** Relative to the reference tensor's largest magnitude; see the comment in compare(). */
const UNPADDED_TOL = 3e-5;
const slots: SlotSpec[] = [
  { name: "item", table: "item", pooling: "sum" },
  { name: "tags", table: "tags", pooling: "mean" },
  { name: "tags2", table: "tags", pooling: "sum" },
];

/** A model as another team would write one: gated mix of slot embeddings, its own head. */
class GatedModel implements MetaModel {
  readonly name = "GatedModel";
  readonly slots = slots;
  readonly embeddingDim = DIM;
  readonly params: ParamSpec[];
  constructor(readonly denseDim: number) {
    this.params = [
      { name: "gate", shape: [slots.length], init: "zeros" },
      ...mlpSpecs("head", [DIM + denseDim, 5, 1], true),
    ];
  }
  forward(p: Readonly<Record<string, Tensor>>, x: ModelInputs): Tensor {
    const [Tn] = x.dense.shape as [number];
    const g = T.reshape(T.sigmoid(p.gate!), [Tn, 1, 1, slots.length]);
    const mixed = T.sum(T.mul(T.stack(x.slots, 3), g), 3);
    return T.squeeze(T.nn.mlp(mlpLayers(p, "head", 2), T.concat([mixed, x.dense], 2), { activation: "tanh" }), -1);
  }
}

function models(dense: number): MetaModel[] {
  return [
    new MetaDLRM({ denseDim: dense, slots, embeddingDim: DIM, bottom: [5], top: [6] }),
    new MeLU({ denseDim: dense, slots, embeddingDim: DIM, hidden: [7] }),
    new GatedModel(dense),
  ];
}

/** Largest |a − b| over the reference's largest magnitude, at least 1e-3 (relative to the tensor's scale). */
function maxRel(a: Tensor, b: Tensor): number {
  const x = a.toArray() as Float32Array;
  const y = b.toArray() as Float32Array;
  expect(x.length).toBe(y.length);
  let d = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  // A floor on the scale: a gradient that nearly cancels (an output bias at 6e-5 beside weights
  // at 0.1) would otherwise turn a 1e-9 rounding gap into a large ratio.
  return d / Math.max(scale, 1e-3);
}

/** Random tasks of 1..7 samples, bags of 0..3 ids (so some are empty). */
function randomSpec(r: () => number): ToySpec {
  return { tasks: Array.from({ length: 1 + Math.floor(r() * 4) }, () => 1 + Math.floor(r() * 7)), dense: 3, vocab: [13, 7, 7], bag: [1, 3, 2] };
}

function compare(model: MetaModel, algorithm: Algorithm, adapt: AdaptScope, innerSteps: number, seed: number): void {
  const r = rng(seed);
  const learner = new MetaLearner(model, { algorithm, adapt, innerSteps, innerLr: 0.3, seed });
  const gen = new T.Generator(seed);
  const tables: Record<string, Tensor> = { item: T.randn([13, DIM], { generator: gen, std: 0.3 }), tags: T.randn([7, DIM], { generator: gen, std: 0.3 }) };
  const compiled = new CompiledStep(learner, { compile: true });
  const eager = new CompiledStep(learner, { compile: false });
  // The same padded shapes eagerly: the replay itself must then agree to rounding.
  const eagerPadded = new CompiledStep(learner, { compile: false, buckets: true });
  let last = toyBatch(seed, randomSpec(r));
  for (let step = 0; step < 4; step++) {
    // Step 3 keeps step 2's ids (same shapes: a replay) with fresh dense values and labels.
    const batch = step === 3 ? refresh(last, r) : toyBatch(seed * 10 + step, randomSpec(r));
    last = batch;
    const pb = prepareBatch(model, batch);
    const rows = () => pb.tables.map((t, k) => T.gatherRows(tables[t.table]!, T.tensor(pb.uniqueIds[k]!, { dtype: "int64" })).setRequiresGrad(true));
    const [rc, re, rp] = [rows(), rows(), rows()];
    const c = compiled.run(pb, rc);
    const e = eager.run(pb, re);
    const p = eagerPadded.run(pb, rp);
    const at = `${model.name} ${algorithm} adapt=${adapt} k=${innerSteps} seed=${seed} step=${step}`;
    // Against the unpadded eager step the GEMMs have other shapes, so float32 sums run in
    // another order: over 400 seeds of second-order k = 3 the largest gap was 8.3e-6 of the
    // tensor's scale. Against the eager step on the same padded shapes (below) it is 1e-6.
    expect(maxRel(c.queryLoss, e.queryLoss), `${at} query loss`).toBeLessThanOrEqual(UNPADDED_TOL);
    expect(maxRel(c.supportLoss, e.supportLoss), `${at} support loss`).toBeLessThanOrEqual(UNPADDED_TOL);
    e.denseGrads.forEach((g, i) => expect(maxRel(c.denseGrads[i]!, g), `${at} dense grad ${i}`).toBeLessThanOrEqual(UNPADDED_TOL));
    e.embeddingGrads.forEach((g, i) => expect(maxRel(c.embeddingGrads[i]!, g), `${at} row grad ${i}`).toBeLessThanOrEqual(UNPADDED_TOL));
    expect(maxRel(c.queryLoss, p.queryLoss), `${at} query loss, padded eager`).toBeLessThanOrEqual(1e-6);
    p.denseGrads.forEach((g, i) => expect(maxRel(c.denseGrads[i]!, g), `${at} dense grad ${i}, padded eager`).toBeLessThanOrEqual(1e-6));
    p.embeddingGrads.forEach((g, i) => expect(maxRel(c.embeddingGrads[i]!, g), `${at} row grad ${i}, padded eager`).toBeLessThanOrEqual(1e-6));
    for (const t of [...rc, ...re, ...rp]) t.dispose();
  }
  const status = compiled.status();
  for (const s of status) expect(s.compiled, s.reason).toBe(true);
  expect(status.some((s) => s.runs > 1 || (s.stats?.replays ?? 0) > 1)).toBe(true);
  compiled.dispose();
  eager.dispose();
  eagerPadded.dispose();
  learner.dispose();
  for (const t of Object.values(tables)) t.dispose();
}
/** The same tasks and ids with new dense values and labels. */
function refresh(b: ReturnType<typeof toyBatch>, r: () => number): ReturnType<typeof toyBatch> {
  const block = (x: (typeof b)["support"]) => ({
    ...x,
    dense: Float32Array.from(x.dense, () => r() * 2 - 1),
    labels: Float32Array.from(x.labels, () => (r() < 0.5 ? 1 : 0)),
  });
  return { support: block(b.support), query: block(b.query) };
}

describe("the compiled learner step equals the eager one on fresh random batches", () => {
  const seed0 = (Date.now() >>> 8) & 0xffff;
  for (const model of models(3)) {
    for (const algorithm of ["maml", "fomaml", "metasgd", "plain"] as const) {
      it(`${model.name} ${algorithm}, every adapt scope, k = 0..3`, () => {
        let seed = seed0;
        for (const adapt of ["all", "dense", "head", "embeddings"] as const) {
          for (const k of algorithm === "plain" ? [0] : [0, 1, 2, 3]) compare(model, algorithm, adapt, k, seed++);
        }
      });
    }
  }
});

describe("shape buckets", () => {
  it("a new bucket is captured once, then replayed", () => {
    const model = models(3)[0]!;
    const learner = new MetaLearner(model, { innerSteps: 1, seed: 1 });
    const tables: Record<string, Tensor> = { item: T.randn([13, DIM]), tags: T.randn([7, DIM]) };
    const step = new CompiledStep(learner);
    const spec: ToySpec = { tasks: [4, 4, 4], dense: 3, vocab: [13, 7, 7], bag: [1, 1, 1] };
    for (let i = 0; i < 6; i++) {
      const pb = prepareBatch(model, toyBatch(5, spec));
      const rows = pb.tables.map((t, k) => T.gatherRows(tables[t.table]!, T.tensor(pb.uniqueIds[k]!, { dtype: "int64" })).setRequiresGrad(true));
      step.run(pb, rows);
      for (const t of rows) t.dispose();
    }
    expect(step.captures).toBe(1);
    expect(step.status()[0]!.runs).toBe(6);
    step.dispose();
    learner.dispose();
  });
});

describe("compiled prediction", () => {
  it("scores equal eager ones, adapted and as they are, on fresh batches", () => {
    const seed = (Date.now() >>> 4) & 0xffff;
    const r = rng(seed);
    for (const model of models(3)) {
      const learner = new MetaLearner(model, { innerSteps: 2, innerLr: 0.3, seed, adapt: "all" });
      const gen = new T.Generator(seed);
      const tables: Record<string, Tensor> = { item: T.randn([13, DIM], { generator: gen, std: 0.3 }), tags: T.randn([7, DIM], { generator: gen, std: 0.3 }) };
      const predict = new CompiledPredict(learner);
      for (let step = 0; step < 3; step++) {
        const pb = prepareBatch(model, toyBatch(seed + step, randomSpec(r)));
        const rows = pb.tables.map((t, k) => T.gatherRows(tables[t.table]!, T.tensor(pb.uniqueIds[k]!, { dtype: "int64" })));
        for (const adapt of [true, false]) {
          const got = predict.run(pb, rows, adapt);
          const want = learner.predict(pb, rows, adapt);
          expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
          expect(Array.from(got.taskOffsets)).toEqual(Array.from(want.taskOffsets));
          want.scores.forEach((v, i) => expect(Math.abs(got.scores[i]! - v), `${model.name} seed ${seed} adapt=${adapt} score ${i}`).toBeLessThan(1e-6 + 1e-5 * v));
        }
        for (const t of rows) t.dispose();
      }
      predict.dispose();
      learner.dispose();
    }
  });
});

describe("compiled steps in the steady state", () => {
  it("keep native memory flat over 10,000 steps", () => {
    const model = new MeLU({ denseDim: 2, slots: slots.slice(0, 1), embeddingDim: DIM, hidden: [4] });
    const learner = new MetaLearner(model, { innerSteps: 1, seed: 2 });
    const table = T.randn([13, DIM]);
    const step = new CompiledStep(learner);
    const pb = prepareBatch(model, toyBatch(9, { tasks: [2, 3], dense: 2, vocab: [13], bag: [1] }));
    const ids = T.tensor(pb.uniqueIds[0]!, { dtype: "int64" });
    const run = () => {
      const rows = [T.gatherRows(table, ids).setRequiresGrad(true)];
      step.run(pb, rows).queryLoss.item();
      rows[0]!.dispose();
    };
    for (let i = 0; i < 100; i++) run();
    const bytes = T.info().allocatedBytes.cpu;
    for (let i = 0; i < 10_000; i++) run();
    expect(T.info().allocatedBytes.cpu).toBe(bytes);
    expect(step.captures).toBe(1);
    expect(step.status()[0]!.stats!.replays).toBeGreaterThanOrEqual(10_000);
    step.dispose();
    learner.dispose();
  });
});
