/** Draws ids in [0, rows) with P(k) ∝ 1/(k+1)^s: a few hot ids, a long tail, as in CTR logs. */
export function zipfSampler(rows: number, s: number, seed: number): (n: number) => BigInt64Array {
  const cdf = new Float64Array(rows);
  let acc = 0;
  for (let k = 0; k < rows; k++) cdf[k] = acc += 1 / Math.pow(k + 1, s);
  for (let k = 0; k < rows; k++) cdf[k]! /= acc;
  let state = seed >>> 0 || 1;
  const rand = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return (n: number) => {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const u = rand();
      let lo = 0;
      let hi = rows - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid]! < u) lo = mid + 1;
        else hi = mid;
      }
      out[i] = BigInt(lo);
    }
    return out;
  };
}
