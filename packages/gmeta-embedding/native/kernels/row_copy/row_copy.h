// Row gather and scatter-add between a shard and a contiguous buffer: the owner's side of
// a lookup and of a gradient exchange.
#pragma once

#include <cstdint>

namespace gmeta {

// out[i] = table[index[i]]; returns the position of the first index outside [0, rows), else -1.
int64_t gatherRowsF32(const float* table, int64_t rows, int64_t dim, const int32_t* index, int64_t n,
                      float* out);

// out[index[i]] += src[i]; returns the position of the first bad index, else -1.
int64_t scatterAddRowsF32(float* out, int64_t rows, int64_t dim, const int32_t* index, int64_t n,
                          const float* src);

}  // namespace gmeta
