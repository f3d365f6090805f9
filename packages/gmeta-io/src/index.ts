export { auc } from "./auc.js";
export { DataError, formatLocation, type DataLocation } from "./dataError.js";
export { formatOf, type RawFormat } from "./rawFormat.js";
export { schemaColumns, validateSchema, type RawSchema, type SparseColumn } from "./rawSchema.js";
export { readRaw, type ReadRawOptions } from "./readRaw.js";
export { writeRawFile } from "./rawWriter.js";
export { Rng } from "./rng.js";
export type { SampleChunk, SlotIds } from "./sampleChunk.js";
export { synthesize, syntheticSchema, type SynthesizeOptions, type SynthesizeResult } from "./synthesize.js";
