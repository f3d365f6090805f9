import { BadValueError } from "./fieldParsers.js";
import { SampleChunkBuilder, type SampleChunk } from "./sampleChunk.js";

/** What a reader does with a row holding NaN, an infinity or a value beyond float32's range. */
export type OnBadRow = "fail" | "skip";

/** The policy and the tally of one read: rows dropped, and where the first one was. */
export class BadRows {
  skipped = 0;
  first: string | undefined;
  constructor(readonly policy: OnBadRow = "fail") {
    if (policy !== "fail" && policy !== "skip") throw new Error(`prepare: expected "fail" or "skip" for onBadRow, got ${JSON.stringify(policy)}`);
  }

  /** Rethrows `e` unless it is a bad value and the policy drops such rows (then counts it). */
  absorb(e: unknown): void {
    if (this.policy !== "skip" || !(e instanceof BadValueError)) throw e;
    this.skipped++;
    this.first ??= e.message;
  }
}

/** The rows of `chunk` whose `drop` flag is 0. */
export function keepRows(chunk: SampleChunk, drop: Uint8Array): SampleChunk {
  const b = new SampleChunkBuilder(chunk.dense.length / Math.max(1, chunk.n), chunk.sparse.length, chunk.timestamp !== null, chunk.n);
  for (let i = 0; i < chunk.n; i++) if (!drop[i]) b.appendRow(chunk, i);
  return b.build();
}
