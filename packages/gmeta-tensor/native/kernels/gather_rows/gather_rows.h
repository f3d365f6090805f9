#pragma once
#include <cstdint>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Returns -1, or the position in idx of the first index outside [0, src_rows).
int64_t gather_rows_cpu(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                        int64_t dim);

inline int64_t gather_rows(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                           int64_t dim) {
  require_cpu("gatherRows", out.device());
  require_cpu("gatherRows", src.device());
  require_cpu("gatherRows", idx.device());
  return gather_rows_cpu(out, src, idx, src_rows, dim);
}

}  // namespace gmeta
