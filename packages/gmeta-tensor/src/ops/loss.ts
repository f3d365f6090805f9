import { record } from "../autograd/record.js";
import { argError, fmtShape } from "../errors.js";
import { addon } from "../native/binding.js";
import { sameShape } from "../shape.js";
import { Tensor } from "../Tensor.js";
import { mul, sub } from "./binary.js";
import { checkFloat, checkSameKind, checkTensor } from "./check.js";
import { mean, sum } from "./reduce.js";
import { neg, sigmoid, square } from "./unary.js";

export type Reduction = "mean" | "sum" | "none";

function checkReduction(op: string, reduction: unknown): void {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw argError(op, '"mean", "sum" or "none"', "reduction", JSON.stringify(reduction));
  }
}

function reduce(op: string, x: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return mean(x);
  if (reduction === "sum") return sum(x);
  if (reduction === "none") return x;
  throw argError(op, '"mean", "sum" or "none"', "reduction", JSON.stringify(reduction));
}

function checkPair(op: string, x: Tensor, y: Tensor, names: [string, string]): void {
  checkTensor(op, names[0], x);
  checkTensor(op, names[1], y);
  checkFloat(op, names[0], x);
  checkSameKind(op, x, y, names);
  if (!sameShape(x.shape, y.shape)) throw argError(op, `shape ${fmtShape(x.shape)} (the shape of ${names[0]})`, names[1], fmtShape(y.shape));
}

/**
 * Binary cross-entropy on logits, fused and stable: max(x,0) − x·y + log(1 + e^−|x|).
 * Its gradient (sigmoid(x) − y) is written in ops, so it has a second derivative.
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction = "mean"): Tensor {
  checkPair("bceWithLogits", logits, targets, ["logits", "targets"]);
  checkReduction("bceWithLogits", reduction);
  const out = Tensor.alloc(logits.shape, logits.dtype, logits.device);
  if (out.numel > 0) addon.bceWithLogits(out.storage.native, logits.storage.native, targets.storage.native);
  const each = record(out, "bceWithLogits", [logits, targets], (g) => [
    logits.requiresGrad ? mul(g, sub(sigmoid(logits), targets)) : null,
    targets.requiresGrad ? mul(g, neg(logits)) : null,
  ]);
  return reduce("bceWithLogits", each, reduction);
}

/** Mean squared error. */
export function mse(pred: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  checkPair("mse", pred, target, ["pred", "target"]);
  return reduce("mse", square(sub(pred, target)), reduction);
}
