// Index validation shared by the row kernels: the first bad position is the answer the
// caller reports, so the scan is serial and runs before anything is written. The predicates
// compile for the device too, so the CUDA check and the kernels' own guards agree with it.
#pragma once
#include <cstdint>

#include "hd.h"

namespace gmeta {

template <typename I>
GMETA_HD inline bool row_in_range(I v, int64_t rows) {
  return v >= 0 && static_cast<int64_t>(v) < rows;
}

// A segment's bounds: increasing and inside [0, rows].
template <typename I>
GMETA_HD inline bool segment_in_range(I lo_i, I hi_i, int64_t rows) {
  const int64_t lo = static_cast<int64_t>(lo_i), hi = static_cast<int64_t>(hi_i);
  return lo >= 0 && lo <= rows && hi >= 0 && hi <= rows && hi >= lo;
}

template <typename I>
int64_t first_out_of_range(const I* idx, int64_t n, int64_t rows) {
  for (int64_t i = 0; i < n; ++i)
    if (!row_in_range(idx[i], rows)) return i;
  return -1;
}

// Rows per parallel piece so that a piece moves about `elements` values.
inline int64_t row_grain(int64_t dim, int64_t elements = 32768) {
  return dim > 0 ? (elements + dim - 1) / dim : elements;
}

// The first segment s whose bounds offsets[s], offsets[s+1] are decreasing or outside
// [0, rows], or -1 (segment pooling and its adjoint).
template <typename I>
int64_t first_bad_segment(const I* off, int64_t segments, int64_t rows) {
  for (int64_t s = 0; s < segments; ++s)
    if (!segment_in_range(off[s], off[s + 1], rows)) return s;
  return -1;
}

}  // namespace gmeta
