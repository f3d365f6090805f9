#include <stdexcept>

#include "../common/cuda_kernel.cuh"
#include "cast.h"
#include "cast_value.h"

namespace gmeta {

namespace {
template <typename O, typename S>
__global__ void cast_kernel(O* o, const S* s, int64_t n) {
  GMETA_GRID_STRIDE(i, n) o[i] = cast_value<O, S>(s[i]);
}
}  // namespace

void cast_cuda(Storage& out, const Storage& src) {
  if (out.numel() != src.numel()) throw std::invalid_argument("cast: expected equal numel for out and src");
  const int64_t n = out.numel();
  if (n == 0) return;
  OnDevice on(out.device());
  dispatch_all(out.dtype(), [&](auto out_tag) {
    using O = decltype(out_tag);
    dispatch_all(src.dtype(), [&](auto src_tag) {
      using S = decltype(src_tag);
      cast_kernel<O, S><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(out.ptr<O>(), src.ptr<S>(), n);
      GMETA_CUDA_LAUNCHED();
    });
  });
}

}  // namespace gmeta
