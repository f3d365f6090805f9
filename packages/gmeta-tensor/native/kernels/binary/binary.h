#pragma once
#include <cstdint>
#include <vector>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Codes shared with TypeScript (AddonTypes.ts: BinaryOp).
enum class BinaryOp : int {
  Add = 0, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge
};

void binary_cpu(BinaryOp op, Storage& out, const Storage& a, const Storage& b,
                const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                const std::vector<int64_t>& b_strides);
void binary_cuda(BinaryOp op, Storage& out, const Storage& a, const Storage& b,
                  const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                  const std::vector<int64_t>& b_strides);

inline void binary(BinaryOp op, Storage& out, const Storage& a, const Storage& b,
                   const std::vector<int64_t>& shape, const std::vector<int64_t>& a_strides,
                   const std::vector<int64_t>& b_strides) {
  const int device = common_device("binary", {out.device(), a.device(), b.device()});
  GMETA_ON_DEVICE("binary", device, binary_cpu(op, out, a, b, shape, a_strides, b_strides), binary_cuda(op, out, a, b, shape, a_strides, b_strides));
}

}  // namespace gmeta
