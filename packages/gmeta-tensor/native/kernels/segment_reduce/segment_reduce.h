#pragma once
#include <cstdint>
#include <stdexcept>

#include "../../core/device.h"
#include "../../core/storage.h"
#include "../common/segment_check.h"

namespace gmeta {

// Codes shared with TypeScript (AddonTypes.ts: SegmentMode).
enum class SegmentMode : int { Sum = 0, Mean = 1 };

// Returns -1, or the first segment s whose bounds offsets[s], offsets[s+1] are decreasing or
// outside [0, src_rows]; then out is left untouched.
int64_t segment_reduce_cpu(SegmentMode mode, Storage& out, const Storage& src,
                           const Storage& offsets, int64_t num_segments, int64_t src_rows,
                           int64_t dim);
int64_t segment_reduce_cuda(SegmentMode mode, Storage& out, const Storage& src,
                             const Storage& offsets, int64_t num_segments, int64_t src_rows,
                             int64_t dim);

// Argument checks shared by the CPU and CUDA kernels, run once by the launcher below.
inline void check_segment_reduce(SegmentMode mode, const Storage& out, const Storage& src,
                                 const Storage& offsets, int64_t num_segments, int64_t src_rows,
                                 int64_t dim) {
  check_segment_shapes("segmentReduce", out, src, offsets, num_segments, src_rows, "srcRows", true, dim);
  if (mode != SegmentMode::Sum && mode != SegmentMode::Mean)
    throw std::invalid_argument("segmentReduce: unknown mode");
}

inline int64_t segment_reduce(SegmentMode mode, Storage& out, const Storage& src,
                              const Storage& offsets, int64_t num_segments, int64_t src_rows,
                              int64_t dim) {
  const int device = common_device("segmentReduce", {out.device(), src.device(), offsets.device()});
  check_segment_reduce(mode, out, src, offsets, num_segments, src_rows, dim);
  GMETA_ON_DEVICE("segmentReduce", device, segment_reduce_cpu(mode, out, src, offsets, num_segments, src_rows, dim), segment_reduce_cuda(mode, out, src, offsets, num_segments, src_rows, dim));
}

}  // namespace gmeta
