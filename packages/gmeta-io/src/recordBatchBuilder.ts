import { Field, FixedSizeList, Float32, Float64, Int64, List, RecordBatch, Schema, Struct, Uint8, makeData, type Data } from "apache-arrow";

/**
 * One Arrow record batch of `n` rows built column by column over the caller's arrays (no copy),
 * every field non-nullable: the raw-table writer and the part / spill-run layout both write this way.
 */
export class RecordBatchBuilder {
  private readonly fields: Field[] = [];
  private readonly children: Data[] = [];
  constructor(private readonly n: number) {}

  private add(name: string, data: Data): void {
    this.fields.push(new Field(name, data.type, false));
    this.children.push(data);
  }

  int64(name: string, values: BigInt64Array): void {
    this.add(name, makeData({ type: new Int64(), length: this.n, data: values }));
  }

  uint8(name: string, values: Uint8Array): void {
    this.add(name, makeData({ type: new Uint8(), length: this.n, data: values }));
  }

  float32(name: string, values: Float32Array): void {
    this.add(name, makeData({ type: new Float32(), length: this.n, data: values }));
  }

  float64(name: string, values: Float64Array): void {
    this.add(name, makeData({ type: new Float64(), length: this.n, data: values }));
  }

  /** FixedSizeList<Float32, dim>: `dim` values a row, row after row. */
  float32Vectors(name: string, dim: number, values: Float32Array, item: string): void {
    const child = makeData({ type: new Float32(), length: this.n * dim, data: values });
    this.add(name, makeData({ type: new FixedSizeList(dim, new Field(item, new Float32(), false)), length: this.n, child }));
  }

  /** List<Int64>: row i holds ids[offsets[i] .. offsets[i + 1]). */
  int64Lists(name: string, ids: BigInt64Array, offsets: Int32Array, item: string): void {
    const child = makeData({ type: new Int64(), length: ids.length, data: ids });
    this.add(name, makeData({ type: new List(new Field(item, new Int64(), false)), length: this.n, valueOffsets: offsets, child }));
  }

  build(): RecordBatch {
    return new RecordBatch(new Schema(this.fields), makeData({ type: new Struct(this.fields), length: this.n, children: this.children }));
  }
}
