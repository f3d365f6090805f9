import { DataError } from "./dataError.js";
import { MAX_TABLE_ROWS, type RawSchema } from "./rawSchema.js";
import type { SampleChunk } from "./sampleChunk.js";

/**
 * Refuses ids an embedding table cannot index: in a slot without hashBuckets the table has
 * (largest id + 1) rows, at most 2^31 − 1. Names the file, the row of the largest such id in
 * the chunk and the column; `rowOf(i)` is the file row of the chunk's sample i (readers may
 * have dropped rows with bad values, so rows are not always consecutive).
 */
export function checkIdRange(chunk: SampleChunk, schema: RawSchema, file: string, rowOf: (i: number) => number): void {
  const limit = BigInt(MAX_TABLE_ROWS);
  schema.sparse.forEach((slot, s) => {
    if (slot.hashBuckets !== undefined) return;
    const { ids, offsets } = chunk.sparse[s]!;
    let worst = -1;
    for (let k = 0; k < ids.length; k++) if (ids[k]! >= limit && (worst < 0 || ids[k]! > ids[worst]!)) worst = k;
    if (worst < 0) return;
    let i = 0;
    while (offsets[i + 1]! <= worst) i++;
    throw new DataError(
      { file, row: rowOf(i), column: slot.name },
      `largest id ${ids[worst]} needs a table of more than ${MAX_TABLE_ROWS} rows (2^31 − 1, the most a table holds); set hashBuckets for "${slot.name}" in the schema to hash its ids into a table of that many rows`,
    );
  });
}
