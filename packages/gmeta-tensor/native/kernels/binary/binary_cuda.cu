#include <stdexcept>
#include <string>
#include <type_traits>

#include "../common/cuda_kernel.cuh"
#include "../common/strided_index.h"
#include "binary.h"

namespace gmeta {

namespace {

// The CPU reference's semantics, op by op (NaN wins in maximum / minimum).
template <typename T, BinaryOp Op>
__device__ __forceinline__ T apply(T x, T y) {
  if constexpr (Op == BinaryOp::Add) return T(x + y);
  if constexpr (Op == BinaryOp::Sub) return T(x - y);
  if constexpr (Op == BinaryOp::Mul) return T(x * y);
  if constexpr (Op == BinaryOp::Div) return x / y;
  if constexpr (Op == BinaryOp::Pow) return pow(x, y);
  if constexpr (Op == BinaryOp::Maximum || Op == BinaryOp::Minimum) {
    if constexpr (std::is_floating_point_v<T>) {
      if (isnan(x) || isnan(y)) return quiet_nan<T>();
    }
    if constexpr (Op == BinaryOp::Maximum) return x > y ? x : y;
    else return x < y ? x : y;
  }
  if constexpr (Op == BinaryOp::Eq) return T(x == y);
  if constexpr (Op == BinaryOp::Ne) return T(x != y);
  if constexpr (Op == BinaryOp::Lt) return T(x < y);
  if constexpr (Op == BinaryOp::Le) return T(x <= y);
  if constexpr (Op == BinaryOp::Gt) return T(x > y);
  if constexpr (Op == BinaryOp::Ge) return T(x >= y);
  if constexpr (Op == BinaryOp::PositiveMask) return y > T(0) ? x : T(0);
  return T(0);
}

template <typename T, BinaryOp Op>
__global__ void binary_contig(T* o, const T* a, const T* b, int64_t n) {
  GMETA_GRID_STRIDE(i, n) o[i] = apply<T, Op>(a[i], b[i]);
}

template <typename T, BinaryOp Op>
__global__ void binary_strided(T* o, const T* a, const T* b, StridedIndex<2> ix, int64_t n) {
  GMETA_GRID_STRIDE(i, n) {
    int64_t off[2];
    ix.offsets(i, off);
    o[i] = apply<T, Op>(a[off[0]], b[off[1]]);
  }
}

template <typename T, BinaryOp Op>
void launch(T* o, const T* a, const T* b, const std::vector<int64_t>& shape,
            const std::vector<int64_t>& as, const std::vector<int64_t>& bs, int64_t n, cudaStream_t s) {
  if (is_contiguous(shape, as) && is_contiguous(shape, bs)) {
    binary_contig<T, Op><<<cuda_blocks(n), kCudaThreads, 0, s>>>(o, a, b, n);
  } else {
    StridedPlan<2> plan(shape, {&as, &bs});
    binary_strided<T, Op><<<cuda_blocks(n), kCudaThreads, 0, s>>>(o, a, b, make_strided_index("binary", plan), n);
  }
  GMETA_CUDA_LAUNCHED();
}

}  // namespace

void binary_cuda(BinaryOp op, Storage& out, const Storage& a, const Storage& b,
                 const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                 const std::vector<int64_t>& b_strides) {
  const int64_t n = shape_numel(shape);
  if (n == 0) return;
  OnDevice on(out.device());
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.ptr<T>();
    const T* ap = a.ptr<T>();
    const T* bp = b.ptr<T>();
    auto go = [&](auto op_tag) {
      constexpr BinaryOp Op = decltype(op_tag)::value;
      launch<T, Op>(o, ap, bp, shape, a_strides, b_strides, n, on.stream());
    };
    switch (op) {
      case BinaryOp::Add: return go(std::integral_constant<BinaryOp, BinaryOp::Add>{});
      case BinaryOp::Sub: return go(std::integral_constant<BinaryOp, BinaryOp::Sub>{});
      case BinaryOp::Mul: return go(std::integral_constant<BinaryOp, BinaryOp::Mul>{});
      case BinaryOp::Maximum: return go(std::integral_constant<BinaryOp, BinaryOp::Maximum>{});
      case BinaryOp::Minimum: return go(std::integral_constant<BinaryOp, BinaryOp::Minimum>{});
      case BinaryOp::Eq: return go(std::integral_constant<BinaryOp, BinaryOp::Eq>{});
      case BinaryOp::Ne: return go(std::integral_constant<BinaryOp, BinaryOp::Ne>{});
      case BinaryOp::Lt: return go(std::integral_constant<BinaryOp, BinaryOp::Lt>{});
      case BinaryOp::Le: return go(std::integral_constant<BinaryOp, BinaryOp::Le>{});
      case BinaryOp::Gt: return go(std::integral_constant<BinaryOp, BinaryOp::Gt>{});
      case BinaryOp::Ge: return go(std::integral_constant<BinaryOp, BinaryOp::Ge>{});
      case BinaryOp::PositiveMask: return go(std::integral_constant<BinaryOp, BinaryOp::PositiveMask>{});
      default: break;
    }
    if constexpr (std::is_floating_point_v<T>) {
      if (op == BinaryOp::Div) return go(std::integral_constant<BinaryOp, BinaryOp::Div>{});
      if (op == BinaryOp::Pow) return go(std::integral_constant<BinaryOp, BinaryOp::Pow>{});
    }
    throw std::invalid_argument("binary: op " + std::to_string(static_cast<int>(op)) +
                                " is not supported for " + dtype_name(out.dtype()));
  });
}

}  // namespace gmeta
