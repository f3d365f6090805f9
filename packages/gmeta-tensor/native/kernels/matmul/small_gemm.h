// A register-tiled float GEMM for matrices small enough that OpenBLAS's per-call dispatch and
// packing cost more than the arithmetic: per-task fast weights, their gradients, the DLRM
// interaction, batched over tasks. Row-major; C[M×N] (+)= op(A)[M×K] · op(B)[K×N].
#pragma once
#include <cstdint>

namespace gmeta {

// `scratch` holds small_sgemm_scratch(M, N, K) floats. A transposed A is read with leading
// dimension `lda` (>= M: rows [m0, m0 + M) of a taller product start at A + m0); a plain A
// and the other operands are contiguous.
void small_sgemm(int64_t M, int64_t N, int64_t K, bool ta, bool tb, const float* A, int64_t lda, const float* B, float* C,
                 bool acc, float* scratch);
int64_t small_sgemm_scratch(int64_t M, int64_t N, int64_t K);

}  // namespace gmeta
