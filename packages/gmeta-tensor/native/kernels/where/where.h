#pragma once
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "../../core/device.h"
#include "../../core/storage.h"
#include "../common/strided.h"

namespace gmeta {

void where_cpu(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
               const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
               const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides);
void where_cuda(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
                const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
                const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides);

// Argument checks shared by the CPU and CUDA kernels, run once by the launcher below.
inline void check_where(const Storage& out, const Storage& cond, const Storage& a, const Storage& b,
                        const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
                        const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides) {
  if (a.dtype() != out.dtype() || b.dtype() != out.dtype())
    throw std::invalid_argument("where: expected one dtype for out, a and b");
  if (shape_numel(shape) > out.numel()) throw std::out_of_range("where: out is smaller than shape");
  check_strided_bounds("where", "cond", cond.numel(), 0, cond_strides, shape);
  check_strided_bounds("where", "a", a.numel(), 0, a_strides, shape);
  check_strided_bounds("where", "b", b.numel(), 0, b_strides, shape);
}

inline void where(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
                  const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
                  const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides) {
  const int device = common_device("where", {out.device(), cond.device(), a.device(), b.device()});
  check_where(out, cond, a, b, shape, cond_strides, a_strides, b_strides);
  GMETA_ON_DEVICE("where", device, where_cpu(out, cond, a, b, shape, cond_strides, a_strides, b_strides), where_cuda(out, cond, a, b, shape, cond_strides, a_strides, b_strides));
}

}  // namespace gmeta
