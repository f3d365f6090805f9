#include "small_gemm.h"

#include "../common/simd.h"

namespace gmeta {

namespace {

// An MR×(NP·8) tile of C from rows of op(A) (element (r, p) at a[r·sr + p·sp]) and NP panels
// of 8 columns of op(B) (panel q, row p at b[q·bq + p·bp]); only the first `cols` columns are
// stored.
// MR·NP accumulators stay in registers for the whole K loop.
template <int MR, int NP>
GMETA_SIMD_INLINE void tile(int64_t K, const float* a, int64_t sr, int64_t sp, const float* b, int64_t bq, int64_t bp,
                       float* c, int64_t ldc, int64_t cols, bool acc) {
  v8 s[MR][NP] = {};
  for (int64_t p = 0; p < K; ++p) {
    v8 bv[NP];
    for (int q = 0; q < NP; ++q) bv[q] = load8(b + q * bq + p * bp);
    for (int r = 0; r < MR; ++r) {
      const float x = a[r * sr + p * sp];
      const v8 av = splat8(x);
      for (int q = 0; q < NP; ++q) s[r][q] += av * bv[q];
    }
  }
  if (cols == NP * kLanes) {
    for (int r = 0; r < MR; ++r)
      for (int q = 0; q < NP; ++q) {
        float* dst = c + r * ldc + q * kLanes;
        store8(dst, acc ? load8(dst) + s[r][q] : s[r][q]);
      }
    return;
  }
  for (int r = 0; r < MR; ++r) {
    // Each vector is stored by value: taking the accumulators' address would keep them in
    // memory for the whole K loop instead of in registers.
    float row[NP * kLanes];
    for (int q = 0; q < NP; ++q) store8(row + q * kLanes, s[r][q]);
    float* dst = c + r * ldc;
    for (int64_t j = 0; j < cols; ++j) dst[j] = acc ? dst[j] + row[j] : row[j];
  }
}

// Every row block of 4 (then the 1–3 rows left) against the panels starting at `b`.
template <int NP>
GMETA_SIMD_INLINE void rows(int64_t M, int64_t K, const float* a, int64_t sr, int64_t sp, const float* b, int64_t bq,
                       int64_t bp, float* c, int64_t ldc, int64_t cols, bool acc) {
  int64_t i = 0;
  for (; i + 4 <= M; i += 4) tile<4, NP>(K, a + i * sr, sr, sp, b, bq, bp, c + i * ldc, ldc, cols, acc);
  switch (M - i) {
    case 3: tile<3, NP>(K, a + i * sr, sr, sp, b, bq, bp, c + i * ldc, ldc, cols, acc); break;
    case 2: tile<2, NP>(K, a + i * sr, sr, sp, b, bq, bp, c + i * ldc, ldc, cols, acc); break;
    case 1: tile<1, NP>(K, a + i * sr, sr, sp, b, bq, bp, c + i * ldc, ldc, cols, acc); break;
    default: break;
  }
}

// C[i][j] (+)= dot(row i of op(A), row j of op(B)ᵀ) for outputs too narrow for a panel: both
// operands unit-stride along K (a[i·K + p], bt[j·K + p]), eight partial sums per dot.
GMETA_SIMD_INLINE void dots(int64_t M, int64_t N, int64_t K, const float* a, const float* bt, float* c, bool acc) {
  for (int64_t i = 0; i < M; ++i) {
    const float* ai = a + i * K;
    for (int64_t j = 0; j < N; ++j) {
      const float* bj = bt + j * K;
      v8 part = {};
      int64_t p = 0;
      for (; p + kLanes <= K; p += kLanes) part += load8(ai + p) * load8(bj + p);
      float s = hsum8(part);
      for (; p < K; ++p) s += ai[p] * bj[p];
      c[i * N + j] = acc ? c[i * N + j] + s : s;
    }
  }
}

}  // namespace

GMETA_SIMD_CLONES void small_sgemm(int64_t M, int64_t N, int64_t K, bool ta, bool tb, const float* A, int64_t lda,
                                   const float* B, float* C, bool acc, float* scratch) {
  if (N < kLanes && K >= kLanes) {
    // Narrow outputs (the DLRM interaction's 4×4): dot products over K, both operands
    // row-major along K, copied so where they are not.
    const float* a = A;
    if (ta) {
      for (int64_t p = 0; p < K; ++p)
        for (int64_t i = 0; i < M; ++i) scratch[i * K + p] = A[p * lda + i];
      a = scratch;
      scratch += M * K;
    }
    const float* bt = B;
    if (!tb) {
      for (int64_t p = 0; p < K; ++p)
        for (int64_t j = 0; j < N; ++j) scratch[j * K + p] = B[p * N + j];
      bt = scratch;
    }
    dots(M, N, K, a, bt, C, acc);
    return;
  }
  // op(A) is read in place: a broadcast load takes any stride.
  const int64_t sr = ta ? 1 : K;
  const int64_t sp = ta ? lda : 1;
  const int64_t panels = (N + kLanes - 1) / kLanes;
  // Whole panels of a row-major B are read where they lie; a transposed B, and the last,
  // partial panel, are copied into zero-padded panels of 8 columns first.
  const int64_t direct = tb ? 0 : N / kLanes;
  for (int64_t q = direct; q < panels; ++q) {
    float* panel = scratch + (q - direct) * K * kLanes;
    const int64_t j0 = q * kLanes;
    const int64_t w = N - j0 < kLanes ? N - j0 : kLanes;
    int64_t p0 = 0;
    if (tb && w == kLanes) {
      // Eight rows of a transposed B become a panel eight columns at a time.
      for (; p0 + kLanes <= K; p0 += kLanes) {
        v8 r[kLanes];
        for (int l = 0; l < kLanes; ++l) r[l] = load8(B + (j0 + l) * K + p0);
        transpose8(r);
        for (int l = 0; l < kLanes; ++l) store8(panel + (p0 + l) * kLanes, r[l]);
      }
    }
    for (int64_t p = p0; p < K; ++p) {
      float* dst = panel + p * kLanes;
      if (!tb) {
        std::memcpy(dst, B + p * N + j0, static_cast<size_t>(w) * sizeof(float));
      } else {
        for (int64_t l = 0; l < w; ++l) dst[l] = B[(j0 + l) * K + p];
      }
      for (int64_t l = w; l < kLanes; ++l) dst[l] = 0.0f;
    }
  }
  int64_t q = 0;
  for (; q + 2 <= direct; q += 2) rows<2>(M, K, A, sr, sp, B + q * kLanes, kLanes, N, C + q * kLanes, N, 2 * kLanes, acc);
  for (; q < direct; ++q) rows<1>(M, K, A, sr, sp, B + q * kLanes, kLanes, N, C + q * kLanes, N, kLanes, acc);
  for (; q + 2 <= panels; q += 2) {
    const int64_t cols = N - q * kLanes < 2 * kLanes ? N - q * kLanes : 2 * kLanes;
    rows<2>(M, K, A, sr, sp, scratch + (q - direct) * K * kLanes, K * kLanes, kLanes, C + q * kLanes, N, cols, acc);
  }
  if (q < panels)
    rows<1>(M, K, A, sr, sp, scratch + (q - direct) * K * kLanes, K * kLanes, kLanes, C + q * kLanes, N, N - q * kLanes, acc);
}

int64_t small_sgemm_scratch(int64_t M, int64_t N, int64_t K) {
  const int64_t panels = (N + kLanes - 1) / kLanes * kLanes * K;
  const int64_t narrow = M * K + N * K;
  return panels > narrow ? panels : narrow;
}

}  // namespace gmeta
