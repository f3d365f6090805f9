#pragma once
#include <cstdint>
#include <vector>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void where_cpu(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
               const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
               const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides);

inline void where(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
                  const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
                  const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides) {
  require_cpu("where", out.device());
  require_cpu("where", cond.device());
  require_cpu("where", a.device());
  require_cpu("where", b.device());
  where_cpu(out, cond, a, b, shape, cond_strides, a_strides, b_strides);
}

}  // namespace gmeta
