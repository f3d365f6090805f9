import { promises as fsp } from "node:fs";
import { Field, Float32, Int64, RecordBatch, Schema, Struct, Table, makeData, tableFromIPC, tableToIPC } from "apache-arrow";
import { writeFileAtomic } from "./atomicFile.js";
import { parquetWasm } from "./parquetWasm.js";
import { formatOf, type RawFormat } from "./rawFormat.js";

/** Scored rows: the task key, the row's 1-based position in its input file, and the score. */
export interface ScoreRows {
  /** Name of the task key column (the schema's taskKey). */
  taskColumn: string;
  task: BigInt64Array;
  row: BigInt64Array;
  score: Float32Array;
}

function toTable(s: ScoreRows): Table {
  const n = s.task.length;
  if (s.row.length !== n || s.score.length !== n) {
    throw new Error(`writeScores: expected ${n} rows for row and score (as many as task), got ${s.row.length} and ${s.score.length}`);
  }
  const fields = [new Field(s.taskColumn, new Int64(), false), new Field("row", new Int64(), false), new Field("score", new Float32(), false)];
  const children = [
    makeData({ type: new Int64(), length: n, data: s.task }),
    makeData({ type: new Int64(), length: n, data: s.row }),
    makeData({ type: new Float32(), length: n, data: s.score }),
  ];
  return new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, children }))]);
}

/**
 * Writes scored rows as CSV (header `task,row,score`; scores printed so they read back to the
 * same float32), Arrow IPC or Parquet, by the file's extension; the file appears only when complete.
 */
export async function writeScores(file: string, rows: ScoreRows, format: RawFormat = formatOf(file)): Promise<void> {
  if (format === "csv") {
    const lines = [`${rows.taskColumn},row,score`];
    for (let i = 0; i < rows.task.length; i++) lines.push(`${rows.task[i]},${rows.row[i]},${rows.score[i]}`);
    await writeFileAtomic(file, `${lines.join("\n")}\n`);
    return;
  }
  const table = toTable(rows);
  if (format === "arrow") {
    await writeFileAtomic(file, tableToIPC(table, "file"));
    return;
  }
  const pw = parquetWasm();
  await writeFileAtomic(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, "stream")), new pw.WriterPropertiesBuilder().build()));
}

/** Reads a file written by {@link writeScores} back (for checks and tests). */
export async function readScores(file: string, format: RawFormat = formatOf(file)): Promise<ScoreRows> {
  if (format === "csv") {
    const lines = (await fsp.readFile(file, "utf8")).trim().split("\n");
    const taskColumn = lines[0]!.split(",")[0]!;
    const body = lines.slice(1).map((l) => l.split(","));
    return {
      taskColumn,
      task: BigInt64Array.from(body, (f) => BigInt(f[0]!)),
      row: BigInt64Array.from(body, (f) => BigInt(f[1]!)),
      score: Float32Array.from(body, (f) => Number(f[2]!)),
    };
  }
  const bytes = new Uint8Array(await fsp.readFile(file));
  const table = format === "arrow" ? tableFromIPC(bytes) : tableFromIPC(parquetWasm().readParquet(bytes).intoIPCStream());
  const name = table.schema.fields[0]!.name;
  const col = (k: string) => table.getChild(k)!.toArray() as unknown;
  return {
    taskColumn: name,
    task: BigInt64Array.from(col(name) as BigInt64Array),
    row: BigInt64Array.from(col("row") as BigInt64Array),
    score: Float32Array.from(col("score") as Float32Array),
  };
}
