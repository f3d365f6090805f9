#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "../../core/thread_pool.h"
#include "../common/index_check.h"
#include "segment_reduce.h"

namespace gmeta {

int64_t segment_reduce_cpu(SegmentMode mode, Storage& out, const Storage& src,
                           const Storage& offsets, int64_t num_segments, int64_t src_rows,
                           int64_t dim) {
  int64_t bad = -1;
  dispatch_index("segmentReduce", offsets.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* off = offsets.ptr<I>();
    bad = first_bad_segment(off, num_segments, src_rows);
    if (bad >= 0 || dim == 0 || num_segments == 0) return;
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_floating_point_v<T>) {
        if (mode == SegmentMode::Mean) unsupported_dtype("segmentReduce mean", out.dtype());
      }
      T* o = out.ptr<T>();
      const T* s = src.ptr<T>();
      const int64_t avg_rows = std::max<int64_t>(1, src_rows / num_segments);
      parallel_for(0, num_segments, row_grain(dim * avg_rows), [&](int64_t lo, int64_t hi) {
        for (int64_t seg = lo; seg < hi; ++seg) {
          const int64_t r0 = static_cast<int64_t>(off[seg]), r1 = static_cast<int64_t>(off[seg + 1]);
          T* dst = o + seg * dim;
          std::fill(dst, dst + dim, T(0));
          for (int64_t r = r0; r < r1; ++r) {
            const T* row = s + r * dim;
            for (int64_t j = 0; j < dim; ++j) dst[j] += row[j];
          }
          if constexpr (std::is_floating_point_v<T>) {
            if (mode == SegmentMode::Mean && r1 > r0) {
              const T count = static_cast<T>(r1 - r0);
              for (int64_t j = 0; j < dim; ++j) dst[j] /= count;
            }
          }
        }
      });
    });
  });
  return bad;
}

}  // namespace gmeta
