// The trainer's math in one function, tasks batched: embedding gather for support and query
// at once, per-task fast weights (bmm over the task axis), one inner SGD step kept in the
// graph (second order), BCE-with-logits query loss, meta-gradients for the dense weights and
// the embedding rows, Adam on the dense weights and SGD on the table. The same sizes drive
// maml_torch.py for the PyTorch comparison.
import * as T from "../../src/index.js";
import type { Device, Tensor } from "../../src/index.js";

export interface StepSizes {
  tasks: number;
  support: number;
  query: number;
  slots: number;
  vocab: number;
  embDim: number;
  dense: number;
  hidden: number;
  innerLr: number;
}

export const SIZES: StepSizes = { tasks: 32, support: 32, query: 32, slots: 4, vocab: 5000, embDim: 16, dense: 8, hidden: 64, innerLr: 0.1 };

/**
 * The meta-step over [ids, dense features, labels] with parameters [w1, b1, w2, b2, table]:
 * the query loss and its gradients w.r.t. every parameter (also what T.compile captures in
 * compiledStep.ts).
 */
export function metaStep(S: StepSizes, params: Tensor[]) {
  return ([ids, xDense, y]: Tensor[]): { loss: Tensor; grads: Tensor[] } => {
    const [w1, b1, w2, b2, table] = params as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const n = S.support + S.query;
    const inDim = S.slots * S.embDim + S.dense;
    const emb = T.reshape(T.gatherRows(table, ids!), [S.tasks, n, S.slots * S.embDim]);
    const x = T.concat([emb, xDense!], 2);
    const xs = T.slice(x, 1, 0, S.support);
    const xq = T.slice(x, 1, S.support, n);
    const ys = T.slice(y!, 1, 0, S.support);
    const yq = T.slice(y!, 1, S.support, n);
    const fast0 = [T.expand(T.unsqueeze(w1, 0), [S.tasks, inDim, S.hidden]), T.expand(T.reshape(b1, [1, 1, S.hidden]), [S.tasks, 1, S.hidden]),
      T.expand(T.unsqueeze(w2, 0), [S.tasks, S.hidden, 1]), T.expand(T.reshape(b2, [1, 1, 1]), [S.tasks, 1, 1])];
    const forward = (p: Tensor[], xx: Tensor) => T.add(T.bmm(T.relu(T.add(T.bmm(xx, p[0]!), p[1]!)), p[2]!), p[3]!);
    const lossS = T.mul(T.bceWithLogits(forward(fast0, xs), ys), S.tasks);
    const gs = T.grad(lossS, fast0, { createGraph: true });
    const fast = fast0.map((p, i) => T.sub(p, T.mul(gs[i]!, S.innerLr)));
    const loss = T.bceWithLogits(forward(fast, xq), yq);
    return { loss, grads: T.grad(loss, params) };
  };
}

export interface MamlRun {
  losses: number[];
  params: Float64Array[];
  samplesPerStep: number;
}

/** `steps` meta-steps on `device` from a fixed seed; returns the query losses and final parameters. */
export function mamlSteps(device: Device, steps: number, seed = 1): MamlRun {
  const S = SIZES;
  const g = new T.Generator(seed);
  const inDim = S.slots * S.embDim + S.dense;
  const mk = (shape: number[], scale: number) => T.affine(T.rand(shape, { generator: g }), 2 * scale, -scale).to(device);
  const table = T.keep(mk([S.vocab, S.embDim], 0.1));
  const w1 = T.keep(mk([inDim, S.hidden], 1 / Math.sqrt(inDim)));
  const b1 = T.keep(T.zeros([S.hidden], { device }));
  const w2 = T.keep(mk([S.hidden, 1], 1 / Math.sqrt(S.hidden)));
  const b2 = T.keep(T.zeros([1], { device }));
  const dense = [w1, b1, w2, b2];
  for (const p of [...dense, table]) p.setRequiresGrad();
  const adam = new T.Adam(dense, { lr: 1e-3 });
  const sgd = new T.SGD([table], { lr: 0.05 });
  const n = S.support + S.query;
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    T.tidy(() => {
      const ids = T.randint(0, S.vocab, [S.tasks * n * S.slots], { generator: g, dtype: "int32" }).to(device);
      const xDense = T.rand([S.tasks, n, S.dense], { generator: g }).to(device);
      const y = T.step(T.affine(T.rand([S.tasks, n, 1], { generator: g }), 1, -0.5)).to(device);
      const { loss: lossQ, grads } = metaStep(S, [...dense, table])([ids, xDense, y]);
      losses.push(lossQ.item());
      adam.step(grads.slice(0, 4) as Tensor[]);
      sgd.step([grads[4]!]);
    });
  }
  const params = [...dense, table].map((p) => Float64Array.from(p.toArray() as Float32Array));
  for (const p of [...dense, table]) p.dispose();
  adam.dispose();
  sgd.dispose();
  return { losses, params, samplesPerStep: S.tasks * n };
}
