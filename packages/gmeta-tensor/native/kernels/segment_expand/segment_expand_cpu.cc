#include <algorithm>

#include "../../core/thread_pool.h"
#include "../common/index_check.h"
#include "segment_expand.h"

namespace gmeta {

int64_t segment_expand_cpu(Storage& out, const Storage& src, const Storage& offsets, int64_t num_segments,
                           int64_t out_rows, int64_t dim) {
  int64_t bad = -1;
  dispatch_index("segmentExpand", offsets.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* off = offsets.ptr<I>();
    bad = first_bad_segment(off, num_segments, out_rows);
    if (bad >= 0 || dim == 0 || num_segments == 0) return;
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* o = out.ptr<T>();
      const T* g = src.ptr<T>();
      const int64_t avg_rows = std::max<int64_t>(1, out_rows / num_segments);
      parallel_for(0, num_segments, row_grain(dim * avg_rows), [&](int64_t lo, int64_t hi) {
        for (int64_t seg = lo; seg < hi; ++seg) {
          const T* row = g + seg * dim;
          for (int64_t r = static_cast<int64_t>(off[seg]); r < static_cast<int64_t>(off[seg + 1]); ++r)
            std::copy(row, row + dim, o + r * dim);
        }
      });
    });
  });
  return bad;
}

}  // namespace gmeta
