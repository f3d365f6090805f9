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

namespace gmeta {

namespace {

// Picked at load time for the machine's widest vectors; the build itself stays x86-64-v2.
#if defined(__x86_64__) && !defined(__clang__)
#define GMETA_GEMM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GMETA_GEMM_CLONES
#endif

// dst[cols×rows] = src[rows×cols]ᵀ, both row-major.
inline void transpose_into(float* dst, const float* src, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * rows + r] = src[r * cols + c];
}

// C[M×N] (+)= op(A)[M×K] · op(B)[K×N], row-major, for matrices small enough that OpenBLAS's
// packing and dispatch cost more than the arithmetic (per-task fast weights, the DLRM
// interaction). Operands are copied into row-major scratch first, so the inner loops are
// unit-stride and vectorise: rows of B scaled into C where N is wide, dot products over K
// where it is narrow.
GMETA_GEMM_CLONES void small_sgemm(int64_t M, int64_t N, int64_t K, bool ta, bool tb, const float* A, const float* B,
                                   float* C, bool acc, float* scratch) {
  const float* a = A;
  if (ta) {
    transpose_into(scratch, A, K, M);
    a = scratch;
    scratch += M * K;
  }
  if (N >= 8) {
    const float* b = B;
    if (tb) {
      transpose_into(scratch, B, N, K);
      b = scratch;
    }
    for (int64_t i = 0; i < M; ++i) {
      float* c = C + i * N;
      if (!acc) std::fill(c, c + N, 0.0f);
      const float* ai = a + i * K;
      for (int64_t p = 0; p < K; ++p) {
        const float av = ai[p];
        const float* bp = b + p * N;
        for (int64_t j = 0; j < N; ++j) c[j] += av * bp[j];
      }
    }
    return;
  }
  const float* bt = B;
  if (!tb) {
    transpose_into(scratch, B, K, N);
    bt = scratch;
  }
  for (int64_t i = 0; i < M; ++i) {
    const float* ai = a + i * K;
    for (int64_t j = 0; j < N; ++j) {
      const float* bj = bt + j * K;
      // Eight partial sums: a vector of them, since float sums are not reassociated otherwise.
      float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t p = 0;
      for (; p + 8 <= K; p += 8)
        for (int q = 0; q < 8; ++q) part[q] += ai[p + q] * bj[p + q];
      float s = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
      for (; p < K; ++p) s += ai[p] * bj[p];
      C[i * N + j] = acc ? C[i * N + j] + s : s;
    }
  }
}

// Multiply-adds per GEMM up to which small_sgemm beats OpenBLAS at these shapes (measured
// with the meta-step benchmark's per-shape profile); GMETA_SMALL_GEMM=0 turns it off.
constexpr int64_t kSmallSgemm = 16 * 16 * 16;

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

// Multiply-adds below which OpenBLAS keeps a GEMM on one thread (its threshold is about 64^3).
constexpr int64_t kSmallGemm = 64 * 64 * 64;
// Multiply-adds a thread of a batched GEMM gets at least: waking the pool costs about as much
// as this much arithmetic, so smaller batches stay on the calling thread.
constexpr int64_t kGemmGrain = 1 << 20;

template <typename T>
void run(T* out, const T* a, const T* b, const MatmulArgs& p) {
  const int64_t mn = p.M * p.N;
  if constexpr (std::is_same_v<T, float>) {
    if (p.K > 0 && p.M * p.N * p.K <= kSmallSgemm && small_sgemm_enabled()) {
      const int64_t work = p.M * p.N * p.K;
      parallel_for(0, p.batch, std::max<int64_t>(1, kGemmGrain / std::max<int64_t>(1, work)), [&](int64_t lo, int64_t hi) {
        thread_local std::vector<float> scratch;
        scratch.resize(static_cast<size_t>(p.M * p.K + p.K * p.N));
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
  const auto one = [&](int64_t i) {
    gemm(ta, tb, static_cast<blasint>(p.M), static_cast<blasint>(p.N), static_cast<blasint>(p.K),
         a + i * p.a_batch_stride, lda, b + i * p.b_batch_stride, ldb, beta, out + i * mn);
  };
  // OpenBLAS spreads a large GEMM over its threads but runs a small one on the calling thread
  // alone, so a batch of small ones (per-task fast weights) is spread over the pool instead.
  const int64_t work = p.M * p.N * p.K;
  if (p.batch > 1 && work <= kSmallGemm) {
    parallel_for(0, p.batch, std::max<int64_t>(1, kGemmGrain / std::max<int64_t>(1, work)), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) one(i);
    });
    return;
  }
  for (int64_t i = 0; i < p.batch; ++i) one(i);
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
