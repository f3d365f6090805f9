// Fused sparse optimizer updates on the rows of one shard, in place. Inputs are checked by
// the binding before these run; each CPU kernel still refuses a row index outside the shard
// (returns its position) so that a bad caller corrupts nothing. The CUDA twins check nothing:
// their callers (RowShard) check every index against the shard on the host first.
#pragma once

#include <cstdint>
#include <string>

namespace gmeta {

struct SparseRows {
  float* weights;        // [rows, dim]
  int64_t rows;
  int64_t dim;
  const int32_t* index;  // [n] unique local rows
  const float* grads;    // [n, dim] summed gradient of each row
  int64_t n;
};

// w -= lr * g
int64_t sparseSgd(const SparseRows& r, float lr);

// Element-wise: s += g^2; w -= lr * g / (sqrt(s) + eps). state is [rows, dim].
// Row-wise: s_row += mean(g^2); w -= lr * g / (sqrt(s_row) + eps). state is [rows].
int64_t sparseAdagrad(const SparseRows& r, float* state, bool rowWise, float lr, float eps);

// Lazy Adam (torch.optim.SparseAdam): only the given rows' moments move; bias correction
// uses the table's step count `step` (>= 1), the same for every row.
int64_t sparseAdam(const SparseRows& r, float* m, float* v, float lr, float beta1, float beta2,
                   float eps, int64_t step);

}  // namespace gmeta

#ifdef GMETA_WITH_CUDA
namespace gmeta {

// The same updates on device rows. Every pointer of `r` is a device pointer; `index` was
// checked against `rows` by the caller (the binding's callers validate on the host first,
// where the ids came from). Work is queued on `stream` (a cudaStream_t) after `device` is
// made current; nothing synchronises here.
void sparseSgdCuda(int device, void* stream, const SparseRows& r, float lr);
void sparseAdagradCuda(int device, void* stream, const SparseRows& r, float* state, bool rowWise, float lr, float eps);
void sparseAdamCuda(int device, void* stream, const SparseRows& r, float* m, float* v, float lr, float beta1,
                    float beta2, float eps, int64_t step);

// Whether this addon's CUDA runtime sees a device, and why not (for error messages).
bool cudaUsable(std::string* why);

}  // namespace gmeta
#endif
