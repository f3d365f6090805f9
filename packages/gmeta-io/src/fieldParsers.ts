import { DataError } from "./dataError.js";
import { textId } from "./hashStringId.js";

/** Parses a task key (any int64). */
export function parseTaskField(text: string, file: string, row: number, column: string): bigint {
  return parseInt64(text, file, row, column, "a task key (integer)");
}

/**
 * Parses a sparse id: an int64 ≥ 0; in a hashed slot any int64, or any other text as a string
 * id (hashStringId).
 */
export function parseIdField(text: string, file: string, row: number, column: string, hashed = false): bigint {
  if (hashed) return textId(text);
  const v = parseInt64(text, file, row, column, "an integer id (set hashBuckets for the column in the schema to hash string ids)");
  if (v < 0n) throw new DataError({ file, row, column }, `expected an id ≥ 0, got ${v} (set hashBuckets for the column in the schema to hash any int64 or string ids)`);
  return v;
}

/** Parses a label, which must be a number in [0, 1] (NaN rejected). */
export function parseLabelField(text: string, file: string, row: number, column: string): number {
  const v = parseNumber(text, file, row, column);
  return checkLabel(v, file, row, column);
}

/** Throws unless v is a usable label. */
export function checkLabel(v: number, file: string, row: number, column: string): number {
  if (!(v >= 0 && v <= 1)) throw new BadValueError({ file, row, column }, `expected a label in [0, 1], got ${v}`);
  return v;
}

/** The largest finite float32; a larger magnitude is stored as an infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A value that is NaN, infinite or beyond float32's range: the rows `onBadRow: "skip"` may drop. */
export class BadValueError extends DataError {
  override name = "BadValueError";
}

/** Throws a BadValueError unless v is finite and within float32's range. */
export function checkFloat32(v: number, file: string, row: number, column: string): number {
  if (!Number.isFinite(v)) throw new BadValueError({ file, row, column }, `expected a finite number, got ${v}`);
  if (Math.abs(v) > FLOAT32_MAX) throw new BadValueError({ file, row, column }, `expected a number within float32's range (|x| <= 3.4028235e38), got ${v}`);
  return v;
}

/** Parses a finite float within float32's range (dense features and timestamps). */
export function parseFloat32Field(text: string, file: string, row: number, column: string): number {
  return checkFloat32(parseNumber(text, file, row, column), file, row, column);
}

function parseNumber(text: string, file: string, row: number, column: string): number {
  const t = text.trim();
  const v = Number(t);
  if (t.length === 0 || (Number.isNaN(v) && t !== "NaN" && t !== "nan")) {
    throw new DataError({ file, row, column }, `expected a number, got ${JSON.stringify(text)}`);
  }
  return v;
}

function parseInt64(text: string, file: string, row: number, column: string, what: string): bigint {
  const t = text.trim();
  const v = Number(t);
  if (Number.isSafeInteger(v) && t.length > 0) return BigInt(v);
  if (/^-?\d+$/.test(t)) {
    const big = BigInt(t);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return big;
  }
  throw new DataError({ file, row, column }, `expected ${what}, got ${JSON.stringify(text)}`);
}
