import { needsGrad, record } from "../autograd/record.js";
import { argError, fmtShape } from "../errors.js";
import { SegmentMode } from "../native/AddonTypes.js";
import { addon } from "../native/binding.js";
import { numelOf } from "../shape.js";
import { Tensor } from "../Tensor.js";
import { maximum, mul, sub } from "./binary.js";
import { checkFloat, checkIndexDType, checkRank, checkSameKind, checkTensor } from "./check.js";
import { cast, clone, concat, detach, reshape, slice } from "./shapeOps.js";
import { reciprocal } from "./unary.js";

function checkIndex(op: string, src: Tensor, idx: Tensor): void {
  checkTensor(op, "idx", idx);
  checkIndexDType(op, "idx", idx);
  if (idx.device !== src.device) throw argError(op, `a tensor on ${src.device}`, "idx", `one on ${idx.device}`);
}

function badIndex(op: string, idx: Tensor, pos: number, rows: number): Error {
  const v = idx.toArray()[pos];
  return argError(op, `indices in [0, ${rows})`, "idx", `${String(v)} at position ${pos}`);
}

/**
 * Rows of `src` picked by `idx` (torch.index_select on axis 0): out[i] = src[idx[i]].
 * An index outside [0, rows) is an error naming it.
 */
export function gatherRows(src: Tensor, idx: Tensor): Tensor {
  checkTensor("gatherRows", "src", src);
  checkIndex("gatherRows", src, idx);
  if (src.rank < 1) throw argError("gatherRows", "a tensor of rank >= 1", "src", `shape ${fmtShape(src.shape)}`);
  const rows = src.shape[0]!;
  const rest = src.shape.slice(1);
  const dim = numelOf(rest);
  const out = Tensor.alloc([...idx.shape, ...rest], src.dtype, src.device);
  if (idx.numel > 0) {
    const bad = addon.gatherRows(out.storage.native, src.storage.native, idx.storage.native, rows, dim);
    if (bad >= 0) {
      out.dispose();
      throw badIndex("gatherRows", idx, bad, rows);
    }
  }
  return record(out, "gatherRows", [src], (g) => [scatterAddRows(g, idx, rows)]);
}

/**
 * Zeros of `rows` rows with src[i] added into row idx[i] (the gradient of gatherRows).
 * Written straight into a zeroed output: no base tensor to copy, nothing left behind.
 */
export function scatterAddRows(src: Tensor, idx: Tensor, rows: number): Tensor {
  const op = "scatterAddRows";
  checkTensor(op, "src", src);
  if (!Number.isSafeInteger(rows) || rows < 0) throw argError(op, "a non-negative integer", "rows", String(rows));
  checkIndex(op, src, idx);
  if (src.rank < idx.rank || idx.shape.some((d, i) => src.shape[i] !== d)) {
    throw argError(op, `shape ${fmtShape(idx.shape)} + row shape (idx shape first)`, "src", fmtShape(src.shape));
  }
  const rest = src.shape.slice(idx.rank);
  const out = Tensor.alloc([rows, ...rest], src.dtype, src.device, true);
  if (idx.numel > 0 && numelOf(rest) > 0) {
    const bad = addon.scatterAddRows(out.storage.native, src.storage.native, idx.storage.native, rows, numelOf(rest));
    if (bad >= 0) {
      out.dispose();
      throw badIndex(op, idx, bad, rows);
    }
  }
  return record(out, op, [src], (g) => [gatherRows(g, idx)]);
}

/**
 * base with src[i] added into row idx[i] (torch.index_add on axis 0); duplicates sum.
 * Deterministic at any thread count.
 */
export function indexAdd(base: Tensor, idx: Tensor, src: Tensor): Tensor {
  checkTensor("indexAdd", "base", base);
  checkTensor("indexAdd", "src", src);
  checkSameKind("indexAdd", base, src, ["base", "src"]);
  checkIndex("indexAdd", base, idx);
  if (base.rank < 1) throw argError("indexAdd", "a tensor of rank >= 1", "base", `shape ${fmtShape(base.shape)}`);
  const rest = base.shape.slice(1);
  const want = [...idx.shape, ...rest];
  if (src.rank !== want.length || src.shape.some((s, i) => s !== want[i])) {
    throw argError("indexAdd", `shape ${fmtShape(want)} (idx shape + base row shape)`, "src", fmtShape(src.shape));
  }
  const rows = base.shape[0]!;
  const out = clone(base);
  out.requiresGrad = false;
  out.gradFn = null;
  if (idx.numel > 0 && numelOf(rest) > 0) {
    const bad = addon.scatterAddRows(out.storage.native, src.storage.native, idx.storage.native, rows, numelOf(rest));
    if (bad >= 0) {
      out.dispose();
      throw badIndex("indexAdd", idx, bad, rows);
    }
  }
  return record(out, "indexAdd", [base, src], (g) => [base.requiresGrad ? g : null, src.requiresGrad ? gatherRows(g, idx) : null]);
}

