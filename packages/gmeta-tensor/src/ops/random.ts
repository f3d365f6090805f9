import type { DType } from "../dtype.js";
import { isFloat } from "../dtype.js";
import { argError } from "../errors.js";
import { RandomKind } from "../native/AddonTypes.js";
import { addon } from "../native/binding.js";
import { checkShape } from "../shape.js";
import { Tensor } from "../Tensor.js";
import { parseDevice } from "../device.js";
import { tidy } from "../memory.js";
import { cast } from "./shapeOps.js";
import { add } from "./binary.js";
import { affine, clamp } from "./unary.js";
import type { TensorOptions } from "./creation.js";

/**
 * A seeded stream of random numbers. Element i of a draw depends only on the seed and
 * the stream position, so results are the same on every run and at every thread count.
 */
export class Generator {
  private seedValue: bigint;
  private offsetValue = 0n;

  constructor(seed: number | bigint = 0) {
    this.seedValue = Generator.checkSeed(seed);
  }

  private static checkSeed(seed: number | bigint): bigint {
    if (typeof seed === "number" && !Number.isSafeInteger(seed)) throw argError("Generator", "an integer", "seed", String(seed));
    return BigInt.asUintN(64, BigInt(seed));
  }

  /** Restarts the stream from `seed`. */
  manualSeed(seed: number | bigint): this {
    this.seedValue = Generator.checkSeed(seed);
    this.offsetValue = 0n;
    return this;
  }

  get seed(): bigint {
    return this.seedValue;
  }

  /** Numbers drawn so far (the position in the stream). */
  get offset(): bigint {
    return this.offsetValue;
  }

  /** @internal Reserves n positions and returns where they start. */
  take(n: number): bigint {
    const o = this.offsetValue;
    this.offsetValue += BigInt(n);
    return o;
  }

  /** The position, to save and restore (checkpoints). */
  getState(): { seed: string; offset: string } {
    return { seed: this.seedValue.toString(), offset: this.offsetValue.toString() };
  }

  setState(s: { seed: string; offset: string }): this {
    this.seedValue = BigInt(s.seed);
    this.offsetValue = BigInt(s.offset);
    return this;
  }
}

/** The generator used when a call names none. */
export const defaultGenerator = new Generator(0);

/** Reseeds the default generator. */
export function manualSeed(seed: number | bigint): void {
  defaultGenerator.manualSeed(seed);
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

function draw(op: string, kind: RandomKind, shape: number[], a: number, b: number, opts: RandomOptions): Tensor {
  const s = checkShape(op, "shape", shape);
  const dtype: DType = opts.dtype ?? "float32";
  if (!isFloat(dtype)) throw argError(op, "float32 or float64", "dtype", dtype);
  const gen = opts.generator ?? defaultGenerator;
  const t = Tensor.alloc(s, dtype, parseDevice(op, opts.device));
  const offset = gen.take(t.numel);
  if (t.numel > 0) addon.random(kind, t.storage.native, gen.seed, offset, a, b);
  if (opts.requiresGrad) t.setRequiresGrad(true);
  return t;
}

/** Uniform samples in [low, high). */
export function rand(shape: number[], opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) throw argError("rand", "finite low <= high", "low, high", `${low}, ${high}`);
  return draw("rand", RandomKind.Uniform, shape, low, high, opts);
}

/** Normal samples with `mean` and `std`. */
export function randn(shape: number[], opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const m = opts.mean ?? 0;
  const sd = opts.std ?? 1;
  if (!(Number.isFinite(m) && Number.isFinite(sd) && sd >= 0)) throw argError("randn", "finite mean and std >= 0", "mean, std", `${m}, ${sd}`);
  return draw("randn", RandomKind.Normal, shape, m, sd, opts);
}

/** Uniform integers in [low, high) as int32 or int64. */
export function randint(low: number, high: number, shape: number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || low >= high) {
    throw argError("randint", "integers low < high", "low, high", `${low}, ${high}`);
  }
  const dtype = opts.dtype ?? "int64";
  if (dtype !== "int32" && dtype !== "int64") throw argError("randint", "int32 or int64", "dtype", dtype);
  return tidy(() => {
    const u = draw("randint", RandomKind.Uniform, shape, 0, 1, { ...opts, dtype: "float64", requiresGrad: false });
    // Truncation equals floor on non-negative values: draw in [0, n), clamp the rounding at n,
    // truncate, and only then shift by low, in integers (a negative low would truncate wrongly).
    const v = cast(clamp(affine(u, high - low, 0), 0, high - low - 1), dtype);
    return low === 0 ? v : add(v, low);
  });
}
