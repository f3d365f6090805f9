// Index validation shared by the row kernels: the first bad position is the answer the
// caller reports, so the scan is serial and runs before anything is written.
#pragma once
#include <cstdint>

namespace gmeta {

template <typename I>
int64_t first_out_of_range(const I* idx, int64_t n, int64_t rows) {
  for (int64_t i = 0; i < n; ++i)
    if (idx[i] < 0 || static_cast<int64_t>(idx[i]) >= rows) return i;
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
  for (int64_t s = 0; s < segments; ++s) {
    const int64_t lo = static_cast<int64_t>(off[s]), hi = static_cast<int64_t>(off[s + 1]);
    if (lo < 0 || lo > rows || hi < 0 || hi > rows || hi < lo) return s;
  }
  return -1;
}

}  // namespace gmeta
