#pragma once
#include <cstdint>
#include <vector>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void strided_copy_cpu(Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                      const Storage& src, int64_t src_offset,
                      const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape);
void strided_copy_cuda(Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                        const Storage& src, int64_t src_offset,
                        const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape);

inline void strided_copy(Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                         const Storage& src, int64_t src_offset,
                         const std::vector<int64_t>& src_strides,
                         const std::vector<int64_t>& shape) {
  const int device = common_device("stridedCopy", {dst.device(), src.device()});
  GMETA_ON_DEVICE("stridedCopy", device, strided_copy_cpu(dst, dst_offset, dst_strides, src, src_offset, src_strides, shape), strided_copy_cuda(dst, dst_offset, dst_strides, src, src_offset, src_strides, shape));
}

}  // namespace gmeta
