#include <stdexcept>

#include "../common/cuda_kernel.cuh"
#include "../common/strided_index.h"
#include "strided_copy.h"

namespace gmeta {

namespace {
template <typename T>
__global__ void strided_copy_kernel(T* d, int64_t d0, const T* s, int64_t s0, StridedIndex<2> ix,
                                    int64_t n) {
  GMETA_GRID_STRIDE(i, n) {
    int64_t off[2];
    ix.offsets(i, off);
    d[d0 + off[0]] = s[s0 + off[1]];
  }
}
}  // namespace

void strided_copy_cuda(Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                       const Storage& src, int64_t src_offset,
                       const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape) {
  const int64_t n = shape_numel(shape);
  if (n == 0) return;
  StridedPlan<2> plan(shape, {&dst_strides, &src_strides});
  const StridedIndex<2> ix = make_strided_index("stridedCopy", plan);
  OnDevice on(dst.device());
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    strided_copy_kernel<T><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(
        dst.ptr<T>(), dst_offset, src.ptr<T>(), src_offset, ix, n);
    GMETA_CUDA_LAUNCHED();
  });
}

}  // namespace gmeta
