#include <cstring>
#include <stdexcept>

#include "../../core/thread_pool.h"
#include "../common/index_check.h"
#include "gather_rows.h"

namespace gmeta {

int64_t gather_rows_cpu(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                        int64_t dim) {
  const int64_t n = idx.numel();
  int64_t bad = -1;
  dispatch_index("gatherRows", idx.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* ip = idx.ptr<I>();
    bad = first_out_of_range(ip, n, src_rows);
    if (bad >= 0 || dim == 0) return;
    const size_t row_bytes = static_cast<size_t>(dim) * dtype_size(out.dtype());
    const char* s = static_cast<const char*>(src.data());
    char* o = static_cast<char*>(out.data());
    parallel_for(0, n, row_grain(dim), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        std::memcpy(o + i * row_bytes, s + static_cast<int64_t>(ip[i]) * row_bytes, row_bytes);
    });
  });
  return bad;
}

}  // namespace gmeta
