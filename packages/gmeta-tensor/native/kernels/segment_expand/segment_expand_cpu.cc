#include <algorithm>

#include "../common/row_index.h"
#include "segment_expand.h"

namespace gmeta {

int64_t segment_expand_cpu(Storage& out, const Storage& src, const Storage& offsets, int64_t num_segments,
                           int64_t out_rows, int64_t dim) {
  return for_each_segment("segmentExpand", out.dtype(), offsets, num_segments, out_rows, dim, [&](auto tag) {
    using T = decltype(tag);
    T* o = out.ptr<T>();
    const T* g = src.ptr<T>();
    return [=](int64_t seg, int64_t r0, int64_t r1) {
      const T* row = g + seg * dim;
      for (int64_t r = r0; r < r1; ++r) std::copy(row, row + dim, o + r * dim);
    };
  });
}

}  // namespace gmeta
