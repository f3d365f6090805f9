#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "binary.h"

namespace gmeta {

namespace {

// NaN wins, as in torch.maximum / torch.minimum.
template <typename T>
T nan_max(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  }
  return x > y ? x : y;
}

template <typename T>
T nan_min(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  }
  return x < y ? x : y;
}

struct Args {
  const std::vector<int64_t>& shape;
  const std::vector<int64_t>& a_strides;
  const std::vector<int64_t>& b_strides;
};

template <typename T, typename F>
void run(F f, T* out, const T* a, const T* b, const Args& args) {
  const int64_t n = shape_numel(args.shape);
  const bool a_contig = is_contiguous(args.shape, args.a_strides);
  const bool b_contig = is_contiguous(args.shape, args.b_strides);
  const bool a_scalar = is_scalar_broadcast(args.shape, args.a_strides);
  const bool b_scalar = is_scalar_broadcast(args.shape, args.b_strides);
  if (a_contig && b_contig) {
    parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = f(a[i], b[i]);
    });
  } else if (a_contig && b_scalar) {
    const T bv = b[0];
    parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = f(a[i], bv);
    });
  } else if (a_scalar && b_contig) {
    const T av = a[0];
    parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = f(av, b[i]);
    });
  } else {
    StridedPlan<2> plan(args.shape, {&args.a_strides, &args.b_strides});
    const int64_t as = plan.inner_stride(0), bs = plan.inner_stride(1);
    parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      plan.runs(lo, hi, {0, 0}, [&](int64_t flat, int64_t len, const auto& off) {
        T* o = out + flat;
        const T* ap = a + off[0];
        const T* bp = b + off[1];
        // The usual runs (a bias along a row, a per-row scale) get loops the compiler vectorises.
        if (as == 1 && bs == 1) {
          for (int64_t j = 0; j < len; ++j) o[j] = f(ap[j], bp[j]);
        } else if (as == 1 && bs == 0) {
          const T bv = bp[0];
          for (int64_t j = 0; j < len; ++j) o[j] = f(ap[j], bv);
        } else if (as == 0 && bs == 1) {
          const T av = ap[0];
          for (int64_t j = 0; j < len; ++j) o[j] = f(av, bp[j]);
        } else {
          for (int64_t j = 0; j < len; ++j) o[j] = f(ap[j * as], bp[j * bs]);
        }
      });
    });
  }
}

template <typename T>
void dispatch_op(BinaryOp op, DType dt, T* o, const T* a, const T* b, const Args& args) {
  switch (op) {
    case BinaryOp::Add: return run<T>([](T x, T y) { return T(x + y); }, o, a, b, args);
    case BinaryOp::Sub: return run<T>([](T x, T y) { return T(x - y); }, o, a, b, args);
    case BinaryOp::Mul: return run<T>([](T x, T y) { return T(x * y); }, o, a, b, args);
    case BinaryOp::Maximum: return run<T>(nan_max<T>, o, a, b, args);
    case BinaryOp::Minimum: return run<T>(nan_min<T>, o, a, b, args);
    case BinaryOp::Eq: return run<T>([](T x, T y) { return T(x == y); }, o, a, b, args);
    case BinaryOp::Ne: return run<T>([](T x, T y) { return T(x != y); }, o, a, b, args);
    case BinaryOp::Lt: return run<T>([](T x, T y) { return T(x < y); }, o, a, b, args);
    case BinaryOp::Le: return run<T>([](T x, T y) { return T(x <= y); }, o, a, b, args);
    case BinaryOp::Gt: return run<T>([](T x, T y) { return T(x > y); }, o, a, b, args);
    case BinaryOp::Ge: return run<T>([](T x, T y) { return T(x >= y); }, o, a, b, args);
    case BinaryOp::PositiveMask: return run<T>([](T x, T y) { return y > T(0) ? x : T(0); }, o, a, b, args);
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case BinaryOp::Div: return run<T>([](T x, T y) { return x / y; }, o, a, b, args);
      case BinaryOp::Pow: return run<T>([](T x, T y) { return std::pow(x, y); }, o, a, b, args);
      default: break;
    }
  }
  throw std::invalid_argument("binary: op " + std::to_string(static_cast<int>(op)) +
                              " is not supported for " + dtype_name(dt));
}

}  // namespace

void binary_cpu(BinaryOp op, Storage& out, const Storage& a, const Storage& b,
                const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                const std::vector<int64_t>& b_strides) {
  const int64_t n = shape_numel(shape);
  if (n == 0) return;
  Args args{shape, a_strides, b_strides};
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    dispatch_op<T>(op, out.dtype(), out.ptr<T>(), a.ptr<T>(), b.ptr<T>(), args);
  });
}

}  // namespace gmeta
