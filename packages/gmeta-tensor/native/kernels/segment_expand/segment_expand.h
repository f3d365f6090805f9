// The adjoint of segment pooling: every row of segment s gets src row s; rows outside every
// segment are left as they are (zero in a zeroed output). The gradient of segmentSum, read
// from the offsets on the device, so a captured program needs no host work.
#pragma once
#include <cstdint>
#include <stdexcept>

#include "../../core/device.h"
#include "../../core/storage.h"
#include "../common/segment_check.h"

namespace gmeta {

// Returns -1, or the first segment s whose bounds offsets[s], offsets[s+1] are decreasing or
// outside [0, out_rows]; then out is left untouched.
int64_t segment_expand_cpu(Storage& out, const Storage& src, const Storage& offsets, int64_t num_segments,
                           int64_t out_rows, int64_t dim);
int64_t segment_expand_cuda(Storage& out, const Storage& src, const Storage& offsets, int64_t num_segments,
                            int64_t out_rows, int64_t dim);

inline void check_segment_expand(const Storage& out, const Storage& src, const Storage& offsets,
                                 int64_t num_segments, int64_t out_rows, int64_t dim) {
  check_segment_shapes("segmentExpand", out, src, offsets, num_segments, out_rows, "outRows", false, dim);
}

inline int64_t segment_expand(Storage& out, const Storage& src, const Storage& offsets, int64_t num_segments,
                              int64_t out_rows, int64_t dim) {
  const int device = common_device("segmentExpand", {out.device(), src.device(), offsets.device()});
  check_segment_expand(out, src, offsets, num_segments, out_rows, dim);
  GMETA_ON_DEVICE("segmentExpand", device, segment_expand_cpu(out, src, offsets, num_segments, out_rows, dim),
                  segment_expand_cuda(out, src, offsets, num_segments, out_rows, dim));
}

}  // namespace gmeta
