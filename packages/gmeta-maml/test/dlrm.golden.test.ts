import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as T from "@gmeta/tensor";
import type { SampleBlock } from "@gmeta/io";
import { MetaDLRM, MetaLearner, prepareBatch, stepInputs } from "../src/index.js";

interface Blk {
  n: number; dense: number[]; labels: number[];
  item_ids: number[]; item_offsets: number[]; tags_ids: number[]; tags_offsets: number[];
}
interface Golden {
  magic: string; version: number;
  config: { inner_lr: number; embedding_inner_lr: number; inner_steps: number; dense: number; dim: number; vocab: Record<string, number> };
  params: Record<string, { shape: number[]; data: number[] }>;
  tables: Record<string, number[]>;
  tasks: { support: Blk; query: Blk }[];
  result: Record<"second" | "first", { meta_loss: number; task_losses: number[]; grads: Record<string, number[]> }>;
}
const golden = JSON.parse(readFileSync(new URL("./fixtures/dlrm_golden.json", import.meta.url), "utf8")) as Golden;

/** Concatenates the fixture's per-task blocks into one loader block. */
function block(blks: Blk[], D: number): SampleBlock {
  const n = blks.reduce((a, b) => a + b.n, 0);
  const taskOffsets = new Int32Array(blks.length + 1);
  const slot = (key: "item" | "tags") => {
    const ids: bigint[] = [];
    const offsets = [0];
    for (const b of blks) {
      for (let i = 0; i < b.n; i++) {
        for (let j = b[`${key}_offsets`][i]!; j < b[`${key}_offsets`][i + 1]!; j++) ids.push(BigInt(b[`${key}_ids`][j]!));
        offsets.push(ids.length);
      }
    }
    return { ids: BigInt64Array.from(ids), offsets: Int32Array.from(offsets) };
  };
  blks.forEach((b, t) => (taskOffsets[t + 1] = taskOffsets[t]! + b.n));
  return {
    size: n,
    labels: Float32Array.from(blks.flatMap((b) => b.labels)),
    dense: Float32Array.from(blks.flatMap((b) => b.dense)),
    slots: [slot("item"), slot("tags")],
    taskOffsets,
  };
  void D;
}

describe("MetaDLRM meta-gradient against PyTorch (golden fixture)", () => {
  it("has the expected magic and version", () => {
    expect(golden.magic).toBe("GMETA-GOLDEN-DLRM");
    expect(golden.version).toBe(1);
  });

  it.each([["second", "maml"], ["first", "fomaml"]] as const)("%s order: meta-loss, dense and embedding meta-gradients", (order, algorithm) => {
    T.tidy(() => {
      const c = golden.config;
      const model = new MetaDLRM({
        denseDim: c.dense, embeddingDim: c.dim, bottom: [5], top: [6],
        slots: [{ name: "item", table: "item", pooling: "sum" }, { name: "tags", table: "tags", pooling: "mean" }],
      });
      const learner = new MetaLearner(model, {
        algorithm, adapt: "all", innerSteps: c.inner_steps, innerLr: c.inner_lr, embeddingInnerLr: c.embedding_inner_lr,
      });
      for (const [name, p] of Object.entries(golden.params)) {
        expect(learner.params[name]!.shape).toEqual(p.shape);
        (learner.params[name]!.hostView() as Float32Array).set(p.data);
      }
      const tables = Object.fromEntries(Object.entries(golden.tables).map(([k, v]) => [k, T.tensor(v, { shape: [c.vocab[k]!, c.dim] })]));
      const batch = { support: block(golden.tasks.map((t) => t.support), c.dense), query: block(golden.tasks.map((t) => t.query), c.dense) };
      const pb = prepareBatch(model, batch);
      const rows = pb.tables.map((t, k) => T.gatherRows(tables[t.table]!, T.tensor(pb.uniqueIds[k]!, { dtype: "int64" })).setRequiresGrad(true));
      const r = learner.step(stepInputs(pb, "cpu"), rows);
      const queryLoss = r.queryLoss.item();
      const want = golden.result[order];
      const report: string[] = [`meta_loss |diff| ${Math.abs(queryLoss - want.meta_loss).toExponential(2)}`];
      expect(Math.abs(queryLoss - want.meta_loss)).toBeLessThan(1e-5);
      const check = (label: string, got: ArrayLike<number>, ref: number[]) => {
        const scale = Math.max(1e-3, ...ref.map(Math.abs));
        let worst = 0;
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
        report.push(`${label.padEnd(12)} max |diff| ${worst.toExponential(2)} (max |ref| ${scale.toExponential(2)})`);
        expect(worst, label).toBeLessThan(2e-4 * scale + 1e-6);
      };
      model.params.forEach((p, i) => check(p.name, r.denseGrads[i]!.toArray() as Float32Array, want.grads[p.name]!));
      pb.tables.forEach((t, k) => {
        const full = T.noGrad(() => T.scatterAddRows(r.embeddingGrads[k]!, T.tensor(pb.uniqueIds[k]!, { dtype: "int64" }), c.vocab[t.table]!));
        check(`table.${t.table}`, full.toArray() as Float32Array, want.grads[`table.${t.table}`]!);
      });
      console.info(`MetaDLRM golden (${order} order):\n  ${report.join("\n  ")}`);
    });
  });

  it("the fixture distinguishes second from first order", () => {
    const a = golden.result.second.grads["top.0.w"]!;
    const b = golden.result.first.grads["top.0.w"]!;
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeGreaterThan(1e-4);
  });
});
