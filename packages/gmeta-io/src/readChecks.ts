import { BadRows } from "./badRows.js";

/** What a reader checks beyond the schema's types, and how it treats rows that fail. */
export interface ReadChecks {
  /** Rows with NaN, infinities or values beyond float32: fail, or drop and count. */
  bad: BadRows;
  /** Rows may lack a label (an empty CSV field, null, or NaN); their label reads as NaN. */
  unlabelled: boolean;
  /** Refuse ids a table without hashBuckets cannot index (what prepare makes tables of). */
  idRange: boolean;
}

/** Fail on bad values, every row labelled, any int64 id ≥ 0. */
export function defaultChecks(over: Partial<ReadChecks> = {}): ReadChecks {
  return { bad: new BadRows(), unlabelled: false, idRange: false, ...over };
}
