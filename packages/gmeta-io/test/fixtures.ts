import type { RawSchema, SampleChunk } from "../src/index.js";

/** A schema with every column kind: task, label, two dense, a single and a list slot, a timestamp. */
export const smallSchema: RawSchema = {
  taskKey: "task",
  label: "y",
  dense: ["a", "b"],
  sparse: [{ name: "item" }, { name: "tags", list: true }],
  timestamp: "ts",
};

/** Four samples with edge values (negative and huge keys, -0, an empty list, the largest int64 id). */
export function smallChunk(): SampleChunk {
  return {
    n: 4,
    task: BigInt64Array.from([7n, 7n, -3n, 9007199254740993n]),
    label: Float32Array.from([1, 0, 0, 1]),
    dense: Float32Array.from([0.1, -2.5, 3, 4, 1e-7, 0, -0, 123456.789]),
    sparse: [
      { ids: BigInt64Array.from([5n, 6n, 0n, 9223372036854775807n]), offsets: Int32Array.from([0, 1, 2, 3, 4]) },
      { ids: BigInt64Array.from([1n, 2n, 3n, 4n]), offsets: Int32Array.from([0, 2, 2, 3, 4]) },
    ],
    timestamp: Float64Array.from([10, 20, 5, 1.5]),
  };
}

