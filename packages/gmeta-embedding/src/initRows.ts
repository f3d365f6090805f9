import { Generator, rand, randn } from "@gmeta/tensor";

import type { ResolvedTable } from "./TableConfig.js";

/**
 * Initial values of rows [rowStart, rowStart + count) of a table. Each element is drawn at
 * stream position row·dim + col of the table's seed, so any shard of the table starts
 * exactly as the same rows of the whole table do.
 */
export function initRows(t: ResolvedTable, rowStart: number, count: number): Float32Array {
  const out = new Float32Array(count * t.dim);
  if (count === 0 || t.init === "zeros") return out;
  const seeded = new Generator(t.seed);
  const generator = seeded.setState({ seed: seeded.seed.toString(), offset: String(rowStart * t.dim) });
  const shape = [count, t.dim];
  const init = t.init;
  const bound = 1 / Math.sqrt(t.rows);
  const x =
    init === "uniform"
      ? rand(shape, { generator, low: -bound, high: bound })
      : init === "normal"
        ? randn(shape, { generator })
        : init.kind === "uniform"
          ? rand(shape, { generator, low: init.low, high: init.high })
          : randn(shape, { generator, mean: init.mean ?? 0, std: init.std });
  try {
    out.set(x.hostView() as Float32Array);
  } finally {
    x.dispose();
  }
  return out;
}
