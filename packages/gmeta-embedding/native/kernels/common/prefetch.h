// Software prefetch of a row ahead of use: lookups and updates touch rows in id order, which
// is random over tables much larger than cache.
#pragma once

#include <cstdint>

namespace gmeta {

constexpr int64_t kPrefetchAhead = 8;

inline void prefetchRow(const float* row, int64_t dim) {
  // One request per 64-byte line of the row.
  for (int64_t j = 0; j < dim; j += 16) __builtin_prefetch(row + j, 1, 1);
}

}  // namespace gmeta
