import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";

const cpuBytes = () => T.memory().cpu ?? 0;

describe("memory: handles, tidy, dispose", () => {
  it("dispose frees native bytes; reshape views share memory until the last one goes", () => {
    const before = cpuBytes();
    const a = T.zeros([1024, 256]);
    expect(cpuBytes() - before).toBe(1024 * 256 * 4);
    const v = T.reshape(a, [256, 1024]);
    a.dispose();
    expect(cpuBytes() - before).toBe(1024 * 256 * 4);
    expect(v.toArray().length).toBe(1024 * 256);
    v.dispose();
    expect(cpuBytes()).toBe(before);
    expect(a.disposed).toBe(true);
  });

  it("tidy disposes what it created except what it returns (nested, arrays, objects)", () => {
    const before = cpuBytes();
    const keep = T.tidy(() => {
      const x = T.ones([100]);
      const inner = T.tidy(() => {
        const y = T.mul(x, 2);
        T.exp(y);
        return { y };
      });
      return [inner.y, T.add(inner.y, x)];
    });
    expect(keep[0]!.disposed).toBe(false);
    expect(keep[1]!.toList()).toEqual(new Array(100).fill(3));
    keep.forEach((t) => t.dispose());
    expect(cpuBytes()).toBe(before);
  });

  it("tidy cleans up when fn throws", () => {
    const before = cpuBytes();
    expect(() =>
      T.tidy(() => {
        T.ones([1000]);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(cpuBytes()).toBe(before);
  });

  it("captureTensors hands over every tensor made, graph intermediates included, and frees them if fn throws", () => {
    const before = cpuBytes();
    const x = T.tensor([1, 2, 3, 4], { shape: [4, 1], requiresGrad: true });
    const off = T.tensor([0, 1, 4], { dtype: "int32" });
    // segmentMean under autograd makes a sum and a scale the graph keeps for backward.
    const { result, created } = T.captureTensors(() => T.segmentMean(x, off));
    expect(created).toContain(result);
    expect(created.length).toBeGreaterThan(1);
    const g = T.tidy(() => T.grad(T.sum(result), [x])[0]);
    expect(g!.toList()).toEqual([[1], [Math.fround(1 / 3)], [Math.fround(1 / 3)], [Math.fround(1 / 3)]]);
    for (const t of [...created, g!, x, off]) t.dispose();
    expect(cpuBytes()).toBe(before);
    expect(() => T.captureTensors(() => {
      T.zeros([64]);
      throw new Error("boom");
    })).toThrow("boom");
    expect(cpuBytes()).toBe(before);
  });

  it("tidyAsync frees what its scope made and adopted across awaits, except its result; Scope refuses use after dispose", async () => {
    const before = cpuBytes();
    const turn = () => new Promise<void>((r) => setImmediate(r));
    const seen: T.Tensor[] = [];
    const stop = T.watchTensors((t) => seen.push(t));
    const out = await T.tidyAsync(async (s) => {
      const a = s.run(() => T.tidy(() => T.mul(T.ones([256]), 2)));
      await turn();
      // Made after an await, outside run: only adopt gives it an owner.
      const b = s.adopt(T.add(a, 1));
      await turn();
      return { sum: s.run(() => T.add(a, b)) };
    });
    stop();
    expect(out.sum.toList()).toEqual(new Array(256).fill(5));
    expect(seen.filter((t) => !t.disposed)).toEqual([out.sum]);
    out.sum.dispose();
    expect(cpuBytes()).toBe(before);
    await expect(T.tidyAsync(async (s) => {
      s.run(() => T.zeros([64]));
      await turn();
      throw new Error("boom");
    })).rejects.toThrow("boom");
    expect(cpuBytes()).toBe(before);
    const s = new T.Scope();
    s.run(() => T.zeros([8]));
    s.dispose();
    expect(cpuBytes()).toBe(before);
    expect(() => s.run(() => 1)).toThrow(/Scope.run: expected an open scope, got one already disposed/);
  });

  it("optimizer state survives the tidy it was created in", () => {
    const p = T.ones([4], { requiresGrad: true });
    const opt = T.tidy(() => new T.Adam([p], { lr: 0.1 }));
    T.tidy(() => opt.step([T.ones([4])]));
    T.tidy(() => opt.step([T.ones([4])]));
    expect(opt.steps).toBe(2);
    opt.dispose();
  });

  // A training loop awaits its data and collectives between steps; Node-API runs the
  // finalizers of collected handles when the event loop turns, so the loop yields as one does.
  it("10,000 training steps of a small MLP inside tidy keep native bytes and RSS flat", async () => {
    const turn = () => new Promise<void>((r) => setImmediate(r));
    const gen = new T.Generator(7);
    const layers = T.nn.initMlp([16, 32, 1], { generator: gen });
    const params = layers.flatMap((l) => [l.w, l.b]);
    const opt = new T.Adam(params, { lr: 1e-3 });
    const x = T.randn([64, 16], { generator: gen });
    const y = T.noGrad(() => T.cast(T.gt(T.sum(x, 1, true), 0), "float32"));
    const step = () =>
      T.tidy(() => {
        const loss = T.bceWithLogits(T.nn.mlp(layers, x), y);
        opt.step(T.grad(loss, params));
        return loss.item();
      });
    for (let i = 0; i < 500; i++) {
      step();
      await turn();
    }
    global.gc?.();
    const bytes0 = cpuBytes();
    const rss0 = process.memoryUsage().rss;
    let last = 0;
    for (let i = 0; i < 10_000; i++) {
      last = step();
      await turn();
    }
    global.gc?.();
    const rss1 = process.memoryUsage().rss;
    console.info(`RSS after warm-up ${(rss0 / 2 ** 20).toFixed(1)} MiB, after 10k steps ${(rss1 / 2 ** 20).toFixed(1)} MiB; final loss ${last.toFixed(4)}`);
    expect(cpuBytes()).toBe(bytes0);
    // Bounded growth: V8 heap noise only, far below what one leaked step per iteration would cost.
    expect(rss1 - rss0).toBeLessThan(32 * 2 ** 20);
    expect(last).toBeLessThan(0.5);
  });
});
