import { describe, expect, it } from "vitest";
import * as T from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";
import { MeLU, MetaDLRM, MetaLearner, prepareBatch, stepInputs } from "../src/index.js";
import type { MetaModel } from "../src/index.js";
import { sliceTask, toyBatch } from "./fixtures.js";
import type { ToySpec } from "./fixtures.js";

const spec: ToySpec = { tasks: [5, 2, 7], dense: 3, vocab: [11, 6], bag: [1, 3] };
const DIM = 4;

function models(): MetaModel[] {
  const slots = [
    { name: "item", table: "item", pooling: "sum" as const },
    { name: "tags", table: "tags", pooling: "mean" as const },
  ];
  return [
    new MetaDLRM({ denseDim: spec.dense, slots, embeddingDim: DIM, bottom: [5], top: [6] }),
    new MeLU({ denseDim: spec.dense, slots, embeddingDim: DIM, hidden: [7] }),
  ];
}

/** Runs one meta-step and returns the loss, dense grads and full-table embedding grads. */
function run(learner: MetaLearner, tables: Record<string, Tensor>, b: ReturnType<typeof toyBatch>) {
  const pb = prepareBatch(learner.model, b);
  const rows = pb.tables.map((t, k) => T.gatherRows(tables[t.table]!, T.tensor(pb.uniqueIds[k]!, { dtype: "int64" })).setRequiresGrad(true));
  const r = learner.step(stepInputs(pb, "cpu"), rows);
  const full = Object.fromEntries(
    pb.tables.map((t, k) => {
      const g = T.noGrad(() => T.scatterAddRows(r.embeddingGrads[k]!, T.tensor(pb.uniqueIds[k]!, { dtype: "int64" }), tables[t.table]!.shape[0]!));
      return [t.table, g.toArray() as Float32Array];
    }),
  );
  return { loss: r.queryLoss.item(), dense: r.denseGrads.map((g) => g.toArray() as Float32Array), full };
}

describe("MetaLearner: all tasks batched equals tasks one by one", () => {
  for (const algorithm of ["maml", "fomaml", "metasgd"] as const) {
    for (const adapt of ["all", "dense", "head", "embeddings"] as const) {
      it.each(models().map((m) => [m.name, m] as const))(`%s ${algorithm} adapt=${adapt}`, (_n, model) => {
        T.tidy(() => {
          const gen = new T.Generator(3);
          const tables = { item: T.randn([11, DIM], { generator: gen, std: 0.3 }), tags: T.randn([6, DIM], { generator: gen, std: 0.3 }) };
          const learner = new MetaLearner(model, { algorithm, adapt, innerSteps: 2, innerLr: 0.3, seed: 5 });
          const b = toyBatch(7, spec);
          const all = run(learner, tables, b);
          const each = spec.tasks.map((_, t) => run(learner, tables, sliceTask(b, t)));
          const n = spec.tasks.length;
          // A check of zeros against zeros would pass for a learner that learns nothing.
          expect(Math.max(...all.dense.map((g) => Math.max(...Array.from(g, Math.abs))))).toBeGreaterThan(1e-4);
          expect(Math.max(...Array.from(all.full.item!, Math.abs))).toBeGreaterThan(1e-4);
          expect(all.loss).toBeCloseTo(each.reduce((a, e) => a + e.loss, 0) / n, 5);
          all.dense.forEach((g, i) => {
            g.forEach((v, k) => {
              const ref = each.reduce((a, e) => a + e.dense[i]![k]!, 0) / n;
              expect(Math.abs(v - ref)).toBeLessThan(1e-5 + 1e-4 * Math.abs(ref));
            });
          });
          for (const name of ["item", "tags"]) {
            all.full[name]!.forEach((v, k) => {
              const ref = each.reduce((a, e) => a + (e.full[name]?.[k] ?? 0), 0) / n;
              expect(Math.abs(v - ref)).toBeLessThan(1e-5 + 1e-4 * Math.abs(ref));
            });
          }
        });
      });
    }
  }
});
