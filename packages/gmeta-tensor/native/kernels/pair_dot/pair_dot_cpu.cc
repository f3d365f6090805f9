#include <algorithm>
#include <type_traits>

#include "../../core/thread_pool.h"
#include "../common/index_check.h"
#include "../common/simd.h"
#include "pair_dot.h"

namespace gmeta {

namespace {

// Along dim, floats go 8 at a time (one or two vectors per row at DLRM's 16–64), doubles one.
template <typename T>
GMETA_SIMD_INLINE T dot_row(const T* u, const T* v, int64_t D) {
  int64_t d = 0;
  T s = 0;
  if constexpr (std::is_same_v<T, float>) {
    v8 acc = {};
    for (; d + kLanes <= D; d += kLanes) acc += load8(u + d) * load8(v + d);
    s = hsum8(acc);
  }
  for (; d < D; ++d) s += u[d] * v[d];
  return s;
}

// dst += w·src along dim.
template <typename T>
GMETA_SIMD_INLINE void axpy_row(T* dst, T w, const T* src, int64_t D) {
  int64_t d = 0;
  if constexpr (std::is_same_v<T, float>) {
    const v8 wv = splat8(w);
    for (; d + kLanes <= D; d += kLanes) store8(dst + d, load8(dst + d) + wv * load8(src + d));
  }
  for (; d < D; ++d) dst[d] += w * src[d];
}

template <typename T>
GMETA_SIMD_INLINE void dot_rows(T* o, const T* x, const T* y, int64_t lo, int64_t hi, const PairArgs& a) {
  const int64_t P = static_cast<int64_t>(a.i.size()), D = a.dim;
  for (int64_t b = lo; b < hi; ++b)
    for (int64_t p = 0; p < P; ++p) o[b * P + p] = dot_row(x + (b * a.fx + a.i[p]) * D, y + (b * a.fy + a.j[p]) * D, D);
}

template <typename T>
GMETA_SIMD_INLINE void spread_rows(T* o, const T* g, const T* y, int64_t lo, int64_t hi, const PairArgs& a) {
  const int64_t P = static_cast<int64_t>(a.i.size()), D = a.dim;
  for (int64_t b = lo; b < hi; ++b) {
    T* ob = o + b * a.fx * D;
    std::fill(ob, ob + a.fx * D, T(0));
    for (int64_t p = 0; p < P; ++p) axpy_row(ob + a.i[p] * D, g[b * P + p], y + (b * a.fy + a.j[p]) * D, D);
  }
}

// The float instances, compiled for each vector width.
GMETA_SIMD_CLONES void dot_rows_f32(float* o, const float* x, const float* y, int64_t lo, int64_t hi, const PairArgs& a) {
  dot_rows(o, x, y, lo, hi, a);
}
GMETA_SIMD_CLONES void spread_rows_f32(float* o, const float* g, const float* y, int64_t lo, int64_t hi, const PairArgs& a) {
  spread_rows(o, g, y, lo, hi, a);
}
}  // namespace

void pair_dot_cpu(Storage& out, const Storage& x, const Storage& y, const PairArgs& a) {
  const int64_t P = static_cast<int64_t>(a.i.size());
  if (a.batch == 0 || P == 0) return;
  dispatch_float("pairDot", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.ptr<T>();
    const T* xp = x.ptr<T>();
    const T* yp = y.ptr<T>();
    parallel_for(0, a.batch, row_grain(P * std::max<int64_t>(1, a.dim)),
                 [&](int64_t lo, int64_t hi) {
                   if constexpr (std::is_same_v<T, float>) dot_rows_f32(o, xp, yp, lo, hi, a);
                   else dot_rows(o, xp, yp, lo, hi, a);
                 });
  });
}

void pair_spread_cpu(Storage& out, const Storage& g, const Storage& y, const PairArgs& a) {
  const int64_t P = static_cast<int64_t>(a.i.size());
  if (a.batch == 0 || a.fx == 0 || a.dim == 0) return;
  dispatch_float("pairSpread", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.ptr<T>();
    const T* gp = g.ptr<T>();
    const T* yp = y.ptr<T>();
    parallel_for(0, a.batch, row_grain(std::max<int64_t>(1, P + a.fx) * a.dim),
                 [&](int64_t lo, int64_t hi) {
                   if constexpr (std::is_same_v<T, float>) spread_rows_f32(o, gp, yp, lo, hi, a);
                   else spread_rows(o, gp, yp, lo, hi, a);
                 });
  });
}

}  // namespace gmeta
