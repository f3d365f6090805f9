#include <cstring>

#include "../common/row_index.h"
#include "gather_rows.h"

namespace gmeta {

int64_t gather_rows_cpu(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                        int64_t dim) {
  const int64_t n = idx.numel();
  return with_checked_index(
      "gatherRows", idx, [&](auto ip) { return first_out_of_range(ip, n, src_rows); },
      [&](auto ip) {
        if (dim == 0) return;
        const size_t row_bytes = static_cast<size_t>(dim) * dtype_size(out.dtype());
        const char* s = static_cast<const char*>(src.data());
        char* o = static_cast<char*>(out.data());
        parallel_for(0, n, row_grain(dim), [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i)
            std::memcpy(o + i * row_bytes, s + static_cast<int64_t>(ip[i]) * row_bytes, row_bytes);
        });
      });
}

}  // namespace gmeta
