#pragma once
#include <cstdint>
#include <vector>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void where_cpu(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
               const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
               const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides);
void where_cuda(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
                const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
                const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides);

inline void where(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
                  const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
                  const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides) {
  const int device = common_device("where", {out.device(), cond.device(), a.device(), b.device()});
  GMETA_ON_DEVICE("where", device, where_cpu(out, cond, a, b, shape, cond_strides, a_strides, b_strides), where_cuda(out, cond, a, b, shape, cond_strides, a_strides, b_strides));
}

}  // namespace gmeta
