import { auc } from "@gmeta/io";

export { auc };

/** Mean binary log loss of probabilities, clipped away from 0 and 1. */
export function logloss(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  const eps = 1e-7;
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i]!));
    s -= labels[i]! > 0.5 ? Math.log(p) : Math.log(1 - p);
  }
  return labels.length ? s / labels.length : NaN;
}

/**
 * Group AUC: per-task AUC weighted by the task's samples, over tasks that have both classes
 * (as in Zhou et al., DIN, 2018). NaN when no task has both.
 */
export function gauc(labels: ArrayLike<number>, scores: ArrayLike<number>, taskOffsets: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let t = 0; t + 1 < taskOffsets.length; t++) {
    const a = taskOffsets[t]!;
    const b = taskOffsets[t + 1]!;
    const l = Array.prototype.slice.call(labels, a, b) as number[];
    const s = Array.prototype.slice.call(scores, a, b) as number[];
    const v = auc(l, s);
    if (Number.isNaN(v)) continue;
    num += v * (b - a);
    den += b - a;
  }
  return den ? num / den : NaN;
}
