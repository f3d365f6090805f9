// Segment pooling: one thread per (segment, column) sums its segment's rows in row order, the
// CPU's order, so sums match the CPU bit for bit.
#include <stdexcept>

#include "../common/cuda_kernel.cuh"
#include "../common/segment_bounds.cuh"
#include "segment_reduce.h"

namespace gmeta {

namespace {

template <typename T, typename I>
__global__ void segment_kernel(T* out, const T* src, const I* off, int64_t segments, int64_t dim, bool mean) {
  GMETA_GRID_STRIDE(t, segments * dim) {
    const int64_t seg = t / dim, j = t % dim;
    const int64_t r0 = static_cast<int64_t>(off[seg]), r1 = static_cast<int64_t>(off[seg + 1]);
    T acc = T(0);
    for (int64_t r = r0; r < r1; ++r) acc += src[r * dim + j];
    if (mean && r1 > r0) acc /= static_cast<T>(r1 - r0);
    out[t] = acc;
  }
}

}  // namespace

int64_t segment_reduce_cuda(SegmentMode mode, Storage& out, const Storage& src,
                            const Storage& offsets, int64_t num_segments, int64_t src_rows,
                            int64_t dim) {
  if (mode == SegmentMode::Mean && !is_float(out.dtype())) unsupported_dtype("segmentReduce mean", out.dtype());
  int64_t bad = -1;
  OnDevice on(out.device());
  dispatch_index("segmentReduce", offsets.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* off = offsets.ptr<I>();
    if (num_segments == 0) return;
    bad = first_bad_segment_cuda(out.device(), on.stream(), off, num_segments, src_rows);
    if (bad >= 0 || dim == 0) return;
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      segment_kernel<T, I><<<cuda_blocks(num_segments * dim), kCudaThreads, 0, on.stream()>>>(
          out.ptr<T>(), src.ptr<T>(), off, num_segments, dim, mode == SegmentMode::Mean);
      GMETA_CUDA_LAUNCHED();
    });
  });
  return bad;
}

}  // namespace gmeta