/**
 * The error for bad offsets, naming the first bad value and its position, or null. Reads the
 * offsets on the host: only on an error path, or where no kernel reads them.
 */
function badOffsets(op: string, offsets: Tensor, rows: number): Error | null {
  const o = Array.from(offsets.toArray() as ArrayLike<number | bigint>, Number);
  for (let s = 0; s < o.length; s++) {
    const v = o[s]!;
    if (v < 0 || v > rows || (s > 0 && v < o[s - 1]!)) {
      return argError(op, `non-decreasing offsets in [0, ${rows}]`, "offsets", `${v} at position ${s}`);
    }
  }
  return null;
}

function refused(op: string, offsets: Tensor, rows: number): Error {
  return badOffsets(op, offsets, rows) ?? argError(op, `non-decreasing offsets in [0, ${rows}]`, "offsets", "a bad segment");
}

/**
 * Rows [srcRows, ...] where every row of segment s is src[s] and rows outside every segment
 * are zero: the gradient of segmentSum, itself differentiable (its gradient is segmentSum).
 */
function segmentExpand(src: Tensor, offsets: Tensor, rows: number): Tensor {
  const S = offsets.numel - 1;
  const rest = src.shape.slice(1);
  const out = Tensor.alloc([rows, ...rest], src.dtype, src.device, true);
  if (S > 0 && numelOf(rest) > 0) {
    const bad = addon.segmentExpand(out.storage.native, src.storage.native, offsets.storage.native, S, rows, numelOf(rest));
    if (bad >= 0) {
      out.dispose();
      throw refused("segmentExpand", offsets, rows);
    }
  }
  return record(out, "segmentExpand", [src], (g) => [segment(SegmentMode.Sum, "segmentSum", g, offsets)]);
}

/** 1 / max(1, rows of segment s), shaped [S, 1, ...] to scale pooled rows; computed on the device. */
function inverseCounts(offsets: Tensor, like: Tensor): Tensor {
  const S = offsets.numel - 1;
  const o = cast(offsets, like.dtype);
  const counts = sub(slice(o, 0, 1, S + 1), slice(o, 0, 0, S));
  return reshape(reciprocal(maximum(counts, 1)), [S, ...like.shape.slice(1).map(() => 1)]);
}

function segment(mode: SegmentMode, op: string, src: Tensor, offsets: Tensor): Tensor {
  checkTensor(op, "src", src);
  checkTensor(op, "offsets", offsets);
  checkIndexDType(op, "offsets", offsets);
  checkRank(op, "offsets", offsets, [1]);
  if (src.rank < 1) throw argError(op, "a tensor of rank >= 1", "src", `shape ${fmtShape(src.shape)}`);
  if (offsets.numel < 1) throw argError(op, "at least one offset (segments + 1)", "offsets", "an empty tensor");
  const srcRows = src.shape[0]!;
  const rest = src.shape.slice(1);
  const S = offsets.numel - 1;
  const grad = needsGrad([src]);
  const out = Tensor.alloc([S, ...rest], src.dtype, src.device);
  if (S > 0 && numelOf(rest) > 0) {
    // The mean is a sum scaled by 1/count when recording, so its gradient is generic.
    const native = grad ? SegmentMode.Sum : mode;
    const bad = addon.segmentReduce(native, out.storage.native, src.storage.native, offsets.storage.native, S, srcRows, numelOf(rest));
    if (bad >= 0) {
      out.dispose();
      throw refused(op, offsets, srcRows);
    }
  } else if (S > 0) {
    // Rows of width zero: no kernel reads the offsets, but they are still the caller's to get right.
    const e = badOffsets(op, offsets, srcRows);
    if (e) {
      out.dispose();
      throw e;
    }
  }
  if (!grad) return out;
  // The gradient reads the offsets on the device, later: hold them (callers may free theirs).
  const saved = detach(offsets);
  const summed = record(out, op, [src], (g) => [segmentExpand(g, saved, srcRows)]);
  if (mode === SegmentMode.Sum) return summed;
  return mul(summed, inverseCounts(saved, summed));
}

