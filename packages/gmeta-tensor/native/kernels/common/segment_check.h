// The argument checks segmentReduce (rows into segments) and segmentExpand (segments back to
// rows) share, run once by each launcher before the CPU or CUDA kernel.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "../../core/storage.h"

namespace gmeta {

// `rows` (named `rows_name` in errors) is the row count of src when rows_are_src (reduce), of out
// otherwise (expand); the other side has num_segments rows. Every row has `dim` values.
inline void check_segment_shapes(const char* op, const Storage& out, const Storage& src, const Storage& offsets,
                                 int64_t num_segments, int64_t rows, const char* rows_name, bool rows_are_src,
                                 int64_t dim) {
  const std::string o = op;
  if (src.dtype() != out.dtype()) throw std::invalid_argument(o + ": expected one dtype for out and src");
  if (num_segments < 0 || rows < 0 || dim < 0)
    throw std::invalid_argument(o + ": expected non-negative numSegments, " + rows_name + " and dim");
  if (offsets.numel() < num_segments + 1) throw std::out_of_range(o + ": offsets needs numSegments + 1 entries");
  const int64_t src_rows = rows_are_src ? rows : num_segments, out_rows = rows_are_src ? num_segments : rows;
  const std::string src_name = rows_are_src ? rows_name : "numSegments", out_name = rows_are_src ? "numSegments" : rows_name;
  if (src_rows * dim > src.numel()) throw std::out_of_range(o + ": src is smaller than " + src_name + " x dim");
  if (out_rows * dim > out.numel()) throw std::out_of_range(o + ": out is smaller than " + out_name + " x dim");
}

}  // namespace gmeta
