/** Unique ids in first-seen order and, for every input id, its position among them. */
export interface Unique {
  ids: BigInt64Array;
  inverse: Int32Array;
}

/** Deduplicates ids (unique + inverse), keeping first-seen order so results are deterministic. */
export function unique(...lists: BigInt64Array[]): Unique {
  const pos = new Map<bigint, number>();
  const total = lists.reduce((a, l) => a + l.length, 0);
  const inverse = new Int32Array(total);
  const out: bigint[] = [];
  let k = 0;
  for (const l of lists) {
    for (const id of l) {
      let p = pos.get(id);
      if (p === undefined) {
        p = out.length;
        pos.set(id, p);
        out.push(id);
      }
      inverse[k++] = p;
    }
  }
  return { ids: BigInt64Array.from(out), inverse };
}
