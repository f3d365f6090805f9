#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Codes shared with TypeScript (AddonTypes.ts: ReduceOp).
enum class ReduceOp : int { Sum = 0, Mean = 1, Max = 2, Min = 3 };

void reduce_cpu(ReduceOp op, Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                int64_t inner);
void reduce_cuda(ReduceOp op, Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                  int64_t inner);

// Argument checks shared by the CPU and CUDA kernels, run once by the launcher below.
inline void check_reduce(ReduceOp op, const Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                         int64_t inner) {
  if (a.dtype() != out.dtype()) throw std::invalid_argument("reduce: expected one dtype for out and a");
  if (outer < 0 || axis_len < 0 || inner < 0)
    throw std::invalid_argument("reduce: expected non-negative outer, axisLen and inner");
  if (outer * axis_len * inner > a.numel()) throw std::out_of_range("reduce: a is smaller than its view");
  if (outer * inner > out.numel()) throw std::out_of_range("reduce: out is smaller than [outer, inner]");
  if (static_cast<int>(op) < 0 || static_cast<int>(op) > static_cast<int>(ReduceOp::Min) ||
      (op == ReduceOp::Mean && !is_float(out.dtype())))
    throw std::invalid_argument("reduce: op " + std::to_string(static_cast<int>(op)) +
                                " is not supported for " + dtype_name(out.dtype()));
}

inline void reduce(ReduceOp op, Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                   int64_t inner) {
  const int device = common_device("reduce", {out.device(), a.device()});
  check_reduce(op, out, a, outer, axis_len, inner);
  GMETA_ON_DEVICE("reduce", device, reduce_cpu(op, out, a, outer, axis_len, inner), reduce_cuda(op, out, a, outer, axis_len, inner));
}

}  // namespace gmeta
