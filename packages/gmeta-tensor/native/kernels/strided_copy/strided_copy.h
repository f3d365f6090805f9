#pragma once
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "../../core/device.h"
#include "../../core/storage.h"
#include "../common/strided.h"

namespace gmeta {

void strided_copy_cpu(Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                      const Storage& src, int64_t src_offset,
                      const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape);
void strided_copy_cuda(Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                        const Storage& src, int64_t src_offset,
                        const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape);

// Argument checks shared by the CPU and CUDA kernels, run once by the launcher below.
inline void check_strided_copy(const Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                               const Storage& src, int64_t src_offset,
                               const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape) {
  if (dst.dtype() != src.dtype())
    throw std::invalid_argument("stridedCopy: expected the same dtype for dst and src");
  check_strided_bounds("stridedCopy", "dst", dst.numel(), dst_offset, dst_strides, shape);
  check_strided_bounds("stridedCopy", "src", src.numel(), src_offset, src_strides, shape);
}

inline void strided_copy(Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                         const Storage& src, int64_t src_offset,
                         const std::vector<int64_t>& src_strides,
                         const std::vector<int64_t>& shape) {
  const int device = common_device("stridedCopy", {dst.device(), src.device()});
  check_strided_copy(dst, dst_offset, dst_strides, src, src_offset, src_strides, shape);
  GMETA_ON_DEVICE("stridedCopy", device, strided_copy_cpu(dst, dst_offset, dst_strides, src, src_offset, src_strides, shape), strided_copy_cuda(dst, dst_offset, dst_strides, src, src_offset, src_strides, shape));
}

}  // namespace gmeta
