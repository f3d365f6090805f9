#include <stdexcept>

#include "../common/cuda_kernel.cuh"
#include "../common/strided_index.h"
#include "where.h"

namespace gmeta {

namespace {
template <typename T, typename C>
__global__ void where_kernel(T* o, const C* c, const T* a, const T* b, StridedIndex<3> ix, int64_t n) {
  GMETA_GRID_STRIDE(i, n) {
    int64_t off[3];
    ix.offsets(i, off);
    o[i] = c[off[0]] != C(0) ? a[off[1]] : b[off[2]];
  }
}
}  // namespace

void where_cuda(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
                const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
                const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides) {
  const int64_t n = shape_numel(shape);
  if (n == 0) return;
  StridedPlan<3> plan(shape, {&cond_strides, &a_strides, &b_strides});
  const StridedIndex<3> ix = make_strided_index("where", plan);
  OnDevice on(out.device());
  dispatch_all(cond.dtype(), [&](auto cond_tag) {
    using C = decltype(cond_tag);
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      where_kernel<T, C><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(
          out.ptr<T>(), cond.ptr<C>(), a.ptr<T>(), b.ptr<T>(), ix, n);
      GMETA_CUDA_LAUNCHED();
    });
  });
}

}  // namespace gmeta
