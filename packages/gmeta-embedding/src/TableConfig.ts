import { argError, describe } from "./errors.js";

/** How a table's rows start: a name, or a distribution with its parameters. */
export type EmbeddingInit =
  | "uniform"
  | "normal"
  | "zeros"
  | { kind: "uniform"; low: number; high: number }
  | { kind: "normal"; mean?: number; std: number };

/** One embedding table: `rows` × `dim` float32, ids either in [0, rows) or hashed into rows. */
export interface TableConfig {
  name: string;
  rows: number;
  dim: number;
  /** Default "uniform": U(−1/√rows, 1/√rows), TorchRec's default. */
  init?: EmbeddingInit;
  /** Seed of the initial values; row r depends only on (seed, r), never on sharding. */
  seed?: number;
  /** Map any int64 id into the rows with `hashId` instead of rejecting ids outside [0, rows). */
  hash?: boolean;
}

/** A validated table config with defaults filled in. */
export interface ResolvedTable {
  readonly name: string;
  readonly rows: number;
  readonly dim: number;
  readonly init: EmbeddingInit;
  readonly seed: number;
  readonly hash: boolean;
}

/** Rows index as int32 on the wire and in the kernels. */
export const MAX_ROWS = 2 ** 31 - 1;

function checkInit(op: string, name: string, init: unknown): EmbeddingInit {
  if (init === undefined) return "uniform";
  if (init === "uniform" || init === "normal" || init === "zeros") return init;
  if (typeof init === "object" && init !== null) {
    const o = init as Record<string, unknown>;
    const finite = (k: string): boolean => typeof o[k] === "number" && Number.isFinite(o[k]);
    if (o.kind === "uniform" && finite("low") && finite("high") && (o.low as number) <= (o.high as number)) {
      return { kind: "uniform", low: o.low as number, high: o.high as number };
    }
    if (o.kind === "normal" && finite("std") && (o.std as number) >= 0 && (o.mean === undefined || finite("mean"))) {
      return { kind: "normal", mean: (o.mean as number | undefined) ?? 0, std: o.std as number };
    }
  }
  throw argError(op, '"uniform", "normal", "zeros", {kind:"uniform",low,high} or {kind:"normal",std}', `init of table "${name}"`, describe(init));
}

/** Checks a table config and fills its defaults; errors name the table. */
export function resolveTable(op: string, cfg: TableConfig): ResolvedTable {
  if (typeof cfg !== "object" || cfg === null) throw argError(op, "a table config object", "table", describe(cfg));
  const name = cfg.name;
  if (typeof name !== "string" || name.length === 0 || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw argError(op, "a non-empty name of letters, digits, '_', '.' or '-'", "table name", describe(name));
  }
  if (!Number.isSafeInteger(cfg.rows) || cfg.rows < 1 || cfg.rows > MAX_ROWS) {
    throw argError(op, `an integer in [1, ${MAX_ROWS}]`, `rows of table "${name}"`, describe(cfg.rows));
  }
  if (!Number.isSafeInteger(cfg.dim) || cfg.dim < 1) {
    throw argError(op, "a positive integer", `dim of table "${name}"`, describe(cfg.dim));
  }
  const seed = cfg.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw argError(op, "an integer", `seed of table "${name}"`, describe(cfg.seed));
  if (cfg.hash !== undefined && typeof cfg.hash !== "boolean") {
    throw argError(op, "a boolean", `hash of table "${name}"`, describe(cfg.hash));
  }
  return { name, rows: cfg.rows, dim: cfg.dim, init: checkInit(op, name, cfg.init), seed, hash: cfg.hash ?? false };
}

/** Checks a list of tables: valid each, names unique. */
export function resolveTables(op: string, tables: readonly TableConfig[]): ResolvedTable[] {
  if (!Array.isArray(tables) || tables.length === 0) throw argError(op, "a non-empty array of table configs", "tables", describe(tables));
  const out = tables.map((t) => resolveTable(op, t));
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.name)) throw argError(op, "unique table names", "tables", `"${t.name}" twice`);
    seen.add(t.name);
  }
  return out;
}
