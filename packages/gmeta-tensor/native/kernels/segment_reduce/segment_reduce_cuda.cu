// Segment pooling: one thread per (segment, column) sums its segment's rows in row order, the
// CPU's order, so sums match the CPU bit for bit.
#include "../common/index_launch.cuh"
#include "segment_reduce.h"

namespace gmeta {

namespace {

// `flag`: mean instead of sum. A segment with bad bounds (only reachable in a replay, which
// reports it afterwards) pools to zero.
struct Pool {
  template <typename T, typename I>
  __device__ static void apply(const RowArgs<T, I>& a, int64_t seg, int64_t j, int64_t t) {
    const bool ok = segment_in_range(a.idx[seg], a.idx[seg + 1], a.bound);
    const int64_t r0 = ok ? static_cast<int64_t>(a.idx[seg]) : 0, r1 = ok ? static_cast<int64_t>(a.idx[seg + 1]) : 0;
    T acc = T(0);
    for (int64_t r = r0; r < r1; ++r) acc += a.src[r * a.dim + j];
    if (a.flag && r1 > r0) acc /= static_cast<T>(r1 - r0);
    a.out[t] = acc;
  }
};

}  // namespace

int64_t segment_reduce_cuda(SegmentMode mode, Storage& out, const Storage& src,
                            const Storage& offsets, int64_t num_segments, int64_t src_rows,
                            int64_t dim) {
  if (mode == SegmentMode::Mean && !is_float(out.dtype())) unsupported_dtype("segmentReduce mean", out.dtype());
  return checked_index_launch<Pool>("segmentReduce", IndexKind::Segments, out, src, offsets, num_segments, src_rows, dim,
                                    mode == SegmentMode::Mean);
}

}  // namespace gmeta
