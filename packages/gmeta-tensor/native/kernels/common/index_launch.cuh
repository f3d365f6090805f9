// The launch path of the index-checked row kernels (gather, scatter-add, segment pooling and
// its adjoint): check the index array on the device, report the first bad position, launch
// the kernel for the operands' dtypes.
//
// An eager call reads the answer back at once (one small synchronous copy), because the API
// returns it, and launches nothing when an index is bad. Inside a CUDA program replay
// (deferred_index_errors() set) the answer stays in the op's device word, which the replay
// reads once at its end (a CUDA graph cannot hold a host sync), and the kernel launches
// anyway: the kernels skip bad positions themselves, so a bad index never touches memory
// outside its tensors.
#pragma once
#include <cstdint>

#include "../../core/index_errors.h"
#include "cuda_kernel.cuh"
#include "index_check.h"

namespace gmeta {

enum class IndexKind {
  Rows,      // every idx[i] in [0, bound)
  Segments,  // every segment's offsets off[s], off[s+1] increasing and inside [0, bound]
};

template <typename I>
__global__ void first_bad_index_kernel(IndexKind kind, const I* idx, int64_t n, int64_t bound,
                                       unsigned long long* first) {
  GMETA_GRID_STRIDE(i, n) {
    const bool ok = kind == IndexKind::Rows ? row_in_range(idx[i], bound) : segment_in_range(idx[i], idx[i + 1], bound);
    if (!ok) atomicMin(first, static_cast<unsigned long long>(i));
  }
}

// The device word one check reports into: a fresh word read back at once (eager), or the
// running replay's word for the current op.
class IndexReport {
 public:
  IndexReport(int device, cudaStream_t s) : device_(device), stream_(s), deferred_(deferred_index_errors()) {
    if (deferred_) {
      word_ = deferred_->word();
      return;
    }
    word_ = static_cast<unsigned long long*>(cuda::alloc(device, sizeof(unsigned long long)));
    GMETA_CUDA_CHECK(cudaMemsetAsync(word_, 0xff, sizeof(unsigned long long), s));
  }
  ~IndexReport() {
    if (!deferred_) cuda::free(device_, word_, sizeof(unsigned long long));
  }
  IndexReport(const IndexReport&) = delete;
  IndexReport& operator=(const IndexReport&) = delete;
  unsigned long long* word() const { return word_; }
  // The first bad position or -1; always -1 when deferred (the replay reads the word later).
  int64_t result() const {
    if (deferred_) return -1;
    unsigned long long v = 0;
    GMETA_CUDA_CHECK(cudaMemcpyAsync(&v, word_, sizeof v, cudaMemcpyDeviceToHost, stream_));
    GMETA_CUDA_CHECK(cudaStreamSynchronize(stream_));
    return v == ~0ULL ? -1 : static_cast<int64_t>(v);
  }

 private:
  int device_;
  cudaStream_t stream_;
  DeferredIndexErrors* deferred_;
  unsigned long long* word_ = nullptr;
};

// What a row kernel's body sees: an n x dim grid of (row, column) items, n being the index
// positions (Rows) or segments (Segments); `flag` is a per-kernel switch (segment mean).
template <typename T, typename I>
struct RowArgs {
  T* out;
  const T* src;
  const I* idx;
  int64_t n;
  int64_t dim;
  int64_t bound;
  bool flag;
};

// One thread per (row, column) item, grid-stride; Body::apply(args, row, column, item).
template <typename Body, typename T, typename I>
__global__ void row_kernel(RowArgs<T, I> a) {
  GMETA_GRID_STRIDE(t, a.n * a.dim) Body::apply(a, t / a.dim, t % a.dim, t);
}

// Checks the `n` positions of `index` (IndexKind) against `bound` on out's device, then,
// unless the check failed eagerly or there is nothing to do, queues row_kernel<Body> over
// n x dim items for out's dtype. Returns the first bad position or -1.
template <typename Body>
int64_t checked_index_launch(const char* op, IndexKind kind, Storage& out, const Storage& src, const Storage& index,
                             int64_t n, int64_t bound, int64_t dim, bool flag = false) {
  int64_t bad = -1;
  OnDevice on(out.device());
  dispatch_index(op, index.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* ip = index.ptr<I>();
    if (n == 0) return;
    IndexReport report(out.device(), on.stream());
    first_bad_index_kernel<I><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(kind, ip, n, bound, report.word());
    GMETA_CUDA_LAUNCHED();
    bad = report.result();
    if (bad >= 0 || dim == 0) return;
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const RowArgs<T, I> args{out.ptr<T>(), src.ptr<T>(), ip, n, dim, bound, flag};
      row_kernel<Body, T, I><<<cuda_blocks(n * dim), kCudaThreads, 0, on.stream()>>>(args);
      GMETA_CUDA_LAUNCHED();
    });
  });
  return bad;
}

}  // namespace gmeta
