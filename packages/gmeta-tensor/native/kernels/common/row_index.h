// The frame of the CPU row kernels (gather / scatter-add by index, segment pooling and its
// adjoint): type the index array, check all of it before anything is written, then run.
#pragma once
#include <algorithm>
#include <cstdint>

#include "../../core/dtype.h"
#include "../../core/storage.h"
#include "../../core/thread_pool.h"
#include "index_check.h"

namespace gmeta {

// check(ip) scans the typed index array and returns -1 or its first bad position; only then
// body(ip) runs. Returns what check found, for the caller to report.
template <typename Check, typename Body>
int64_t with_checked_index(const char* op, const Storage& idx, Check&& check, Body&& body) {
  int64_t bad = -1;
  dispatch_index(op, idx.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* ip = idx.ptr<I>();
    bad = check(ip);
    if (bad < 0) body(ip);
  });
  return bad;
}

// Segments given by `offsets` over `rows` rows of `dim` values, checked first (see
// first_bad_segment). per_dtype(tag) runs once with the tag of `dtype` and returns the work of one
// segment, fn(seg, r0, r1), which then runs for every segment in parallel.
template <typename PerDType>
int64_t for_each_segment(const char* op, DType dtype, const Storage& offsets, int64_t num_segments,
                         int64_t rows, int64_t dim, PerDType&& per_dtype) {
  return with_checked_index(
      op, offsets, [&](auto off) { return first_bad_segment(off, num_segments, rows); },
      [&](auto off) {
        if (dim == 0 || num_segments == 0) return;
        dispatch_all(dtype, [&](auto tag) {
          auto fn = per_dtype(tag);
          const int64_t avg_rows = std::max<int64_t>(1, rows / num_segments);
          parallel_for(0, num_segments, row_grain(dim * avg_rows), [&](int64_t lo, int64_t hi) {
            for (int64_t seg = lo; seg < hi; ++seg)
              fn(seg, static_cast<int64_t>(off[seg]), static_cast<int64_t>(off[seg + 1]));
          });
        });
      });
}

}  // namespace gmeta
