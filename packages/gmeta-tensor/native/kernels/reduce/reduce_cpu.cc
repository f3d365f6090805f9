#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "../../core/thread_pool.h"
#include "../common/simd.h"
#include "../common/strided.h"
#include "reduce.h"

namespace gmeta {

namespace {

// Pieces have a fixed length, never derived from the thread count, so a long reduction
// combines its partial results in the same order whatever the pool size: bitwise-equal
// results at any thread count.
constexpr int64_t kChunk = 32768;
constexpr int64_t kInnerBlock = 1024;

// Float sums accumulate in double; integer sums in int64.
template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

// Float sums in double, the hot case (gradients summed over tasks, losses over samples),
// compiled for each vector width. The arithmetic is that of the generic loops below in the
// same order, so every clone gives the same bits.
GMETA_SIMD_CLONES double sum_span_f32(const float* row, int64_t begin, int64_t end) {
  double acc[4] = {0, 0, 0, 0};
  int64_t k = begin;
  for (; k + 4 <= end; k += 4)
    for (int lane = 0; lane < 4; ++lane) acc[lane] += static_cast<double>(row[k + lane]);
  for (; k < end; ++k) acc[0] += static_cast<double>(row[k]);
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

// acc[j] = sum over k < len of base[k * inner + j], for j < w.
GMETA_SIMD_CLONES void sum_columns_f32(double* acc, const float* base, int64_t len, int64_t inner, int64_t w) {
  for (int64_t j = 0; j < w; ++j) acc[j] = 0;
  for (int64_t k = 0; k < len; ++k) {
    const float* row = base + k * inner;
    for (int64_t j = 0; j < w; ++j) acc[j] += static_cast<double>(row[j]);
  }
}

template <typename T>
struct SumRule {
  using A = Acc<T>;
  static A init() { return A(0); }
  static A step(A acc, T x) { return acc + static_cast<A>(x); }
  static A merge(A x, A y) { return x + y; }
};

template <typename T, bool IsMax>
struct ExtremeRule {
  using A = T;
  static A init() {
    if constexpr (std::is_floating_point_v<T>)
      return IsMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    return IsMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
  // NaN propagates, as in torch.max.
  static A step(A acc, T x) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(acc) || std::isnan(x)) return std::numeric_limits<T>::quiet_NaN();
    }
    return IsMax ? (x > acc ? x : acc) : (x < acc ? x : acc);
  }
  static A merge(A x, A y) { return step(x, y); }
};

// Four independent accumulators break the add latency chain; the lane pattern is fixed, so
// the result is still the same at any thread count.
template <typename R, typename T>
typename R::A reduce_span(const T* row, int64_t begin, int64_t end) {
  if constexpr (std::is_same_v<R, SumRule<float>>) return sum_span_f32(row, begin, end);
  typename R::A acc[4] = {R::init(), R::init(), R::init(), R::init()};
  int64_t k = begin;
  for (; k + 4 <= end; k += 4)
    for (int lane = 0; lane < 4; ++lane) acc[lane] = R::step(acc[lane], row[k + lane]);
  for (; k < end; ++k) acc[0] = R::step(acc[0], row[k]);
  return R::merge(R::merge(acc[0], acc[1]), R::merge(acc[2], acc[3]));
}

template <typename T, typename R, typename Finish>
void run(T* out, const T* a, int64_t outer, int64_t len, int64_t inner, Finish finish) {
  using A = typename R::A;
  if (inner == 1) {
    const int64_t chunks = std::max<int64_t>(1, (len + kChunk - 1) / kChunk);
    std::vector<A> partial(static_cast<size_t>(outer * chunks), R::init());
    const int64_t grain = std::max<int64_t>(1, kChunk / std::max<int64_t>(1, std::min(len, kChunk)));
    parallel_for(0, outer * chunks, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        const int64_t o = t / chunks, c = t % chunks;
        const T* row = a + o * len;
        const int64_t end = std::min(len, (c + 1) * kChunk);
        partial[t] = reduce_span<R>(row, c * kChunk, end);
      }
    });
    for (int64_t o = 0; o < outer; ++o) {
      A acc = partial[o * chunks];
      for (int64_t c = 1; c < chunks; ++c) acc = R::merge(acc, partial[o * chunks + c]);
      out[o] = finish(acc);
    }
    return;
  }
  const int64_t blocks = (inner + kInnerBlock - 1) / kInnerBlock;
  const int64_t grain = std::max<int64_t>(1, kChunk / std::max<int64_t>(1, len * std::min(inner, kInnerBlock)));
  parallel_for(0, outer * blocks, grain, [&](int64_t lo, int64_t hi) {
    A acc[kInnerBlock];
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t o = t / blocks, j0 = (t % blocks) * kInnerBlock;
      const int64_t w = std::min(kInnerBlock, inner - j0);
      const T* base = a + o * len * inner + j0;
      if constexpr (std::is_same_v<R, SumRule<float>>) {
        sum_columns_f32(acc, base, len, inner, w);
      } else {
        std::fill(acc, acc + w, R::init());
        for (int64_t k = 0; k < len; ++k) {
          const T* row = base + k * inner;
          for (int64_t j = 0; j < w; ++j) acc[j] = R::step(acc[j], row[j]);
        }
      }
      T* dst = out + o * inner + j0;
      for (int64_t j = 0; j < w; ++j) dst[j] = finish(acc[j]);
    }
  });
}

}  // namespace

void reduce_cpu(ReduceOp op, Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                int64_t inner) {
  if (outer * inner == 0) return;
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.ptr<T>();
    const T* p = a.ptr<T>();
    auto cast = [](auto v) { return static_cast<T>(v); };
    switch (op) {
      case ReduceOp::Sum: return run<T, SumRule<T>>(o, p, outer, axis_len, inner, cast);
      case ReduceOp::Mean:
        if constexpr (std::is_floating_point_v<T>) {
          const double n = static_cast<double>(axis_len);
          return run<T, SumRule<T>>(o, p, outer, axis_len, inner,
                                    [n](double v) { return static_cast<T>(v / n); });
        }
        break;
      case ReduceOp::Max: return run<T, ExtremeRule<T, true>>(o, p, outer, axis_len, inner, cast);
      case ReduceOp::Min: return run<T, ExtremeRule<T, false>>(o, p, outer, axis_len, inner, cast);
    }
    throw std::invalid_argument("reduce: op " + std::to_string(static_cast<int>(op)) +
                                " is not supported for " + dtype_name(out.dtype()));
  });
}

}  // namespace gmeta