/** Sum of src rows over each segment [offsets[s], offsets[s+1]) (embedding-bag pooling). */
export function segmentSum(src: Tensor, offsets: Tensor): Tensor {
  return segment(SegmentMode.Sum, "segmentSum", src, offsets);
}

/** Mean of src rows over each segment; an empty segment gives zeros. */
export function segmentMean(src: Tensor, offsets: Tensor): Tensor {
  return segment(SegmentMode.Mean, "segmentMean", src, offsets);
}


/**
 * Embedding-bag pooling (torch.nn.functional.embedding_bag): out[s] is the sum, or the mean,
 * of src[idx[k]] over k in [offsets[s], offsets[s+1]); an empty bag gives zeros. One kernel:
 * the picked rows are never written out as a gather followed by segmentSum would write them,
 * and its gradient scatters straight into src's rows. Differentiable to any order in src.
 * @example embeddingBag(table, ids, offsets, "mean") // [bags, dim]
 */
export function embeddingBag(src: Tensor, idx: Tensor, offsets: Tensor, mode: "sum" | "mean" = "sum"): Tensor {
  const op = "embeddingBag";
  checkTensor(op, "src", src);
  checkFloat(op, "src", src);
  if (src.rank < 1) throw argError(op, "a tensor of rank >= 1", "src", `shape ${fmtShape(src.shape)}`);
  checkIndex(op, src, idx);
  checkRank(op, "idx", idx, [1]);
  checkTensor(op, "offsets", offsets);
  checkIndexDType(op, "offsets", offsets);
  checkRank(op, "offsets", offsets, [1]);
  if (offsets.device !== src.device) throw argError(op, `a tensor on ${src.device}`, "offsets", `one on ${offsets.device}`);
  if (offsets.numel < 1) throw argError(op, "at least one offset (bags + 1)", "offsets", "an empty tensor");
  if (mode !== "sum" && mode !== "mean") throw argError(op, '"sum" or "mean"', "mode", String(mode));
  return bagPool(op, src, idx, offsets, mode === "mean" ? SegmentMode.Mean : SegmentMode.Sum);
}

/** The error for a position the bag kernels reported (see AddonTypes: embeddingBag). */
function badBag(op: string, idx: Tensor, offsets: Tensor, pos: number, rows: number): Error {
  const bags = offsets.numel - 1;
  if (pos <= bags) return refused(op, offsets, idx.numel);
  return badIndex(op, idx, pos - bags - 1, rows);
}

function bagArgs(src: Tensor, idx: Tensor, offsets: Tensor, rows: number): [number, number, number, number] {
  return [offsets.numel - 1, idx.numel, rows, numelOf(src.shape.slice(1))];
}

function bagPool(op: string, src: Tensor, idx: Tensor, offsets: Tensor, mode: SegmentMode): Tensor {
  const rows = src.shape[0]!;
  const args = bagArgs(src, idx, offsets, rows);
  const out = Tensor.alloc([args[0], ...src.shape.slice(1)], src.dtype, src.device);
  if (out.numel > 0 || idx.numel > 0) {
    const bad = addon.embeddingBag(mode, out.storage.native, src.storage.native, idx.storage.native, offsets.storage.native, ...args);
    if (bad >= 0) {
      out.dispose();
      throw badBag(op, idx, offsets, bad, rows);
    }
  }
  if (!needsGrad([src])) return out;
  // The gradient reads the indices on the device, later: hold them (callers may free theirs).
  const [si, so] = [detach(idx), detach(offsets)];
  return record(out, op, [src], (g) => [bagScatter(g, si, so, rows, mode)]);
}

/** The adjoint of bagPool: [rows, ...] zeros with c_s · g[s] added into row idx[k] for each k of bag s. */
function bagScatter(g: Tensor, idx: Tensor, offsets: Tensor, rows: number, mode: SegmentMode): Tensor {
  const op = "embeddingBagBackward";
  const args = bagArgs(g, idx, offsets, rows);
  const out = Tensor.alloc([rows, ...g.shape.slice(1)], g.dtype, g.device);
  if (out.numel > 0) {
    const bad = addon.embeddingBagBackward(mode, out.storage.native, g.storage.native, idx.storage.native, offsets.storage.native, ...args);
    if (bad >= 0) {
      out.dispose();
      throw badBag(op, idx, offsets, bad, rows);
    }
  }
  return record(out, op, [g], (h) => [bagPool("embeddingBag", h, idx, offsets, mode)]);
}
