#pragma once
#include <cstdint>
#include <stdexcept>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Returns -1, or the position in idx of the first index outside [0, out_rows); then out is
// left untouched.
int64_t scatter_add_rows_cpu(Storage& out, const Storage& src, const Storage& idx,
                             int64_t out_rows, int64_t dim);
int64_t scatter_add_rows_cuda(Storage& out, const Storage& src, const Storage& idx,
                               int64_t out_rows, int64_t dim);

// Argument checks shared by the CPU and CUDA kernels, run once by the launcher below.
inline void check_scatter_add_rows(const Storage& out, const Storage& src, const Storage& idx,
                                   int64_t out_rows, int64_t dim) {
  if (src.dtype() != out.dtype()) throw std::invalid_argument("scatterAddRows: expected one dtype for out and src");
  if (out_rows < 0 || dim < 0) throw std::invalid_argument("scatterAddRows: expected non-negative outRows and dim");
  const int64_t n = idx.numel();
  if (out_rows * dim > out.numel()) throw std::out_of_range("scatterAddRows: out is smaller than outRows x dim");
  if (n * dim > src.numel()) throw std::out_of_range("scatterAddRows: src is smaller than idx.numel x dim");
}

inline int64_t scatter_add_rows(Storage& out, const Storage& src, const Storage& idx,
                                int64_t out_rows, int64_t dim) {
  const int device = common_device("scatterAddRows", {out.device(), src.device(), idx.device()});
  check_scatter_add_rows(out, src, idx, out_rows, dim);
  GMETA_ON_DEVICE("scatterAddRows", device, scatter_add_rows_cpu(out, src, idx, out_rows, dim), scatter_add_rows_cuda(out, src, idx, out_rows, dim));
}

}  // namespace gmeta
