#pragma once
#include <cstdint>
#include <stdexcept>

#include "../../core/device.h"
#include "../../core/storage.h"

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
  if (src.dtype() != out.dtype()) throw std::invalid_argument("segmentReduce: expected one dtype for out and src");
  if (num_segments < 0 || src_rows < 0 || dim < 0)
    throw std::invalid_argument("segmentReduce: expected non-negative numSegments, srcRows and dim");
  if (offsets.numel() < num_segments + 1)
    throw std::out_of_range("segmentReduce: offsets needs numSegments + 1 entries");
  if (src_rows * dim > src.numel()) throw std::out_of_range("segmentReduce: src is smaller than srcRows x dim");
  if (num_segments * dim > out.numel()) throw std::out_of_range("segmentReduce: out is smaller than numSegments x dim");
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
