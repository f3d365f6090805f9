#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../core/device.h"
#include "../../core/storage.h"
#include "../common/strided.h"

namespace gmeta {

// Codes shared with TypeScript (AddonTypes.ts: BinaryOp).
enum class BinaryOp : int {
  Add = 0, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge,
  // a where b > 0, else 0: ReLU's backward in one pass (torch's threshold_backward).
  PositiveMask
};

void binary_cpu(BinaryOp op, Storage& out, const Storage& a, const Storage& b,
                const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                const std::vector<int64_t>& b_strides);
void binary_cuda(BinaryOp op, Storage& out, const Storage& a, const Storage& b,
                  const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                  const std::vector<int64_t>& b_strides);

// Argument checks shared by the CPU and CUDA kernels, run once by the launcher below.
inline void check_binary(BinaryOp op, const Storage& out, const Storage& a, const Storage& b,
                         const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                         const std::vector<int64_t>& b_strides) {
  if (a.dtype() != out.dtype() || b.dtype() != out.dtype())
    throw std::invalid_argument("binary: expected one dtype for out, a and b");
  if (static_cast<int>(op) < 0 || static_cast<int>(op) > static_cast<int>(BinaryOp::PositiveMask))
    throw std::invalid_argument("binary: unknown op " + std::to_string(static_cast<int>(op)));
  if (shape_numel(shape) > out.numel()) throw std::out_of_range("binary: out is smaller than shape");
  check_strided_bounds("binary", "a", a.numel(), 0, a_strides, shape);
  check_strided_bounds("binary", "b", b.numel(), 0, b_strides, shape);
}

inline void binary(BinaryOp op, Storage& out, const Storage& a, const Storage& b,
                   const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                   const std::vector<int64_t>& b_strides) {
  const int device = common_device("binary", {out.device(), a.device(), b.device()});
  check_binary(op, out, a, b, shape, a_strides, b_strides);
  GMETA_ON_DEVICE("binary", device, binary_cpu(op, out, a, b, shape, a_strides, b_strides), binary_cuda(op, out, a, b, shape, a_strides, b_strides));
}

}  // namespace gmeta
