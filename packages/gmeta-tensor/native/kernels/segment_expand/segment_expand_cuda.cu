// One thread per (segment, column) writes that column into every row of its segment.
#include "../common/index_launch.cuh"
#include "segment_expand.h"

namespace gmeta {

namespace {

// A segment with bad bounds (only reachable in a replay, which reports it afterwards) writes nothing.
struct Expand {
  template <typename T, typename I>
  __device__ static void apply(const RowArgs<T, I>& a, int64_t seg, int64_t j, int64_t t) {
    if (!segment_in_range(a.idx[seg], a.idx[seg + 1], a.bound)) return;
    const T v = a.src[t];
    for (int64_t r = static_cast<int64_t>(a.idx[seg]); r < static_cast<int64_t>(a.idx[seg + 1]); ++r) a.out[r * a.dim + j] = v;
  }
};

}  // namespace

int64_t segment_expand_cuda(Storage& out, const Storage& src, const Storage& offsets, int64_t num_segments,
                            int64_t out_rows, int64_t dim) {
  return checked_index_launch<Expand>("segmentExpand", IndexKind::Segments, out, src, offsets, num_segments, out_rows, dim);
}

}  // namespace gmeta
