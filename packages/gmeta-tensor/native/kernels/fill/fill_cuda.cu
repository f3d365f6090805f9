#include "../common/cuda_kernel.cuh"
#include "fill.h"

namespace gmeta {

namespace {
template <typename T>
__global__ void fill_kernel(T* p, int64_t n, T v) {
  GMETA_GRID_STRIDE(i, n) p[i] = v;
}
}  // namespace

void fill_cuda(Storage& out, double value) {
  const int64_t n = out.numel();
  if (n == 0) return;
  OnDevice on(out.device());
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    fill_kernel<T><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(out.ptr<T>(), n, static_cast<T>(value));
    GMETA_CUDA_LAUNCHED();
  });
}

}  // namespace gmeta
