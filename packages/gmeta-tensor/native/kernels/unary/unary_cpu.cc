#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "unary.h"
#include "unary_float_loops.h"

namespace gmeta {

namespace {

// Runs a whole-range loop over the pool's chunks.
void run_loop(void (*loop)(float*, const float*, int64_t), float* out, const float* a, int64_t n) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) { loop(out + lo, a + lo, hi - lo); });
}

template <typename T, typename F>
void run(F f, T* out, const T* a, int64_t n) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) out[i] = f(a[i]);
  });
}

// Split at 0 so exp never overflows.
template <typename T>
T stable_sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

template <typename T>
T sign_of(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x)) return x;
  }
  return T((x > T(0)) - (x < T(0)));
}

template <typename T>
void dispatch_op(UnaryOp op, DType dt, T* o, const T* a, int64_t n, double p1, double p2) {
  switch (op) {
    case UnaryOp::Neg: return run<T>([](T x) { return T(-x); }, o, a, n);
    case UnaryOp::Abs: return run<T>([](T x) { return x < T(0) ? T(-x) : x; }, o, a, n);
    case UnaryOp::Sign: return run<T>(sign_of<T>, o, a, n);
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    const T q1 = static_cast<T>(p1), q2 = static_cast<T>(p2);
    switch (op) {
      case UnaryOp::Exp:
        if constexpr (std::is_same_v<T, float>) return run_loop(exp_f32, o, a, n);
        return run<T>([](T x) { return std::exp(x); }, o, a, n);
      case UnaryOp::Log: return run<T>([](T x) { return std::log(x); }, o, a, n);
      case UnaryOp::Sigmoid:
        if constexpr (std::is_same_v<T, float>) return run_loop(sigmoid_f32, o, a, n);
        return run<T>(stable_sigmoid<T>, o, a, n);
      case UnaryOp::Tanh:
        if constexpr (std::is_same_v<T, float>) return run_loop(tanh_f32, o, a, n);
        return run<T>([](T x) { return std::tanh(x); }, o, a, n);
      case UnaryOp::Relu: return run<T>([](T x) { return x > T(0) ? x : T(0); }, o, a, n);
      case UnaryOp::Sqrt: return run<T>([](T x) { return std::sqrt(x); }, o, a, n);
      case UnaryOp::PowScalar:
        if (q1 == T(2)) return run<T>([](T x) { return x * x; }, o, a, n);
        return run<T>([q1](T x) { return std::pow(x, q1); }, o, a, n);
      case UnaryOp::Affine: return run<T>([q1, q2](T x) { return q1 * x + q2; }, o, a, n);
      case UnaryOp::Step: return run<T>([](T x) { return T(x > T(0)); }, o, a, n);
      case UnaryOp::Log1p: return run<T>([](T x) { return std::log1p(x); }, o, a, n);
      case UnaryOp::Clamp:
        // Comparisons rather than fmin/fmax so NaN passes through, as in torch.clamp.
        return run<T>([q1, q2](T x) { return x < q1 ? q1 : (x > q2 ? q2 : x); }, o, a, n);
      case UnaryOp::Reciprocal: return run<T>([](T x) { return T(1) / x; }, o, a, n);
      default: break;
    }
  }
  throw std::invalid_argument("unary: op " + std::to_string(static_cast<int>(op)) +
                              " is not supported for " + dtype_name(dt));
}

}  // namespace

void unary_cpu(UnaryOp op, Storage& out, const Storage& a, double p1, double p2) {
  if (a.dtype() != out.dtype()) throw std::invalid_argument("unary: expected one dtype for out and a");
  if (a.numel() != out.numel()) throw std::invalid_argument("unary: expected equal numel for out and a");
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    dispatch_op<T>(op, out.dtype(), out.ptr<T>(), a.ptr<T>(), out.numel(), p1, p2);
  });
}

}  // namespace gmeta
