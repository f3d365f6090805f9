// Scatter-add with atomics: one thread per source element adds into its destination. Float
// sums therefore land in an unspecified order (the CPU's is idx order): results agree with
// the CPU to rounding, not bit for bit. int64 adds through the unsigned 64-bit atomic
// (two's complement makes that exact).
#include <stdexcept>

#include "../common/cuda_kernel.cuh"
#include "scatter_add_rows.h"

namespace gmeta {

namespace {

template <typename T>
__device__ __forceinline__ void atomic_add(T* p, T v) {
  if constexpr (std::is_same_v<T, int64_t>) {
    atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
  } else {
    atomicAdd(p, v);
  }
}

template <typename T, typename I>
__global__ void scatter_kernel(T* out, const T* src, const I* idx, int64_t n, int64_t dim) {
  GMETA_GRID_STRIDE(t, n * dim) {
    const int64_t i = t / dim, j = t % dim;
    atomic_add(out + static_cast<int64_t>(idx[i]) * dim + j, src[t]);
  }
}

}  // namespace

int64_t scatter_add_rows_cuda(Storage& out, const Storage& src, const Storage& idx,
                              int64_t out_rows, int64_t dim) {
  const int64_t n = idx.numel();
  int64_t bad = -1;
  OnDevice on(out.device());
  dispatch_index("scatterAddRows", idx.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* ip = idx.ptr<I>();
    bad = cuda_first_out_of_range(out.device(), on.stream(), ip, n, out_rows);
    if (bad >= 0 || dim == 0 || n == 0) return;
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      scatter_kernel<T, I><<<cuda_blocks(n * dim), kCudaThreads, 0, on.stream()>>>(
          out.ptr<T>(), src.ptr<T>(), ip, n, dim);
      GMETA_CUDA_LAUNCHED();
    });
  });
  return bad;
}

}  // namespace gmeta
