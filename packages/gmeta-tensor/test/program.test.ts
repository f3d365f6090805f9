import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { capture } from "../src/program/capture.js";
import { randArray, rng } from "./helpers.js";
import type { R } from "./helpers.js";

/** Largest |a - b| / (1e-6 + |b|) over two tensors' values. */
function maxRel(a: Tensor, b: Tensor): number {
  const x = a.toArray() as Float32Array;
  const y = b.toArray() as Float32Array;
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!) / (1e-6 + Math.abs(y[i]!)));
  return m;
}

function param(r: R, shape: number[]): Tensor {
  return T.tensor(randArray(r, shape.reduce((a, b) => a * b, 1), -0.5, 0.5), { shape, dtype: "float32", requiresGrad: true });
}

interface Model {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

/**
 * A MAML meta-step in the shape of the trainer's: rows looked up through an index, k inner
 * steps with second-order graphs, query loss, gradients w.r.t. the dense weights and the rows.
 */
function metaStep(m: Model, k: number, firstOrder: boolean) {
  return ([rows, sIdx, xs, ys, qIdx, xq, yq]: Tensor[]) => {
    const tasks = xs!.shape[0]!;
    const dense = [m.w1, m.b1, m.w2, m.b2];
    let fast = dense.map((p) => T.expand(T.unsqueeze(p, 0), [tasks, ...p.shape]));
    const forward = (w: Tensor[], idx: Tensor, x: Tensor) => {
      const e = T.gatherRows(rows!, idx);
      const h = T.tanh(T.nn.linear(T.concat([x, e], -1), w[0]!, w[1]!));
      return T.squeeze(T.nn.linear(h, w[2]!, w[3]!), -1);
    };
    let support: Tensor | null = null;
    for (let s = 0; s < k; s++) {
      const l = T.sum(T.mean(T.bceWithLogits(forward(fast, sIdx!, xs!), ys!, "none"), 1));
      support ??= l;
      const g = T.grad(l, fast, { createGraph: !firstOrder });
      fast = fast.map((w, i) => T.sub(w, T.mul(firstOrder ? T.detach(g[i]!) : g[i]!, 0.3)));
    }
    const query = T.mean(T.bceWithLogits(forward(fast, qIdx!, xq!), yq!));
    const grads = T.grad(query, [...dense, rows!]);
    return { query, support: support ?? T.zeros([]), grads };
  };
}

function batch(r: R, tasks: number, n: number, d: number, rows: number, dim: number): Tensor[] {
  const idx = () => T.tensor(Int32Array.from({ length: tasks * n }, () => Math.floor(r.next() * rows)), { shape: [tasks, n], dtype: "int32" });
  const x = () => T.tensor(randArray(r, tasks * n * d), { shape: [tasks, n, d], dtype: "float32" });
  const y = () => T.tensor(Float32Array.from({ length: tasks * n }, () => (r.next() < 0.5 ? 1 : 0)), { shape: [tasks, n] });
  const e = T.tensor(randArray(r, rows * dim, -0.3, 0.3), { shape: [rows, dim], dtype: "float32" }).setRequiresGrad();
  return [e, idx(), x(), y(), idx(), x(), y()];
}

/**
 * A compiled second-order meta-step (k inner steps) of a fresh one-hidden-layer model over a
 * fresh batch of [tasks, n, d, rows, dim], run once (the capture) before it is returned.
 */
function compiledMetaStep(r: R, hidden: number, k: number, [tasks, n, d, rows, dim]: [number, number, number, number, number]) {
  const m: Model = { w1: param(r, [hidden, d + dim]), b1: param(r, [hidden]), w2: param(r, [1, hidden]), b2: param(r, [1]) };
  const compiled = T.compile(metaStep(m, k, false));
  const inputs = batch(r, tasks, n, d, rows, dim);
  compiled.run(inputs);
  return { compiled, inputs };
}

describe("captured programs replay what eager computes", () => {
  it.each([
    [0, false],
    [1, false],
    [2, false],
    [3, false],
    [2, true],
  ])("a MAML meta-step with %i inner steps (first order: %s) equals eager on fresh batches", (k, firstOrder) => {
    const r = rng();
    const [D, E, H] = [5, 4, 8];
    const m: Model = { w1: param(r, [H, D + E]), b1: param(r, [H]), w2: param(r, [1, H]), b2: param(r, [1]) };
    const fn = metaStep(m, k, firstOrder);
    const compiled = T.compile(fn, { name: "metaStep" });
    for (let step = 0; step < 4; step++) {
      const inputs = batch(r, 3, 6, D, 11, E);
      const eager = T.tidy(() => fn(inputs));
      const out = compiled.run(inputs);
      expect(maxRel(out.query, eager.query), `seed ${r.seed} step ${step} query`).toBeLessThanOrEqual(1e-5);
      eager.grads.forEach((g, i) => expect(maxRel(out.grads[i]!, g), `seed ${r.seed} step ${step} grad ${i}`).toBeLessThanOrEqual(1e-5));
      for (const t of [...inputs, eager.query, eager.support, ...eager.grads]) t.dispose();
    }
    const [st] = compiled.status();
    expect(st!.compiled, st!.reason).toBe(true);
    expect(st!.runs).toBe(4);
    expect(compiled.captures).toBe(1);
    expect(st!.stats!.replays).toBeGreaterThanOrEqual(3);
    compiled.dispose();
  });

  it("follows parameters updated in place between runs", () => {
    const r = rng();
    const w = param(r, [4, 3]);
    const f = T.compile(([x]: Tensor[]) => T.grad(T.sum(T.square(T.matmul(x!, w))), [w])[0]!);
    const x = T.tensor(randArray(r, 12), { shape: [3, 4], dtype: "float32" });
    for (let i = 0; i < 3; i++) {
      const eager = T.tidy(() => T.grad(T.sum(T.square(T.matmul(x, w))), [w])[0]!);
      expect(maxRel(f.run([x]), eager)).toBeLessThanOrEqual(1e-6);
      T.assign(w, Float32Array.from(randArray(r, 12)));
      eager.dispose();
    }
    f.dispose();
  });

  it("packs temporaries into an arena smaller than one buffer each", () => {
    const r = rng();
    const { compiled } = compiledMetaStep(r, 16, 2, [4, 8, 8, 20, 4]);
    const s = compiled.status()[0]!.stats!;
    expect(s.temporaries).toBeGreaterThan(10);
    expect(s.arenaBytes).toBeLessThan(s.unplannedBytes);
    expect(s.flops).toBeGreaterThan(0);
    compiled.dispose();
  });

  it("captures once per shape signature and replays after", () => {
    const r = rng();
    const w = param(r, [3, 2]);
    const f = T.compile(([x]: Tensor[]) => T.matmul(x!, w));
    for (const n of [2, 5, 2, 5, 7, 2]) {
      const x = T.tensor(randArray(r, n * 3), { shape: [n, 3], dtype: "float32" });
      const want = T.tidy(() => T.matmul(x, w));
      expect(maxRel(f.run([x]), want)).toBeLessThanOrEqual(1e-6);
      x.dispose();
      want.dispose();
    }
    expect(f.captures).toBe(3);
    expect(f.status().map((s) => s.runs).sort()).toEqual([1, 2, 3]);
    f.dispose();
  });

  it("shares one arena among a function's signatures, grown to the largest, and each still equals eager", () => {
    const r = rng();
    const [D, E, H] = [5, 4, 8];
    const m: Model = { w1: param(r, [H, D + E]), b1: param(r, [H]), w2: param(r, [1, H]), b2: param(r, [1]) };
    const fn = metaStep(m, 2, false);
    const compiled = T.compile(fn, { name: "metaStep" });
    // Small, then larger (the arena grows and the first program moves into the new block), then
    // back and forth, so each program runs over memory the other one just wrote.
    for (const tasks of [2, 6, 2, 6, 3, 2, 6]) {
      const inputs = batch(r, tasks, 5, D, 9, E);
      const eager = T.tidy(() => fn(inputs));
      const out = compiled.run(inputs);
      expect(maxRel(out.query, eager.query), `seed ${r.seed} tasks ${tasks} query`).toBeLessThanOrEqual(1e-5);
      eager.grads.forEach((g, i) => expect(maxRel(out.grads[i]!, g), `seed ${r.seed} tasks ${tasks} grad ${i}`).toBeLessThanOrEqual(1e-5));
      for (const t of [...inputs, eager.query, eager.support, ...eager.grads]) t.dispose();
    }
    const st = compiled.status();
    expect(st.map((s) => s.compiled)).toEqual([true, true, true]);
    const own = st.map((s) => s.stats!.arenaBytes);
    expect(new Set(own).size).toBe(3);
    // Every program reports the one shared block, which is the largest program's need.
    for (const s of st) expect(s.stats!.sharedArenaBytes).toBe(Math.max(...own));
    compiled.dispose();
  });

  it("drops ops whose results nothing reads, and still equals eager", () => {
    const r = rng();
    const w = param(r, [1, 4, 3]);
    // The expand's copy is read only by the sub, which reads w itself with a zero stride, and
    // the tanh is never read: neither is replayed. The kept ops still give eager's values.
    const fn = ([x, g]: Tensor[]) => {
      const fast = T.expand(w, [x!.shape[0]!, 4, 3]);
      T.tanh(T.mul(x!, 3));
      return T.sum(T.square(T.matmul(x!, T.sub(fast, T.mul(g!, 0.5)))));
    };
    const f = T.compile(fn);
    for (let i = 0; i < 3; i++) {
      const x = T.tensor(randArray(r, 5 * 2 * 4), { shape: [5, 2, 4], dtype: "float32" });
      const g = T.tensor(randArray(r, 5 * 4 * 3), { shape: [5, 4, 3], dtype: "float32" });
      const want = T.tidy(() => fn([x, g]));
      expect(maxRel(f.run([x, g]), want), `seed ${r.seed} run ${i}`).toBeLessThanOrEqual(1e-6);
      for (const t of [x, g, want]) t.dispose();
    }
    const s = f.status()[0]!.stats!;
    // mul and tanh of the unused branch, and the expand's copy.
    expect(s.deadOps).toBe(3);
    expect(s.replays).toBeGreaterThanOrEqual(2);
    f.dispose();
  });

  it("an expanded tensor written in place is read as written, not as its source", () => {
    const r = rng();
    T.tidy(() => {
      const w = T.tensor(randArray(r, 6), { shape: [1, 2, 3], dtype: "float32" });
      const x = T.tensor(randArray(r, 8), { shape: [2, 2, 2], dtype: "float32" });
      const viaAssign = T.expand(w, [2, 2, 3]);
      const values = Float32Array.from(randArray(r, 12));
      T.assign(viaAssign, values);
      const half = T.tensor(new Float32Array(12).fill(0.5), { shape: [2, 2, 3], dtype: "float32" });
      expect(Array.from(T.add(viaAssign, half).toArray() as Float32Array)).toEqual(Array.from(values, (v) => Math.fround(v + 0.5)));
      const viaView = T.expand(w, [2, 2, 3]);
      (viaView.hostView() as Float32Array).set(values);
      const plain = T.tensor(values, { shape: [2, 2, 3], dtype: "float32" });
      expect(maxRel(T.matmul(x, viaView), T.matmul(x, plain))).toBe(0);
      expect(maxRel(T.mul(viaView, plain), T.mul(plain, plain))).toBe(0);
    });
  });

  it("plans an arena of its own without a program to share with, and names a bad one", () => {
    const r = rng();
    const x = T.tensor(randArray(r, 12), { shape: [3, 4], dtype: "float32" });
    const made = () => capture("cpu", () => T.sum(T.square(T.tanh(T.mul(x, 2)))));
    const a = made();
    const b = made();
    a.program!.planMemory();
    const s = a.program!.stats();
    expect(s.temporaries).toBeGreaterThan(0);
    expect(s.sharedArenaBytes).toBe(s.arenaBytes);
    expect(() => b.program!.planMemory({} as never)).toThrow(/planMemory: expected a Program to share an arena with \(shareWith\)/);
    expect(() => a.program!.planMemory(a.program!)).toThrow(/cannot share an arena with itself/);
    a.program!.dispose();
    expect(() => b.program!.planMemory(a.program!)).toThrow(/the program to share an arena with was disposed/);
    b.program!.dispose();
    for (const t of [x, ...a.created, ...b.created]) t.dispose();
  });

  it("falls back to eager with a reason when the function reads values on the host", () => {
    const r = rng();
    const w = param(r, [3, 2]);
    const f = T.compile(([x]: Tensor[]) => {
      const y = T.matmul(x!, w);
      return T.mul(y, T.sum(y).item() > 0 ? 2 : -2);
    });
    const x = T.tensor(randArray(r, 6), { shape: [2, 3], dtype: "float32" });
    for (let i = 0; i < 3; i++) {
      const want = T.tidy(() => {
        const y = T.matmul(x, w);
        return T.mul(y, T.sum(y).item() > 0 ? 2 : -2);
      });
      expect(maxRel(f.run([x]), want)).toBeLessThanOrEqual(1e-6);
      want.dispose();
      T.assign(x, Float32Array.from(randArray(r, 6)));
    }
    const [st] = f.status();
    expect(st!.compiled).toBe(false);
    expect(st!.reason).toMatch(/read on the host/);
    f.dispose();
  });

  it("refuses random draws inside the function, naming them", () => {
    const f = T.compile(([x]: Tensor[]) => T.add(x!, T.rand([2])));
    f.run([T.zeros([2])]);
    expect(f.status()[0]!.reason).toMatch(/random/);
    f.dispose();
  });

  it("runs eagerly when compiling is off", () => {
    const f = T.compile(([x]: Tensor[]) => T.add(x!, 1), { enabled: false });
    expect(Array.from(f.run([T.ones([2])]).toArray() as Float32Array)).toEqual([2, 2]);
    expect(f.status()[0]!.reason).toMatch(/off/);
    f.dispose();
  });

  it("reports an index out of range met during a replay instead of crashing", () => {
    const src = T.tensor([1, 2, 3, 4], { shape: [2, 2] });
    const f = T.compile(([idx]: Tensor[]) => T.gatherRows(src, idx!));
    f.run([T.tensor([0, 1], { dtype: "int32" })]);
    expect(() => f.run([T.tensor([0, 5], { dtype: "int32" })])).toThrow(/replay: gatherRows met an index out of range/);
    f.dispose();
  });

  it("leaves no tensor, program or byte behind over many replays", () => {
    const r = rng();
    const { compiled, inputs } = compiledMetaStep(r, 8, 1, [2, 4, 5, 7, 4]);
    const before = T.info().allocatedBytes.cpu!;
    for (let i = 0; i < 200; i++) compiled.run(inputs);
    expect(T.info().allocatedBytes.cpu).toBe(before);
    compiled.dispose();
    for (const t of inputs) t.dispose();
  });
});

describe("host inputs", () => {
  it("are written straight into the program's slots and give what tensors give", () => {
    const r = rng();
    const w = param(r, [3, 2]);
    const f = T.compile(([x, idx]: Tensor[]) => T.gatherRows(T.matmul(x!, w), idx!));
    for (let i = 0; i < 3; i++) {
      const data = Float32Array.from(randArray(r, 12));
      const idx = Int32Array.from([3, 0, 2]);
      const x = T.tensor(data, { shape: [4, 3] });
      const want = T.tidy(() => T.gatherRows(T.matmul(x, w), T.tensor(idx, { dtype: "int32" })));
      expect(maxRel(f.run([{ data, shape: [4, 3] }, { data: idx, shape: [3] }]), want)).toBeLessThanOrEqual(1e-6);
      x.dispose();
      want.dispose();
    }
    expect(f.captures).toBe(1);
    expect(() => f.run([{ data: new Float32Array(5), shape: [4, 3] }, { data: new Int32Array(3), shape: [3] }])).toThrow(/12 values for shape \[4, 3\]/);
    f.dispose();
  });
});

describe("padded inputs", () => {
  it("give what the explicitly padded tensor gives, values and gradients, with fewer rows after more", () => {
    const r = rng();
    const w = param(r, [3, 2]);
    // The padding rows take part (a sum over every row), so stale rows in the slot would show.
    const f = T.compile(([x]: Tensor[]) => {
      const y = T.sum(T.mul(T.matmul(x!, w), T.matmul(x!, w)));
      return { y, g: T.grad([y], [x!, w]) };
    });
    for (const n of [5, 3, 6, 2]) {
      const x = T.tensor(Float32Array.from(randArray(r, n * 3)), { shape: [n, 3], requiresGrad: true });
      const padded = T.tidy(() => T.concat([T.detach(x), T.zeros([6 - n, 3])], 0)).setRequiresGrad();
      const want = T.tidy(() => {
        const y = T.sum(T.mul(T.matmul(padded, w), T.matmul(padded, w)));
        return [y, ...T.grad([y], [padded, w])];
      });
      const got = f.run([{ tensor: x, rows: 6 }]);
      expect(got.g[0]!.shape).toEqual([6, 3]);
      [got.y, ...got.g].forEach((t, k) => expect(maxRel(t, want[k]!), `n=${n}, output ${k}`).toBeLessThanOrEqual(1e-5));
      for (const t of [x, padded, ...want]) t.dispose();
    }
    expect(f.captures).toBe(1);
    const x = T.zeros([7, 3]);
    expect(() => f.run([{ tensor: x, rows: 6 }])).toThrow(/inputs\[0\]\.rows.*got 6/);
    x.dispose();
    f.dispose();
  });
});
