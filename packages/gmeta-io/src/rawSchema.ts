/**
 * A sparse feature column: one id per sample, or a list of ids (`list: true`). Ids are int64 ≥ 0
 * and index a table of (largest id + 1) rows, at most 2^31 − 1; with `hashBuckets` the ids may
 * be any int64 or strings, and the slot's table has `hashBuckets` rows into which ids are hashed
 * (a string id becomes an int64 by `hashStringId`, FNV-1a 64 of its UTF-8 bytes; an int64 id
 * goes to row SplitMix64-finaliser(id) mod hashBuckets, @gmeta/embedding's `hashId`).
 */
export interface SparseColumn {
  name: string;
  list?: boolean;
  /** Rows of the slot's hashed table; ids are hashed into them instead of indexing rows. */
  hashBuckets?: number;
}

/** The most rows an embedding table holds (rows are indexed by int32). */
export const MAX_TABLE_ROWS = 2 ** 31 - 1;

/**
 * How raw samples are laid out: which column names the task (an int64 key), the label (0/1),
 * the dense float features, the sparse id features and, optionally, a timestamp used to split
 * each task into support (earlier) and query (later).
 */
export interface RawSchema {
  taskKey: string;
  label: string;
  dense: string[];
  sparse: SparseColumn[];
  timestamp?: string;
}

/** Throws unless `schema` is well formed (names present and distinct). */
export function validateSchema(schema: RawSchema): RawSchema {
  const fail = (what: string): never => {
    throw new Error(`schema: ${what}`);
  };
  if (typeof schema !== "object" || schema === null) fail("expected an object");
  if (typeof schema.taskKey !== "string" || !schema.taskKey) fail("expected a column name for taskKey");
  if (typeof schema.label !== "string" || !schema.label) fail("expected a column name for label");
  if (!Array.isArray(schema.dense)) fail("expected an array of column names for dense");
  if (!Array.isArray(schema.sparse)) fail("expected an array of { name, list? } for sparse");
  for (const s of schema.sparse) {
    const h = (s as SparseColumn | undefined)?.hashBuckets;
    if (h !== undefined && !(Number.isSafeInteger(h) && h >= 1 && h <= MAX_TABLE_ROWS)) {
      fail(`expected an integer in [1, ${MAX_TABLE_ROWS}] for hashBuckets of column "${s.name}", got ${JSON.stringify(h)}`);
    }
  }
  const names = schemaColumns(schema);
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== "string" || !n) fail(`expected non-empty column names, got ${JSON.stringify(n)}`);
    if (seen.has(n)) fail(`column "${n}" is named twice`);
    seen.add(n);
  }
  return schema;
}

/** Every column the schema reads, in a fixed order. */
export function schemaColumns(schema: RawSchema): string[] {
  return [
    schema.taskKey,
    schema.label,
    ...schema.dense,
    ...schema.sparse.map((s) => s.name),
    ...(schema.timestamp ? [schema.timestamp] : []),
  ];
}
