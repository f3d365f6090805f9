/** Unique ids in first-seen order and, for every input id, its position among them. */
export interface Unique {
  ids: BigInt64Array;
  inverse: Int32Array;
}

/** 32-bit words of an int64 array (low word first on little-endian machines), without copying. */
function words(a: BigInt64Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

/**
 * Deduplicates ids (unique + inverse), keeping first-seen order so results are
 * deterministic. An open-addressing table over the ids' two 32-bit words: no BigInt is
 * created per id, which a Map<bigint, …> would do for every element read.
 */
export function unique(...lists: BigInt64Array[]): Unique {
  const total = lists.reduce((a, l) => a + l.length, 0);
  const inverse = new Int32Array(total);
  let cap = 16;
  while (cap < total * 2) cap *= 2;
  const mask = cap - 1;
  // slot → unique index + 1 (0: empty); the unique ids' words are kept in first-seen order.
  const table = new Int32Array(cap);
  const outWords = new Int32Array(Math.max(2, total * 2));
  let u = 0;
  let k = 0;
  for (const l of lists) {
    const w = words(l);
    for (let i = 0; i < l.length; i++) {
      const lo = w[2 * i]!;
      const hi = w[2 * i + 1]!;
      let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
      h ^= h >>> 15;
      let s = h & mask;
      for (;;) {
        const e = table[s]!;
        if (e === 0) {
          table[s] = ++u;
          outWords[2 * (u - 1)] = lo;
          outWords[2 * (u - 1) + 1] = hi;
          inverse[k++] = u - 1;
          break;
        }
        if (outWords[2 * (e - 1)] === lo && outWords[2 * (e - 1) + 1] === hi) {
          inverse[k++] = e - 1;
          break;
        }
        s = (s + 1) & mask;
      }
    }
  }
  return { ids: new BigInt64Array(outWords.buffer, 0, u).slice(), inverse };
}
