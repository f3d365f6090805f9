import { DataType, makeVector, type Data, type RecordBatch } from "apache-arrow";
import { textId } from "./hashStringId.js";
import { DataError } from "./dataError.js";
import { keepRows } from "./badRows.js";
import { checkIdRange } from "./checkIdRange.js";
import { defaultChecks } from "./readChecks.js";
import { checkFloat32, checkLabel } from "./fieldParsers.js";
import type { RawSchema } from "./rawSchema.js";
import type { SampleChunk } from "./sampleChunk.js";

type Num = ArrayLike<number | bigint>;

/**
 * Reads the schema's columns out of one Arrow record batch, checking types and values.
 * `rowBase` is the number of rows before this batch in the file, so errors name file rows.
 */
export function arrowBatchToChunk(batch: RecordBatch, schema: RawSchema, file: string, rowBase: number, checks = defaultChecks()): SampleChunk {
  const { bad, unlabelled } = checks;
  const n = batch.numRows;
  // Rows with a bad value, dropped at the end when the policy says skip (else the check throws).
  let drop: Uint8Array | null = null;
  const value = (check: () => number, i: number): number => {
    try {
      return check();
    } catch (e) {
      if (drop?.[i]) return 0;
      bad.absorb(e);
      (drop ??= new Uint8Array(n))[i] = 1;
      return 0;
    }
  };
  const column = (name: string, nullable = false): Data => {
    const k = batch.schema.fields.findIndex((f) => f.name === name);
    if (k < 0) {
      const have = batch.schema.fields.map((f) => f.name).join(", ");
      throw new DataError({ file, row: "schema", column: name }, `missing column (the file has: ${have})`);
    }
    const d = batch.data.children[k]!;
    if (d.nullCount > 0 && !nullable) {
      for (let i = 0; i < n; i++) {
        if (!d.getValid(i)) throw new DataError({ file, row: rowBase + i + 1, column: name }, "null value");
      }
    }
    return d;
  };
  const numeric = (name: string, d: Data, want: "int" | "number"): Num => {
    const ok = want === "int" ? DataType.isInt(d.type) : DataType.isInt(d.type) || DataType.isFloat(d.type);
    if (!ok || DataType.isFloat(d.type) && (d.type as { precision: number }).precision === 0) {
      const what = want === "int" ? "an integer column" : "a numeric column";
      throw new DataError({ file, row: "schema", column: name }, `expected ${what}, got ${String(d.type)}`);
    }
    return (d.values as Num & { subarray(a: number, b: number): Num }).subarray(d.offset, d.offset + d.length);
  };

  const taskD = column(schema.taskKey);
  const taskV = numeric(schema.taskKey, taskD, "int");
  const task = taskV instanceof BigInt64Array ? taskV.slice() : BigInt64Array.from(taskV as ArrayLike<number>, (x) => BigInt(x));

  const labD = column(schema.label, unlabelled);
  const labV = numeric(schema.label, labD, "number");
  const label = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Unlabelled rows (null or NaN) read as NaN where the caller accepts them.
    const missing = unlabelled && (!labD.getValid(i) || Number.isNaN(Number(labV[i])));
    label[i] = missing ? NaN : value(() => checkLabel(Number(labV[i]), file, rowBase + i + 1, schema.label), i);
  }

  const D = schema.dense.length;
  const dense = new Float32Array(n * D);
  schema.dense.forEach((name, j) => {
    const v = numeric(name, column(name), "number");
    for (let i = 0; i < n; i++) {
      dense[i * D + j] = value(() => checkFloat32(Number(v[i]), file, rowBase + i + 1, name), i);
    }
  });

  // Ids of a hashed slot may be strings: each becomes an int64 by textId, as in CSV.
  const idValues = (slot: RawSchema["sparse"][number], d: Data, from: number, to: number): BigInt64Array => {
    const utf8 = (t: DataType): boolean => DataType.isUtf8(t) || DataType.isLargeUtf8(t);
    // Dictionary-encoded strings too (what pandas categories and tableFromArrays write).
    if (slot.hashBuckets !== undefined && (utf8(d.type) || (DataType.isDictionary(d.type) && utf8((d.type as { dictionary: DataType }).dictionary)))) {
      const v = makeVector(d);
      return BigInt64Array.from({ length: to - from }, (_, k) => textId(String(v.get(from + k))));
    }
    const cv = numeric(slot.name, d, "int");
    return toBigInt((cv as unknown as { subarray(a: number, b: number): Num }).subarray(from, to));
  };
  const sparse = schema.sparse.map((slot) => {
    const d = column(slot.name);
    let ids: BigInt64Array;
    let offsets: Int32Array;
    if (slot.list) {
      if (!DataType.isList(d.type)) {
        throw new DataError({ file, row: "schema", column: slot.name }, `expected a list of integer ids, got ${String(d.type)}`);
      }
      const vo = d.valueOffsets as Int32Array;
      const child = d.children[0]!;
      const base = vo[d.offset]!;
      const end = vo[d.offset + n]!;
      ids = idValues(slot, child, base, end);
      offsets = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) offsets[i] = vo[d.offset + i]! - base;
    } else {
      ids = idValues(slot, d, 0, n);
      offsets = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) offsets[i] = i;
    }
    for (let k = 0; k < ids.length && slot.hashBuckets === undefined; k++) {
      if (ids[k]! < 0n) {
        let i = 0;
        while (offsets[i + 1]! <= k) i++;
        throw new DataError({ file, row: rowBase + i + 1, column: slot.name }, `expected an id ≥ 0, got ${ids[k]}`);
      }
    }
    return { ids, offsets };
  });

  let timestamp: Float64Array | null = null;
  if (schema.timestamp) {
    const d = column(schema.timestamp);
    const v = DataType.isTimestamp(d.type) || DataType.isDate(d.type)
      ? (d.values as Num & { subarray(a: number, b: number): Num }).subarray(d.offset, d.offset + n)
      : numeric(schema.timestamp, d, "number");
    const name = schema.timestamp;
    timestamp = Float64Array.from({ length: n }, (_, i) => value(() => checkFloat32(Number(v[i]), file, rowBase + i + 1, name), i));
  }
  const all = { n, task, label, dense, sparse, timestamp };
  if (!drop) {
    if (checks.idRange) checkIdRange(all, schema, file, (i) => rowBase + i + 1);
    return all;
  }
  const kept = keepRows(all, drop);
  if (checks.idRange) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (!drop[i]) rows.push(rowBase + i + 1);
    checkIdRange(kept, schema, file, (i) => rows[i]!);
  }
  return kept;
}

function toBigInt(v: Num): BigInt64Array {
  if (v instanceof BigInt64Array) return v.slice();
  if (v instanceof BigUint64Array) return BigInt64Array.from(v, (x) => BigInt.asIntN(64, x));
  return BigInt64Array.from(v as ArrayLike<number>, (x) => BigInt(x));
}
