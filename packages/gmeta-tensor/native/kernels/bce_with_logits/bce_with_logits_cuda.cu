#include <stdexcept>

#include "../common/cuda_kernel.cuh"
#include "bce_with_logits.h"

namespace gmeta {

namespace {
template <typename T>
__global__ void bce_kernel(T* o, const T* x, const T* y, int64_t n) {
  GMETA_GRID_STRIDE(i, n) {
    const T v = x[i];
    o[i] = (v > T(0) ? v : T(0)) - v * y[i] + log1p(exp(-fabs(v)));
  }
}
}  // namespace

void bce_with_logits_cuda(Storage& out, const Storage& x, const Storage& y) {
  if (x.dtype() != out.dtype() || y.dtype() != out.dtype())
    throw std::invalid_argument("bceWithLogits: expected one dtype for out, x and y");
  if (x.numel() != out.numel() || y.numel() != out.numel())
    throw std::invalid_argument("bceWithLogits: expected equal numel for out, x and y");
  const int64_t n = out.numel();
  OnDevice on(out.device());
  dispatch_float("bceWithLogits", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (n == 0) return;
    bce_kernel<T><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(out.ptr<T>(), x.ptr<T>(), y.ptr<T>(), n);
    GMETA_CUDA_LAUNCHED();
  });
}

}  // namespace gmeta
