// Reductions over the middle axis of [outer, len, inner]. inner == 1 (a row reduction) takes
// one block per row and a shared-memory tree; otherwise each thread owns one output and
// walks the axis, which reads coalesced across threads. Float sums accumulate in double, as
// on the CPU; the order differs, so sums agree to rounding, max / min exactly (except the
// sign of a zero result where +0 and -0 tie: which one wins depends on the order).
#include <cfloat>
#include <climits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "../common/cuda_kernel.cuh"
#include "reduce.h"

namespace gmeta {

namespace {

template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

template <typename T, int Op>  // 0 sum, 2 max, 3 min (mean is a sum divided at the end)
struct Rule {
  using A = std::conditional_t<Op == 0, Acc<T>, T>;
  __device__ static A init() {
    if constexpr (Op == 0) return A(0);
    if constexpr (std::is_same_v<T, float>) return Op == 2 ? -INFINITY : INFINITY;
    if constexpr (std::is_same_v<T, double>) return Op == 2 ? -(double)INFINITY : (double)INFINITY;
    if constexpr (std::is_same_v<T, int32_t>) return Op == 2 ? INT_MIN : INT_MAX;
    if constexpr (std::is_same_v<T, int64_t>) return Op == 2 ? LLONG_MIN : LLONG_MAX;
  }
  __device__ static A step(A acc, A x) {
    if constexpr (Op == 0) return acc + x;
    if constexpr (std::is_floating_point_v<T>) {
      if (isnan(acc) || isnan(x)) return quiet_nan<A>();
    }
    if constexpr (Op == 2) return x > acc ? x : acc;
    else return x < acc ? x : acc;
  }
};

template <typename T, typename R>
__global__ void reduce_rows(T* out, const T* a, int64_t len, double scale) {
  using A = typename R::A;
  __shared__ A part[kCudaThreads];
  const T* row = a + static_cast<int64_t>(blockIdx.x) * len;
  A acc = R::init();
  for (int64_t k = threadIdx.x; k < len; k += blockDim.x) acc = R::step(acc, static_cast<A>(row[k]));
  part[threadIdx.x] = acc;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) part[threadIdx.x] = R::step(part[threadIdx.x], part[threadIdx.x + w]);
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = scale != 0 ? static_cast<T>(part[0] / scale) : static_cast<T>(part[0]);
}

template <typename T, typename R>
__global__ void reduce_cols(T* out, const T* a, int64_t outer, int64_t len, int64_t inner, double scale) {
  using A = typename R::A;
  GMETA_GRID_STRIDE(t, outer * inner) {
    const int64_t o = t / inner, j = t % inner;
    const T* base = a + o * len * inner + j;
    A acc = R::init();
    for (int64_t k = 0; k < len; ++k) acc = R::step(acc, static_cast<A>(base[k * inner]));
    out[t] = scale != 0 ? static_cast<T>(acc / scale) : static_cast<T>(acc);
  }
}

template <typename T, typename R>
void launch(T* o, const T* a, int64_t outer, int64_t len, int64_t inner, double scale, cudaStream_t s) {
  if (inner == 1 && outer <= 0x7fffffff) {
    reduce_rows<T, R><<<static_cast<unsigned>(outer), kCudaThreads, 0, s>>>(o, a, len, scale);
  } else {
    reduce_cols<T, R><<<cuda_blocks(outer * inner), kCudaThreads, 0, s>>>(o, a, outer, len, inner, scale);
  }
  GMETA_CUDA_LAUNCHED();
}

}  // namespace

void reduce_cuda(ReduceOp op, Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                 int64_t inner) {
  if (outer * inner == 0) return;
  OnDevice on(out.device());
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.ptr<T>();
    const T* p = a.ptr<T>();
    switch (op) {
      case ReduceOp::Sum: return launch<T, Rule<T, 0>>(o, p, outer, axis_len, inner, 0.0, on.stream());
      case ReduceOp::Mean:
        // An empty axis divides 0 by 0 into NaN, as the CPU does.
        return launch<T, Rule<T, 0>>(o, p, outer, axis_len, inner,
                                     axis_len == 0 ? 0.0 / 0.0 : static_cast<double>(axis_len), on.stream());
      case ReduceOp::Max: return launch<T, Rule<T, 2>>(o, p, outer, axis_len, inner, 0.0, on.stream());
      case ReduceOp::Min: return launch<T, Rule<T, 3>>(o, p, outer, axis_len, inner, 0.0, on.stream());
    }
  });
}

}  // namespace gmeta
