import { argError, describe } from "../errors.js";

/** A fused sparse optimizer and its hyperparameters; state lives with each shard's rows. */
export type SparseOptimizerConfig =
  | { kind: "sgd"; lr: number }
  | { kind: "adagrad"; lr: number; eps?: number; initialAccumulator?: number; rowWise?: boolean }
  | { kind: "adam"; lr: number; beta1?: number; beta2?: number; eps?: number };

/** A validated optimizer config with every default filled in. */
export type ResolvedOptimizer =
  | { kind: "sgd"; lr: number }
  | { kind: "adagrad"; lr: number; eps: number; initialAccumulator: number; rowWise: boolean }
  | { kind: "adam"; lr: number; beta1: number; beta2: number; eps: number };

/** One named state array of a shard: `width` floats per row. */
export interface StateSlot {
  name: string;
  width: number;
  initial: number;
}

function num(op: string, name: string, v: unknown, dflt: number | undefined, ok: (x: number) => boolean, what: string): number {
  const x = v === undefined ? dflt : v;
  if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) throw argError(op, what, `optimizer.${name}`, describe(v));
  return x;
}

/** Checks an optimizer config and fills its defaults (torch's: Adagrad eps 1e-10, Adam 0.9/0.999/1e-8). */
export function resolveOptimizer(op: string, cfg: SparseOptimizerConfig | undefined): ResolvedOptimizer {
  if (typeof cfg !== "object" || cfg === null) throw argError(op, '{ kind: "sgd" | "adagrad" | "adam", lr }', "optimizer", describe(cfg));
  const lr = num(op, "lr", cfg.lr, undefined, (x) => x >= 0, "a finite lr >= 0");
  switch (cfg.kind) {
    case "sgd":
      return { kind: "sgd", lr };
    case "adagrad":
      if (cfg.rowWise !== undefined && typeof cfg.rowWise !== "boolean") throw argError(op, "a boolean", "optimizer.rowWise", describe(cfg.rowWise));
      return {
        kind: "adagrad",
        lr,
        eps: num(op, "eps", cfg.eps, 1e-10, (x) => x > 0, "a finite eps > 0"),
        initialAccumulator: num(op, "initialAccumulator", cfg.initialAccumulator, 0, (x) => x >= 0, "a finite value >= 0"),
        rowWise: cfg.rowWise ?? false,
      };
    case "adam":
      return {
        kind: "adam",
        lr,
        beta1: num(op, "beta1", cfg.beta1, 0.9, (x) => x >= 0 && x < 1, "a beta in [0, 1)"),
        beta2: num(op, "beta2", cfg.beta2, 0.999, (x) => x >= 0 && x < 1, "a beta in [0, 1)"),
        eps: num(op, "eps", cfg.eps, 1e-8, (x) => x > 0, "a finite eps > 0"),
      };
    default:
      throw argError(op, '"sgd", "adagrad" or "adam"', "optimizer.kind", describe((cfg as { kind?: unknown }).kind));
  }
}

/** The per-row state arrays an optimizer keeps for a table of width `dim`. */
export function stateSlots(opt: ResolvedOptimizer, dim: number): StateSlot[] {
  switch (opt.kind) {
    case "sgd":
      return [];
    case "adagrad":
      return [{ name: "sum", width: opt.rowWise ? 1 : dim, initial: opt.initialAccumulator }];
    case "adam":
      return [
        { name: "m", width: dim, initial: 0 },
        { name: "v", width: dim, initial: 0 },
      ];
  }
}
