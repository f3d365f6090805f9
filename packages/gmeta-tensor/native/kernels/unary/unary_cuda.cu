#include <stdexcept>
#include <string>
#include <type_traits>

#include "../common/cuda_kernel.cuh"
#include "unary.h"

namespace gmeta {

namespace {

// Libdevice math (within a few ulp); the CPU's float exp / sigmoid / tanh are a polynomial of
// about 1 ulp, so the two agree to tolerance, not bit for bit.
template <typename T>
__device__ __forceinline__ T apply(UnaryOp op, T x, T p1, T p2) {
  switch (op) {
    case UnaryOp::Neg: return T(-x);
    case UnaryOp::Abs: return x < T(0) ? T(-x) : x;
    case UnaryOp::Sign:
      if constexpr (std::is_floating_point_v<T>) {
        if (isnan(x)) return x;
      }
      return T((x > T(0)) - (x < T(0)));
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::Exp: return exp(x);
      case UnaryOp::Log: return log(x);
      case UnaryOp::Sigmoid:
        if (x >= T(0)) return T(1) / (T(1) + exp(-x));
        else {
          const T e = exp(x);
          return e / (T(1) + e);
        }
      case UnaryOp::Tanh: return tanh(x);
      case UnaryOp::Relu: return x > T(0) ? x : T(0);
      case UnaryOp::Sqrt: return sqrt(x);
      case UnaryOp::PowScalar: return p1 == T(2) ? x * x : pow(x, p1);
      case UnaryOp::Affine: return p1 * x + p2;
      case UnaryOp::Step: return T(x > T(0));
      case UnaryOp::Log1p: return log1p(x);
      case UnaryOp::Clamp: return x < p1 ? p1 : (x > p2 ? p2 : x);
      case UnaryOp::Reciprocal: return T(1) / x;
      default: break;
    }
  }
  return x;
}

template <typename T>
__global__ void unary_kernel(UnaryOp op, T* o, const T* a, int64_t n, T p1, T p2) {
  GMETA_GRID_STRIDE(i, n) o[i] = apply<T>(op, a[i], p1, p2);
}

bool supported(UnaryOp op, DType dt) {
  const int code = static_cast<int>(op);
  if (code < 0 || code > static_cast<int>(UnaryOp::Reciprocal)) return false;
  if (is_float(dt)) return true;
  return op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Sign;
}

}  // namespace

void unary_cuda(UnaryOp op, Storage& out, const Storage& a, double p1, double p2) {
  if (a.dtype() != out.dtype()) throw std::invalid_argument("unary: expected one dtype for out and a");
  if (a.numel() != out.numel()) throw std::invalid_argument("unary: expected equal numel for out and a");
  if (!supported(op, out.dtype()))
    throw std::invalid_argument("unary: op " + std::to_string(static_cast<int>(op)) +
                                " is not supported for " + dtype_name(out.dtype()));
  const int64_t n = out.numel();
  if (n == 0) return;
  OnDevice on(out.device());
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    unary_kernel<T><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(
        op, out.ptr<T>(), a.ptr<T>(), n, static_cast<T>(p1), static_cast<T>(p2));
    GMETA_CUDA_LAUNCHED();
  });
}

}  // namespace gmeta
