/** How allReduce combines the ranks' values; mean is for floating dtypes only. */
export type ReduceOp = "sum" | "mean" | "max" | "min";

/** Codes shared with native/core/dtype.h. */
export const REDUCE_CODE: Readonly<Record<ReduceOp, number>> = { sum: 0, mean: 1, max: 2, min: 3 };
