#pragma once
#include <cstdint>
#include <stdexcept>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Returns -1, or the position in idx of the first index outside [0, src_rows).
int64_t gather_rows_cpu(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                        int64_t dim);
int64_t gather_rows_cuda(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                          int64_t dim);

// Argument checks shared by the CPU and CUDA kernels, run once by the launcher below.
inline void check_gather_rows(const Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                              int64_t dim) {
  if (src.dtype() != out.dtype()) throw std::invalid_argument("gatherRows: expected one dtype for out and src");
  if (src_rows < 0 || dim < 0) throw std::invalid_argument("gatherRows: expected non-negative srcRows and dim");
  const int64_t n = idx.numel();
  if (src_rows * dim > src.numel()) throw std::out_of_range("gatherRows: src is smaller than srcRows x dim");
  if (n * dim > out.numel()) throw std::out_of_range("gatherRows: out is smaller than idx.numel x dim");
}

inline int64_t gather_rows(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                           int64_t dim) {
  const int device = common_device("gatherRows", {out.device(), src.device(), idx.device()});
  check_gather_rows(out, src, idx, src_rows, dim);
  GMETA_ON_DEVICE("gatherRows", device, gather_rows_cpu(out, src, idx, src_rows, dim), gather_rows_cuda(out, src, idx, src_rows, dim));
}

}  // namespace gmeta
