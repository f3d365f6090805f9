import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";
import { expectClose, randArray, rng, toF64 } from "./helpers.js";

/** torch.optim.Adam's update in float64, for reference. */
function refAdam(p: Float64Array, gs: Float64Array[], lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean) {
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  gs.forEach((g0, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      let g = g0[i]!;
      if (decoupled) p[i]! -= lr * wd * p[i]!;
      else g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const mh = m[i]! / (1 - b1 ** t);
      const vh = v[i]! / (1 - b2 ** t);
      p[i]! -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  });
  return p;
}

function refSgd(p: Float64Array, gs: Float64Array[], lr: number, mom: number, damp: number, wd: number, nesterov: boolean) {
  const buf = new Float64Array(p.length);
  gs.forEach((g0, s) => {
    for (let i = 0; i < p.length; i++) {
      let g = g0[i]! + wd * p[i]!;
      if (mom > 0) {
        buf[i] = s === 0 ? g : mom * buf[i]! + (1 - damp) * g;
        g = nesterov ? g + mom * buf[i]! : buf[i]!;
      }
      p[i]! -= lr * g;
    }
  });
  return p;
}

describe("dense optimizers against float64 references", () => {
  it.each([
    [0, false],
    [0.01, false],
    [0.01, true],
  ] as const)("Adam (weight decay %s, decoupled %s)", (wd, decoupled) => {
    const r = rng();
    const p0 = randArray(r, 37);
    const gs = Array.from({ length: 5 }, () => randArray(r, 37));
    const p = T.tensor(p0, { dtype: "float64", requiresGrad: true });
    const opt = new T.Adam([p], { lr: 0.05, weightDecay: wd, decoupled });
    for (const g of gs) opt.step([T.tensor(g, { dtype: "float64" })]);
    expectClose(toF64(p), refAdam(Float64Array.from(p0), gs, 0.05, 0.9, 0.999, 1e-8, wd, decoupled), 1e-12, 1e-10, "adam");
    const st = opt.state();
    const opt2 = new T.Adam([T.tensor(toF64(p), { dtype: "float64" })], { lr: 0.05 });
    opt2.loadState(st);
    expect(opt2.state()).toEqual(st);
  });

  it.each([
    [0, 0, 0, false],
    [0.9, 0, 0.001, false],
    [0.9, 0.1, 0, false],
    [0.9, 0, 0, true],
  ] as const)("SGD (momentum %s, dampening %s, wd %s, nesterov %s)", (mom, damp, wd, nesterov) => {
    const r = rng();
    const p0 = randArray(r, 11);
    const gs = Array.from({ length: 4 }, () => randArray(r, 11));
    const p = T.tensor(p0, { dtype: "float64", requiresGrad: true });
    const opt = new T.SGD([p], { lr: 0.1, momentum: mom, dampening: damp, weightDecay: wd, nesterov });
    for (const g of gs) opt.step([T.tensor(g, { dtype: "float64" })]);
    expectClose(toF64(p), refSgd(Float64Array.from(p0), gs, 0.1, mom, damp, wd, nesterov), 1e-12, 1e-10, "sgd");
  });

  it("float32 Adam agrees with the float64 reference to float tolerance", () => {
    const r = rng();
    const p0 = randArray(r, 1001);
    const gs = Array.from({ length: 3 }, () => randArray(r, 1001));
    const p = T.tensor(p0, { requiresGrad: true });
    const opt = new T.Adam([p], { lr: 0.01 });
    for (const g of gs) opt.step([T.tensor(g)]);
    expectClose(toF64(p), refAdam(Float64Array.from(new Float32Array(p0)), gs.map((g) => Float64Array.from(new Float32Array(g))), 0.01, 0.9, 0.999, 1e-8, 0, false), 1e-6, 1e-5, "adam f32");
  });
});

