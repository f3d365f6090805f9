#pragma once
#include <cstdint>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Returns -1, or the position in idx of the first index outside [0, out_rows); then out is
// left untouched.
int64_t scatter_add_rows_cpu(Storage& out, const Storage& src, const Storage& idx,
                             int64_t out_rows, int64_t dim);
int64_t scatter_add_rows_cuda(Storage& out, const Storage& src, const Storage& idx,
                               int64_t out_rows, int64_t dim);

inline int64_t scatter_add_rows(Storage& out, const Storage& src, const Storage& idx,
                                int64_t out_rows, int64_t dim) {
  const int device = common_device("scatterAddRows", {out.device(), src.device(), idx.device()});
  GMETA_ON_DEVICE("scatterAddRows", device, scatter_add_rows_cpu(out, src, idx, out_rows, dim), scatter_add_rows_cuda(out, src, idx, out_rows, dim));
}

}  // namespace gmeta
