import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";
import type { DType, Tensor } from "../src/index.js";
import { toF64 } from "./helpers.js";

interface Golden {
  magic: string;
  version: number;
  config: { tasks: number; support: number; query: number; inner_lr: number };
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

const golden = JSON.parse(readFileSync(new URL("./fixtures/maml_golden.json", import.meta.url), "utf8")) as Golden;
const NAMES = ["w1", "b1", "w2", "b2"] as const;

function load(name: string, dtype: DType, requiresGrad = false): Tensor {
  const g = golden.tensors[name];
  if (!g) throw new Error(`golden fixture: no tensor ${name}`);
  return T.tensor(g.data, { shape: g.shape, dtype, requiresGrad });
}

/** The MLP of the fixture on per-task weights: x [T,N,D], w1 [T,H,D] ... → logits [T,N]. */
function forward(p: Tensor[], x: Tensor): Tensor {
  const [w1, b1, w2, b2] = p as [Tensor, Tensor, Tensor, Tensor];
  const h = T.tanh(T.nn.linear(x, w1, b1));
  return T.squeeze(T.nn.linear(h, w2, b2), -1);
}

/** Per-task mean BCE, [T]. */
function taskLosses(logits: Tensor, y: Tensor): Tensor {
  return T.mean(T.bceWithLogits(logits, y, "none"), 1);
}

/** One MAML step with all tasks batched: per-task fast weights, no loop over tasks. */
function mamlStep(dtype: DType, firstOrder: boolean) {
  const { tasks, inner_lr: alpha } = golden.config;
  const params = NAMES.map((n) => load(n, dtype, true));
  const [xs, ys, xq, yq] = ["xs", "ys", "xq", "yq"].map((n) => load(n, dtype));
  const fast0 = params.map((p) => T.expand(T.unsqueeze(p, 0), [tasks, ...p.shape]));
  const supportLosses = taskLosses(forward(fast0, xs!), ys!);
  // Tasks own disjoint fast weights, so the gradient of the sum is each task's own gradient.
  const inner = T.grad(T.sum(supportLosses), fast0, { createGraph: !firstOrder });
  const adapted = fast0.map((w, i) => T.sub(w, T.mul(firstOrder ? T.detach(inner[i]!) : inner[i]!, alpha)));
  const queryLosses = taskLosses(forward(adapted, xq!), yq!);
  const metaLoss = T.mean(queryLosses);
  const metaGrads = T.grad(metaLoss, params);
  return { supportLosses, inner, adapted, queryLosses, metaLoss, metaGrads };
}

describe("one second-order MAML step against PyTorch (golden fixture)", () => {
  it("has the expected magic and version", () => {
    expect(golden.magic).toBe("GMETA-GOLDEN-MAML");
    expect(golden.version).toBe(1);
  });

  it.each([
    ["float64", 1e-10],
    ["float32", 2e-5],
  ] as const)("matches every loss, inner gradient, adapted weight and meta-gradient in %s", (dtype, tolerance) => {
    T.tidy(() => {
      const r = mamlStep(dtype, false);
      const rows: [string, Tensor, string][] = [
        ["support_losses", r.supportLosses, "support_losses"],
        ["query_losses", r.queryLosses, "query_losses"],
        ["meta_loss", r.metaLoss, "meta_loss"],
      ];
      NAMES.forEach((n, i) => {
        for (let t = 0; t < golden.config.tasks; t++) {
          rows.push([`inner_grad.${t}.${n}`, T.slice(r.inner[i]!, 0, t, t + 1), `inner_grad.${t}.${n}`]);
          rows.push([`adapted.${t}.${n}`, T.slice(r.adapted[i]!, 0, t, t + 1), `adapted.${t}.${n}`]);
        }
        rows.push([`meta_grad.${n}`, r.metaGrads[i]!, `meta_grad.${n}`]);
      });
      const report: string[] = [];
      for (const [label, got, key] of rows) {
        const want = golden.tensors[key]!.data;
        const g = toF64(got);
        expect(g.length, label).toBe(want.length);
        let maxDiff = 0;
        g.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - want[i]!))));
        report.push(`${label.padEnd(22)} max |diff| ${maxDiff.toExponential(2)}`);
        expect(maxDiff, label).toBeLessThanOrEqual(tolerance * Math.max(1, ...want.map(Math.abs)));
      }
      console.info(`MAML golden (${dtype}):\n  ${report.join("\n  ")}`);
    });
  });

  it("first-order MAML matches the fixture's first-order meta-gradient and differs from second order", () => {
    T.tidy(() => {
      const fo = mamlStep("float64", true);
      let secondOrderGap = 0;
      NAMES.forEach((n, i) => {
        const got = toF64(fo.metaGrads[i]!);
        const want = golden.tensors[`meta_grad_fo.${n}`]!.data;
        const so = golden.tensors[`meta_grad.${n}`]!.data;
        got.forEach((v, k) => {
          expect(Math.abs(v - want[k]!)).toBeLessThan(1e-10);
          secondOrderGap = Math.max(secondOrderGap, Math.abs(want[k]! - so[k]!));
        });
      });
      // The fixture would not test second order if both orders agreed.
      expect(secondOrderGap).toBeGreaterThan(1e-4);
    });
  });
});
