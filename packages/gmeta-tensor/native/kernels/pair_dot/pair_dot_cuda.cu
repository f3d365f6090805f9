// pairDot: one thread per (sample, pair); pairSpread: one thread per (sample, feature, column),
// summing its pairs in order (no atomics, so results are deterministic). The pairs travel in
// the launch arguments, kPairChunk at a time, so a program replay (or a CUDA graph) needs no
// device buffer for them.
#include "../common/cuda_kernel.cuh"
#include "pair_dot.h"

namespace gmeta {

namespace {

constexpr int kPairChunk = 256;

struct PairChunk {
  int32_t n;
  int16_t i[kPairChunk], j[kPairChunk];
};

PairChunk chunk_at(const PairArgs& a, int64_t start) {
  PairChunk c{};
  c.n = static_cast<int32_t>(std::min<int64_t>(kPairChunk, static_cast<int64_t>(a.i.size()) - start));
  for (int q = 0; q < c.n; ++q) {
    c.i[q] = static_cast<int16_t>(a.i[start + q]);
    c.j[q] = static_cast<int16_t>(a.j[start + q]);
  }
  return c;
}

template <typename T>
__global__ void dot_kernel(T* out, const T* x, const T* y, int64_t batch, int64_t fx, int64_t fy, int64_t dim,
                           int64_t pairs, int64_t start, PairChunk c) {
  GMETA_GRID_STRIDE(t, batch * c.n) {
    const int64_t b = t / c.n, q = t % c.n;
    const T* xr = x + (b * fx + c.i[q]) * dim;
    const T* yr = y + (b * fy + c.j[q]) * dim;
    T s = 0;
    for (int64_t d = 0; d < dim; ++d) s += xr[d] * yr[d];
    out[b * pairs + start + q] = s;
  }
}

template <typename T>
__global__ void spread_kernel(T* out, const T* g, const T* y, int64_t batch, int64_t fx, int64_t fy, int64_t dim,
                              int64_t pairs, int64_t start, PairChunk c, bool first) {
  GMETA_GRID_STRIDE(t, batch * fx * dim) {
    const int64_t b = t / (fx * dim), f = (t / dim) % fx, d = t % dim;
    T s = first ? T(0) : out[t];
    for (int q = 0; q < c.n; ++q)
      if (c.i[q] == f) s += g[b * pairs + start + q] * y[(b * fy + c.j[q]) * dim + d];
    out[t] = s;
  }
}

}  // namespace

void pair_dot_cuda(Storage& out, const Storage& x, const Storage& y, const PairArgs& a) {
  const int64_t P = static_cast<int64_t>(a.i.size());
  if (a.batch == 0 || P == 0) return;
  OnDevice on(out.device());
  dispatch_float("pairDot", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t start = 0; start < P; start += kPairChunk) {
      const PairChunk c = chunk_at(a, start);
      dot_kernel<T><<<cuda_blocks(a.batch * c.n), kCudaThreads, 0, on.stream()>>>(
          out.ptr<T>(), x.ptr<T>(), y.ptr<T>(), a.batch, a.fx, a.fy, a.dim, P, start, c);
      GMETA_CUDA_LAUNCHED();
    }
  });
}

void pair_spread_cuda(Storage& out, const Storage& g, const Storage& y, const PairArgs& a) {
  const int64_t P = static_cast<int64_t>(a.i.size());
  if (a.batch == 0 || a.fx == 0 || a.dim == 0) return;
  OnDevice on(out.device());
  dispatch_float("pairSpread", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    // At least one launch, so that no pairs still zero the output.
    for (int64_t start = 0; start == 0 || start < P; start += kPairChunk) {
      const PairChunk c = P == 0 ? PairChunk{} : chunk_at(a, start);
      spread_kernel<T><<<cuda_blocks(a.batch * a.fx * a.dim), kCudaThreads, 0, on.stream()>>>(
          out.ptr<T>(), g.ptr<T>(), y.ptr<T>(), a.batch, a.fx, a.fy, a.dim, P, start, c, start == 0);
      GMETA_CUDA_LAUNCHED();
    }
  });
}

}  // namespace gmeta
