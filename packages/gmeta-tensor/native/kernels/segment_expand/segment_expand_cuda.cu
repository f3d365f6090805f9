// One thread per (segment, column) writes that column into every row of its segment.
#include "../common/cuda_kernel.cuh"
#include "../common/segment_bounds.cuh"
#include "segment_expand.h"

namespace gmeta {

namespace {

template <typename T, typename I>
__global__ void expand_kernel(T* out, const T* src, const I* off, int64_t segments, int64_t dim) {
  GMETA_GRID_STRIDE(t, segments * dim) {
    const int64_t seg = t / dim, j = t % dim;
    const T v = src[t];
    for (int64_t r = static_cast<int64_t>(off[seg]); r < static_cast<int64_t>(off[seg + 1]); ++r) out[r * dim + j] = v;
  }
}

}  // namespace

int64_t segment_expand_cuda(Storage& out, const Storage& src, const Storage& offsets, int64_t num_segments,
                            int64_t out_rows, int64_t dim) {
  int64_t bad = -1;
  OnDevice on(out.device());
  dispatch_index("segmentExpand", offsets.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* off = offsets.ptr<I>();
    if (num_segments == 0) return;
    bad = first_bad_segment_cuda(out.device(), on.stream(), off, num_segments, out_rows);
    if (bad >= 0 || dim == 0) return;
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      expand_kernel<T, I><<<cuda_blocks(num_segments * dim), kCudaThreads, 0, on.stream()>>>(
          out.ptr<T>(), src.ptr<T>(), off, num_segments, dim);
      GMETA_CUDA_LAUNCHED();
    });
  });
  return bad;
}

}  // namespace gmeta
