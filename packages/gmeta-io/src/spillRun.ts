import { closeSync, openSync, promises as fsp, writeSync } from "node:fs";
import { Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { decodePartBatch, encodePartBatch, type PartColumns } from "./partLayout.js";
import type { SampleChunk } from "./sampleChunk.js";

/** Rows per batch of a spill run: small, so a merge holds one small batch per run. */
export const RUN_BATCH = 16384;

/**
 * A spill run: sorted samples as a sequence of frames, each an 8-byte length then one
 * self-contained Arrow IPC stream of one batch. Frames are written as they are made, so
 * writing a run never holds more than one batch of it.
 */
export class RunWriter {
  private fd: number;

  constructor(
    readonly file: string,
    private readonly slotNames: string[],
    private readonly denseDim: number,
  ) {
    this.fd = openSync(file, "w");
  }

  write(chunk: SampleChunk, seq: Float64Array): void {
    const bytes = tableToIPC(new Table([encodePartBatch(chunk, this.slotNames, this.denseDim, undefined, seq)]), "stream");
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(bytes.length));
    writeSync(this.fd, head);
    writeSync(this.fd, bytes);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads a run back one frame (batch) at a time. */
export async function* readRun(file: string, slotNames: string[], denseDim: number): AsyncGenerator<PartColumns> {
  const fh = await fsp.open(file);
  try {
    const head = Buffer.alloc(8);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(head, 0, 8, pos);
      if (bytesRead === 0) return;
      const len = Number(head.readBigUInt64LE(0));
      const body = Buffer.alloc(len);
      await fh.read(body, 0, len, pos + 8);
      pos += 8 + len;
      const batch = tableFromIPC(body).batches[0];
      if (batch && batch.numRows > 0) yield decodePartBatch(batch, slotNames, denseDim);
    }
  } finally {
    await fh.close();
  }
}
