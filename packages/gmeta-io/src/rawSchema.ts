/** A sparse feature column: one id per sample, or a list of ids (`list: true`). Ids are int64 ≥ 0. */
export interface SparseColumn {
  name: string;
  list?: boolean;
}

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
