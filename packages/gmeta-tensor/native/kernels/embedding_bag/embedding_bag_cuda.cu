// Embedding-bag pooling: one thread per (bag, column) sums its bag's rows in index order, the
// CPU's order, so sums match the CPU bit for bit. The adjoint zeroes its output and adds with
// atomics, one thread per (bag, column), so its float sums agree with the CPU's to rounding.
#include "../common/index_launch.cuh"
#include "embedding_bag.h"

namespace gmeta {

namespace {

// One report word for both index arrays: a bad bag s gives s, a bad index position k gives
// bags + 1 + k (embedding_bag.h).
template <typename O, typename I>
__global__ void first_bad_bag_kernel(const O* off, int64_t bags, const I* idx, int64_t ids, int64_t rows,
                                     unsigned long long* first) {
  GMETA_GRID_STRIDE(i, bags > ids ? bags : ids) {
    if (i < bags && !segment_in_range(off[i], off[i + 1], ids)) atomicMin(first, static_cast<unsigned long long>(i));
    if (i < ids && !row_in_range(idx[i], rows)) atomicMin(first, static_cast<unsigned long long>(bags + 1 + i));
  }
}

template <typename T, typename O, typename I>
struct BagKernelArgs {
  T* out;
  const T* src;
  const O* off;
  const I* idx;
  BagArgs a;
};

// Item t's bag b and column j, the bag's index range [k0, k1) and scale c; false for a bag
// with bad bounds (only reachable in a replay, which reports it afterwards): it is skipped,
// as are bad indices, so nothing reads or writes outside its tensors.
template <typename T, typename O, typename I>
__device__ bool bag_item(const BagKernelArgs<T, O, I>& p, int64_t t, int64_t& j, int64_t& k0, int64_t& k1, T& c) {
  const int64_t b = t / p.a.dim;
  j = t % p.a.dim;
  if (!segment_in_range(p.off[b], p.off[b + 1], p.a.ids)) return false;
  k0 = static_cast<int64_t>(p.off[b]);
  k1 = static_cast<int64_t>(p.off[b + 1]);
  c = p.a.mode == SegmentMode::Mean && k1 > k0 ? T(1) / static_cast<T>(k1 - k0) : T(1);
  return true;
}

template <typename T, typename O, typename I>
__global__ void bag_pool_kernel(BagKernelArgs<T, O, I> p) {
  GMETA_GRID_STRIDE(t, p.a.bags * p.a.dim) {
    int64_t j = 0, k0 = 0, k1 = 0;
    T c = T(1), acc = T(0);
    if (bag_item(p, t, j, k0, k1, c))
      for (int64_t k = k0; k < k1; ++k)
        if (row_in_range(p.idx[k], p.a.rows)) acc += p.src[static_cast<int64_t>(p.idx[k]) * p.a.dim + j];
    p.out[t] = p.a.mode == SegmentMode::Mean ? acc * c : acc;
  }
}

template <typename T, typename O, typename I>
__global__ void bag_scatter_kernel(BagKernelArgs<T, O, I> p) {
  GMETA_GRID_STRIDE(t, p.a.bags * p.a.dim) {
    int64_t j = 0, k0 = 0, k1 = 0;
    T c = T(1);
    if (!bag_item(p, t, j, k0, k1, c)) continue;
    const T v = c * p.src[t];
    for (int64_t k = k0; k < k1; ++k)
      if (row_in_range(p.idx[k], p.a.rows)) atomicAdd(p.out + static_cast<int64_t>(p.idx[k]) * p.a.dim + j, v);
  }
}

template <bool Pool>
int64_t bag_launch(const char* op, Storage& out, const Storage& src, const Storage& idx, const Storage& offsets,
                   const BagArgs& a) {
  int64_t bad = -1;
  OnDevice on(out.device());
  dispatch_index(op, offsets.dtype(), [&](auto otag) {
    using O = decltype(otag);
    dispatch_index(op, idx.dtype(), [&](auto itag) {
      using I = decltype(itag);
      const O* off = offsets.ptr<O>();
      const I* ip = idx.ptr<I>();
      IndexReport report(out.device(), on.stream());
      const int64_t n = std::max(a.bags, a.ids);
      if (n > 0) {
        first_bad_bag_kernel<O, I><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(off, a.bags, ip, a.ids, a.rows, report.word());
        GMETA_CUDA_LAUNCHED();
      }
      bad = report.result();
      if (bad >= 0 || a.dim == 0) return;
      dispatch_float(op, out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const BagKernelArgs<T, O, I> p{out.ptr<T>(), src.ptr<T>(), off, ip, a};
        if constexpr (Pool) {
          if (a.bags == 0) return;
          bag_pool_kernel<T, O, I><<<cuda_blocks(a.bags * a.dim), kCudaThreads, 0, on.stream()>>>(p);
          GMETA_CUDA_LAUNCHED();
        } else {
          GMETA_CUDA_CHECK(cudaMemsetAsync(out.ptr<T>(), 0, static_cast<size_t>(a.rows * a.dim) * sizeof(T), on.stream()));
          if (a.bags == 0) return;
          bag_scatter_kernel<T, O, I><<<cuda_blocks(a.bags * a.dim), kCudaThreads, 0, on.stream()>>>(p);
          GMETA_CUDA_LAUNCHED();
        }
      });
    });
  });
  return bad;
}

}  // namespace

int64_t bag_pool_cuda(Storage& out, const Storage& src, const Storage& idx, const Storage& offsets, const BagArgs& a) {
  return bag_launch<true>("embeddingBag", out, src, idx, offsets, a);
}

int64_t bag_scatter_cuda(Storage& out, const Storage& g, const Storage& idx, const Storage& offsets, const BagArgs& a) {
  return bag_launch<false>("embeddingBagBackward", out, g, idx, offsets, a);
}

}  // namespace gmeta
