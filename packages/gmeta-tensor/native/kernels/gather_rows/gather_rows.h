#pragma once
#include <cstdint>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Returns -1, or the position in idx of the first index outside [0, src_rows).
int64_t gather_rows_cpu(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                        int64_t dim);
int64_t gather_rows_cuda(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                          int64_t dim);

inline int64_t gather_rows(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                           int64_t dim) {
  const int device = common_device("gatherRows", {out.device(), src.device(), idx.device()});
  GMETA_ON_DEVICE("gatherRows", device, gather_rows_cpu(out, src, idx, src_rows, dim), gather_rows_cuda(out, src, idx, src_rows, dim));
}

}  // namespace gmeta
