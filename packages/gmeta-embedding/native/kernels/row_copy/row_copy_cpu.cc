#include "row_copy.h"

#include <cstring>

#include "../common/prefetch.h"
#include "../common/simd.h"

namespace gmeta {

int64_t gatherRowsF32(const float* table, int64_t rows, int64_t dim, const int32_t* index, int64_t n,
                      float* out) {
  for (int64_t i = 0; i < n; ++i) {
    if (index[i] < 0 || index[i] >= rows) return i;
  }
  const size_t bytes = static_cast<size_t>(dim) * sizeof(float);
  for (int64_t i = 0; i < n; ++i) {
    // Rows are scattered over a table far larger than cache: ask for later rows early so
    // several DRAM misses are in flight at once.
    if (i + kPrefetchAhead < n) prefetchRow(table + static_cast<int64_t>(index[i + kPrefetchAhead]) * dim, dim);
    std::memcpy(out + i * dim, table + static_cast<int64_t>(index[i]) * dim, bytes);
  }
  return -1;
}

GMETA_SIMD_CLONES int64_t scatterAddRowsF32(float* out, int64_t rows, int64_t dim, const int32_t* index, int64_t n,
                          const float* src) {
  for (int64_t i = 0; i < n; ++i) {
    if (index[i] < 0 || index[i] >= rows) return i;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) prefetchRow(out + static_cast<int64_t>(index[i + kPrefetchAhead]) * dim, dim);
    float* o = out + static_cast<int64_t>(index[i]) * dim;
    const float* s = src + i * dim;
    for (int64_t j = 0; j < dim; ++j) o[j] += s[j];
  }
  return -1;
}

}  // namespace gmeta
