// Fused sparse optimizer updates on the rows of one shard, in place. Inputs are checked by
// the binding before these run; each kernel still refuses a row index outside the shard
// (returns its position) so that a bad caller corrupts nothing.
#pragma once

#include <cstdint>

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