describe("optimizer steps from flat gradient buffers", () => {
  // Gradients packed into two buckets with an offset and a scale, as the trainer hands over
  // what AllReduce reduced, against the same step on per-parameter gradients scaled first.
  for (const kind of ["Adam", "SGD"] as const) {
    it(`${kind}: flat buffers with a scale equal per-parameter gradients`, () => {
      const r = rng();
      const shapes = [[3, 5], [7], [2, 2, 2]];
      const make = (o: T.AdamOptions & T.SGDOptions, ps: T.Tensor[]) => (kind === "Adam" ? new T.Adam(ps, o) : new T.SGD(ps, o));
      const init = shapes.map((s) => randArray(r, s.reduce((a, b) => a * b, 1)));
      const a = shapes.map((s, i) => T.tensor(init[i]!, { shape: s, dtype: "float64" }));
      const b = shapes.map((s, i) => T.tensor(init[i]!, { shape: s, dtype: "float64" }));
      const opts = { lr: 0.03, weightDecay: 0.01, momentum: 0.9 };
      const oa = make(opts, a);
      const ob = make(opts, b);
      const places = [{ bucket: 0, offset: 2, length: 15 }, { bucket: 1, offset: 0, length: 7 }, { bucket: 1, offset: 7, length: 8 }];
      for (let step = 0; step < 4; step++) {
        const scale = 0.25 + r.next();
        const grads = shapes.map((s) => randArray(r, s.reduce((x, y) => x * y, 1)));
        const buf0 = new Float64Array(17);
        buf0.set(grads[0]!, 2);
        const buf1 = new Float64Array(16);
        buf1.set(grads[1]!, 0);
        buf1.set(grads[2]!, 7);
        T.tidy(() => {
          oa.step({ buffers: [T.tensor(buf0, { dtype: "float64" }), T.tensor(buf1, { dtype: "float64" })], places }, { scale });
          ob.step(grads.map((g, i) => T.tensor(g.map((x) => x * scale), { shape: shapes[i]!, dtype: "float64" })));
        });
      }
      a.forEach((t, i) => expectClose(toF64(t), toF64(b[i]!), 1e-13, 1e-12, `${kind} param ${i}`));
    });
  }

  it("rejects places that do not fit the parameters or the buffers", () => {
    const p = [T.zeros([4]), T.zeros([2, 3])];
    const opt = new T.Adam(p);
    const buf = T.zeros([10]);
    expect(() => opt.step({ buffers: [buf], places: [{ bucket: 0, offset: 0, length: 4 }] })).toThrow(/Adam\.step: expected 2 places/);
    expect(() => opt.step({ buffers: [buf], places: [{ bucket: 0, offset: 0, length: 4 }, { bucket: 0, offset: 5, length: 6 }] })).toThrow(/6 elements inside buffer 0 of 10.*grads\.places\[1\]/);
    expect(() => opt.step({ buffers: [buf], places: [{ bucket: 0, offset: 0, length: 4 }, { bucket: 1, offset: 0, length: 6 }] })).toThrow(/bucket index below 1/);
    expect(() => opt.step({ buffers: [buf], places: [{ bucket: 0, offset: 0, length: 4 }, { bucket: 0, offset: 4, length: 6 }] }, { scale: NaN })).toThrow(/options\.scale/);
    expect(opt.steps).toBe(0);
  });
});

describe("nn helpers", () => {
  it("initialisers are seeded and scaled by fan-in / fan-out", () => {
    const a = T.nn.xavierUniform([300, 200], { generator: new T.Generator(1) });
    const b = T.nn.xavierUniform([300, 200], { generator: new T.Generator(1) });
    expect(a.toList()).toEqual(b.toList());
    const bound = Math.sqrt(6 / 500);
    const v = a.toArray() as Float32Array;
    expect(Math.max(...v)).toBeLessThanOrEqual(bound);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
    const k = T.nn.kaimingNormal([400, 250], { generator: new T.Generator(2) }).toArray() as Float32Array;
    const sd = Math.sqrt(k.reduce((s, x) => s + x * x, 0) / k.length);
    expect(Math.abs(sd - Math.sqrt(2 / 250))).toBeLessThan(0.002);
    expect(a.requiresGrad).toBe(true);
  });

  it("an MLP trained with Adam fits a separable problem", () => {
    const gen = new T.Generator(11);
    const layers = T.nn.initMlp([2, 16, 1], { generator: gen });
    const params = layers.flatMap((l) => [l.w, l.b]);
    const opt = new T.Adam(params, { lr: 0.05 });
    const x = T.randn([256, 2], { generator: gen });
    const y = T.noGrad(() => T.cast(T.gt(T.mul(T.slice(x, 1, 0, 1), T.slice(x, 1, 1, 2)), 0), "float32"));
    const yv = T.reshape(y, [256, 1]);
    let loss = 1;
    for (let i = 0; i < 300; i++) {
      loss = T.tidy(() => {
        const l = T.bceWithLogits(T.nn.mlp(layers, x), yv);
        opt.step(T.grad(l, params));
        return l.item();
      });
    }
    expect(loss).toBeLessThan(0.2);
  });
});
