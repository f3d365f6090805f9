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

// Where small_sgemm beats OpenBLAS (one thread; gmeta_raw_bench small, then the per-shape
// profile of a meta-step replay): whenever B is at most 64 wide and 128 deep, so it stays in
// L1 or L2. Per-task GEMMs of the meta-step ([16 x 32]·[32 x 64] and the like, batches of
// 128 to 512) ran at 1.2-2.3x OpenBLAS's rate (up to 99 against 43 GFLOP/s), a transposed B
// at 1.2-1.7x, a shared weight against 512 to 8192 rows at 1.07-1.4x. OpenBLAS keeps: a
// transposed A with M·K over 32768 (0.6-0.9x: its columns are read a cache line apart); a
// transposed B whose depth is not a multiple of 8 under 256 rows of C (0.84x: the ragged
// part is packed element by element); a wider or deeper B (0.5-0.9x); and outputs 2 to 7
// wide of more than 64^3 multiply-adds (0.5x). GMETA_SMALL_GEMM=0 turns the kernel off.
bool prefer_small(int64_t M, int64_t N, int64_t K, bool trans_a, bool trans_b) {
  if (K == 0) return false;
  const int64_t macs = M * N * K;
  if (N < 8 && K >= 8) return N == 1 || macs <= 64 * 64 * 64;  // dot products per output
  if (N <= 64 && K <= 128 && (!trans_a || M * K <= 32768) && (!trans_b || K % 8 == 0 || M >= 256)) return true;
  return macs <= 64 * 64 * 64 && (M < 4 || K < 4);
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

// Spreads matrix i's rows [m0, m1) over the pool: a batch (per-task fast weights) by whole
// matrices, one or a few large matrices by rows.
template <typename Rows>
void spread(const MatmulArgs& p, Rows&& rows) {
  const int64_t work = p.M * p.N * p.K;
  const int64_t threads = num_threads();
  if (p.batch >= 2 * threads || p.M < 2 * threads) {
    parallel_for(0, p.batch, std::max<int64_t>(1, kGemmGrain / std::max<int64_t>(1, work)), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) rows(i, 0, p.M);
    });
    return;
  }
  const int64_t min_rows = std::max<int64_t>(1, kGemmGrain / std::max<int64_t>(1, p.N * p.K));
  for (int64_t i = 0; i < p.batch; ++i)
    parallel_for(0, p.M, min_rows, [&](int64_t lo, int64_t hi) { rows(i, lo, hi); });
}

// The epilogue over rows [m0, m1) of matrix i, right after they were computed.
template <typename T>
void apply_epilogue(T* out, const T* bias, const MatmulEpilogue& e, const MatmulArgs& p, int64_t i, int64_t m0, int64_t m1) {
  for (int64_t r = m0; r < m1; ++r) {
    const int64_t row = i * p.M + r;
    const T* __restrict bv = bias + (e.bias_rows > 0 ? row / e.bias_rows * p.N : 0);
    T* __restrict c = out + row * p.N;
    if (e.relu) {
      for (int64_t n = 0; n < p.N; ++n) {
        const T v = c[n] + bv[n];
        c[n] = v > T(0) ? v : T(0);  // as relu: NaN gives 0
      }
    } else {
      for (int64_t n = 0; n < p.N; ++n) c[n] += bv[n];
    }
  }
}

// `bias` null: no epilogue.
template <typename T>
void run(T* out, const T* a, const T* b, const MatmulArgs& p, const T* bias, const MatmulEpilogue& e) {
  const int64_t mn = p.M * p.N;
  const auto finish = [&](int64_t i, int64_t m0, int64_t m1) {
    if (bias) apply_epilogue(out, bias, e, p, i, m0, m1);
  };
  // Where rows [m0, ...) of matrix i start in A (rows of A, or columns of a transposed A) and C.
  const auto a_at = [&](int64_t i, int64_t m0) { return a + i * p.a_batch_stride + (p.trans_a ? m0 : m0 * p.K); };
  const auto c_at = [&](int64_t i, int64_t m0) { return out + i * mn + m0 * p.N; };
  if constexpr (std::is_same_v<T, float>) {
    if (prefer_small(p.M, p.N, p.K, p.trans_a, p.trans_b) && small_sgemm_enabled()) {
      const int64_t lda = p.trans_a ? p.M : p.K;
      spread(p, [&](int64_t i, int64_t m0, int64_t m1) {
        thread_local std::vector<float> scratch;
        scratch.resize(static_cast<size_t>(small_sgemm_scratch(m1 - m0, p.N, p.K)));
        small_sgemm(m1 - m0, p.N, p.K, p.trans_a, p.trans_b, a_at(i, m0), lda, b + i * p.b_batch_stride, c_at(i, m0),
                    p.accumulate, scratch.data());
        finish(i, m0, m1);
      });
      return;
    }
  }
  if (p.K == 0) {
    // BLAS rejects lda = 0; an empty product is a zero matrix.
    if (!p.accumulate) std::memset(out, 0, static_cast<size_t>(p.batch * mn) * sizeof(T));
    for (int64_t i = 0; i < p.batch; ++i) finish(i, 0, p.M);
    return;
  }
  const CBLAS_TRANSPOSE ta = p.trans_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = p.trans_b ? CblasTrans : CblasNoTrans;
  const blasint lda = static_cast<blasint>(std::max<int64_t>(1, p.trans_a ? p.M : p.K));
  const blasint ldb = static_cast<blasint>(std::max<int64_t>(1, p.trans_b ? p.K : p.N));
  const T beta = p.accumulate ? T(1) : T(0);
  spread(p, [&](int64_t i, int64_t m0, int64_t m1) {
    gemm(ta, tb, static_cast<blasint>(m1 - m0), static_cast<blasint>(p.N), static_cast<blasint>(p.K), a_at(i, m0), lda,
         b + i * p.b_batch_stride, ldb, beta, c_at(i, m0));
    finish(i, m0, m1);
  });
}

void run_any(Storage& out, const Storage& a, const Storage& b, const Storage* bias, const MatmulArgs& p, const MatmulEpilogue& e) {
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;
  dispatch_float("matmul", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    run<T>(out.ptr<T>(), a.ptr<T>(), b.ptr<T>(), p, bias ? bias->ptr<T>() : nullptr, e);
  });
}

}  // namespace

void matmul_bias_cpu(Storage& out, const Storage& a, const Storage& b, const Storage& bias, const MatmulArgs& p,
                     const MatmulEpilogue& e) {
  run_any(out, a, b, &bias, p, e);
}

void matmul_cpu(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& p) { run_any(out, a, b, nullptr, p, {}); }

}  // namespace gmeta
