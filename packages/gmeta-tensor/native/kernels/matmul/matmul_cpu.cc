#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>
#include <stdexcept>
#include <string>

#include "../../core/thread_pool.h"
#include "matmul.h"
#include "small_gemm.h"

namespace gmeta {

namespace {

// Where small_sgemm beats OpenBLAS inside a replay (one thread, per shape, the meta-step
// profile's CPU times): matrix-vector-like shapes, an output under 8 wide or a side under 4
// (a task's [1 x 16] by [16 x 32], a score column, a rank-one update). At wider shapes
// OpenBLAS's packed kernels won, 37-67 against 22-35 GFLOP/s, though on operands already
// in L1 (gmeta_raw_bench small) the small kernel led. GMETA_SMALL_GEMM=0 turns it off.
bool prefer_small(int64_t M, int64_t N, int64_t K) {
  if (K == 0 || M * N * K > 64 * 64 * 64) return false;
  return N < 8 || M < 4 || K < 4;
}

bool small_sgemm_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("GMETA_SMALL_GEMM");
    return !(v && std::string(v) == "0");
  }();
  return on;
}

void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k, const float* a,
          blasint lda, const float* b, blasint ldb, float beta, float* c) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, n);
}

void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k, const double* a,
          blasint lda, const double* b, blasint ldb, double beta, double* c) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, beta, c, n);
}

// OpenBLAS runs on one thread (thread_pool.cc): every GEMM is spread over this library's
// pool, so a replay has one set of workers, not two spinning against each other. A thread
// gets at least this many multiply-adds: smaller work stays on the calling thread, since
// handing it over costs about as much.
constexpr int64_t kGemmGrain = 1 << 17;

template <typename T>
void run(T* out, const T* a, const T* b, const MatmulArgs& p) {
  const int64_t mn = p.M * p.N;
  const int64_t work = p.M * p.N * p.K;
  if constexpr (std::is_same_v<T, float>) {
    if (prefer_small(p.M, p.N, p.K) && small_sgemm_enabled()) {
      parallel_for(0, p.batch, std::max<int64_t>(1, kGemmGrain / std::max<int64_t>(1, work)), [&](int64_t lo, int64_t hi) {
        thread_local std::vector<float> scratch;
        scratch.resize(static_cast<size_t>(small_sgemm_scratch(p.M, p.N, p.K)));
        for (int64_t i = lo; i < hi; ++i)
          small_sgemm(p.M, p.N, p.K, p.trans_a, p.trans_b, a + i * p.a_batch_stride, b + i * p.b_batch_stride, out + i * mn,
                      p.accumulate, scratch.data());
      });
      return;
    }
  }
  if (p.K == 0) {
    // BLAS rejects lda = 0; an empty product is a zero matrix.
    if (!p.accumulate) std::memset(out, 0, static_cast<size_t>(p.batch * mn) * sizeof(T));
    return;
  }
  const CBLAS_TRANSPOSE ta = p.trans_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = p.trans_b ? CblasTrans : CblasNoTrans;
  const blasint lda = static_cast<blasint>(std::max<int64_t>(1, p.trans_a ? p.M : p.K));
  const blasint ldb = static_cast<blasint>(std::max<int64_t>(1, p.trans_b ? p.K : p.N));
  const T beta = p.accumulate ? T(1) : T(0);
  // Rows [m0, m1) of matrix i: A's rows (or, transposed, its columns) and C's rows.
  const auto rows = [&](int64_t i, int64_t m0, int64_t m1) {
    const T* ai = a + i * p.a_batch_stride + (p.trans_a ? m0 : m0 * p.K);
    gemm(ta, tb, static_cast<blasint>(m1 - m0), static_cast<blasint>(p.N), static_cast<blasint>(p.K), ai, lda,
         b + i * p.b_batch_stride, ldb, beta, out + i * mn + m0 * p.N);
  };
  const int64_t threads = num_threads();
  if (p.batch >= 2 * threads || p.M < 2 * threads) {
    // A batch (per-task fast weights) spreads over the pool by whole matrices.
    parallel_for(0, p.batch, std::max<int64_t>(1, kGemmGrain / std::max<int64_t>(1, work)), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) rows(i, 0, p.M);
    });
    return;
  }
  // One or a few large matrices: each one's rows are split over the pool.
  const int64_t min_rows = std::max<int64_t>(1, kGemmGrain / std::max<int64_t>(1, p.N * p.K));
  for (int64_t i = 0; i < p.batch; ++i)
    parallel_for(0, p.M, min_rows, [&](int64_t lo, int64_t hi) { rows(i, lo, hi); });
}

}  // namespace

void matmul_cpu(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& p) {
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;
  dispatch_float("matmul", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    run<T>(out.ptr<T>(), a.ptr<T>(), b.ptr<T>(), p);
  });
}

}  // namespace gmeta
