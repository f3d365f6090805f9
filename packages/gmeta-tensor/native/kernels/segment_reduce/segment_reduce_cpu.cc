#include <algorithm>
#include <type_traits>

#include "../common/row_index.h"
#include "segment_reduce.h"

namespace gmeta {

int64_t segment_reduce_cpu(SegmentMode mode, Storage& out, const Storage& src,
                           const Storage& offsets, int64_t num_segments, int64_t src_rows,
                           int64_t dim) {
  return for_each_segment("segmentReduce", out.dtype(), offsets, num_segments, src_rows, dim, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_floating_point_v<T>) {
      if (mode == SegmentMode::Mean) unsupported_dtype("segmentReduce mean", out.dtype());
    }
    T* o = out.ptr<T>();
    const T* s = src.ptr<T>();
    return [=](int64_t seg, int64_t r0, int64_t r1) {
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
    };
  });
}

}  // namespace gmeta
