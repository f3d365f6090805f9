#include "sparse_optim.h"

#include <cmath>

#include "../common/prefetch.h"
#include "../common/simd.h"

namespace gmeta {

namespace {

// Rows are checked up front so that an update is all or nothing.
int64_t firstBadRow(const SparseRows& r) {
  for (int64_t i = 0; i < r.n; ++i) {
    if (r.index[i] < 0 || r.index[i] >= r.rows) return i;
  }
  return -1;
}

}  // namespace

GMETA_SIMD_CLONES int64_t sparseSgd(const SparseRows& r, float lr) {
  int64_t bad = firstBadRow(r);
  if (bad >= 0) return bad;
  for (int64_t i = 0; i < r.n; ++i) {
    if (i + kPrefetchAhead < r.n) prefetchRow(r.weights + static_cast<int64_t>(r.index[i + kPrefetchAhead]) * r.dim, r.dim);
    float* w = r.weights + static_cast<int64_t>(r.index[i]) * r.dim;
    const float* g = r.grads + i * r.dim;
    for (int64_t j = 0; j < r.dim; ++j) w[j] -= lr * g[j];
  }
  return -1;
}

GMETA_SIMD_CLONES int64_t sparseAdagrad(const SparseRows& r, float* state, bool rowWise, float lr, float eps) {
  int64_t bad = firstBadRow(r);
  if (bad >= 0) return bad;
  for (int64_t i = 0; i < r.n; ++i) {
    if (i + kPrefetchAhead < r.n) {
      const int64_t next = r.index[i + kPrefetchAhead];
      prefetchRow(r.weights + next * r.dim, r.dim);
      prefetchRow(rowWise ? state + next : state + next * r.dim, rowWise ? 1 : r.dim);
    }
    const int64_t row = r.index[i];
    float* w = r.weights + row * r.dim;
    const float* g = r.grads + i * r.dim;
    if (rowWise) {
      // Eight float lanes, summed in double at the end: the lanes vectorise, and each
      // holds at most dim / 8 squares, so little precision is lost.
      float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t j = 0;
      for (; j + 8 <= r.dim; j += 8) {
        for (int k = 0; k < 8; ++k) lane[k] += g[j + k] * g[j + k];
      }
      double sq = 0;
      for (; j < r.dim; ++j) sq += static_cast<double>(g[j]) * g[j];
      for (int k = 0; k < 8; ++k) sq += lane[k];
      float& s = state[row];
      s += static_cast<float>(sq / static_cast<double>(r.dim));
      const float scale = lr / (std::sqrt(s) + eps);
      for (int64_t j = 0; j < r.dim; ++j) w[j] -= scale * g[j];
    } else {
      float* s = state + row * r.dim;
      for (int64_t j = 0; j < r.dim; ++j) {
        s[j] += g[j] * g[j];
        w[j] -= lr * g[j] / (std::sqrt(s[j]) + eps);
      }
    }
  }
  return -1;
}

GMETA_SIMD_CLONES int64_t sparseAdam(const SparseRows& r, float* m, float* v, float lr, float beta1, float beta2,
                   float eps, int64_t step) {
  int64_t bad = firstBadRow(r);
  if (bad >= 0) return bad;
  const double t = static_cast<double>(step);
  const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(beta1), t));
  const float c2 = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(beta2), t)));
  const float stepSize = lr / c1;
  for (int64_t i = 0; i < r.n; ++i) {
    if (i + kPrefetchAhead < r.n) {
      const int64_t next = static_cast<int64_t>(r.index[i + kPrefetchAhead]) * r.dim;
      prefetchRow(r.weights + next, r.dim);
      prefetchRow(m + next, r.dim);
      prefetchRow(v + next, r.dim);
    }
    const int64_t off = static_cast<int64_t>(r.index[i]) * r.dim;
    float* w = r.weights + off;
    float* mi = m + off;
    float* vi = v + off;
    const float* g = r.grads + i * r.dim;
    for (int64_t j = 0; j < r.dim; ++j) {
      mi[j] = beta1 * mi[j] + (1.0f - beta1) * g[j];
      vi[j] = beta2 * vi[j] + (1.0f - beta2) * g[j] * g[j];
      w[j] -= stepSize * mi[j] / (std::sqrt(vi[j]) / c2 + eps);
    }
  }
  return -1;
}

}  // namespace gmeta
