#include <stdexcept>

#include "../common/cuda_kernel.cuh"
#include "gather_rows.h"

namespace gmeta {

namespace {
// One thread per output element: consecutive threads read consecutive columns of a row.
template <typename T, typename I>
__global__ void gather_kernel(T* out, const T* src, const I* idx, int64_t n, int64_t dim) {
  GMETA_GRID_STRIDE(t, n * dim) {
    const int64_t i = t / dim, j = t % dim;
    out[t] = src[static_cast<int64_t>(idx[i]) * dim + j];
  }
}
}  // namespace

int64_t gather_rows_cuda(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                         int64_t dim) {
  const int64_t n = idx.numel();
  int64_t bad = -1;
  OnDevice on(out.device());
  dispatch_index("gatherRows", idx.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* ip = idx.ptr<I>();
    bad = cuda_first_out_of_range(out.device(), on.stream(), ip, n, src_rows);
    if (bad >= 0 || dim == 0 || n == 0) return;
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      gather_kernel<T, I><<<cuda_blocks(n * dim), kCudaThreads, 0, on.stream()>>>(
          out.ptr<T>(), src.ptr<T>(), ip, n, dim);
      GMETA_CUDA_LAUNCHED();
    });
  });
  return bad;
}

}  // namespace gmeta
