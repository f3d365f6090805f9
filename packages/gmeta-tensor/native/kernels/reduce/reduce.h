#pragma once
#include <cstdint>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Codes shared with TypeScript (AddonTypes.ts: ReduceOp).
enum class ReduceOp : int { Sum = 0, Mean = 1, Max = 2, Min = 3 };

void reduce_cpu(ReduceOp op, Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                int64_t inner);
void reduce_cuda(ReduceOp op, Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                  int64_t inner);

inline void reduce(ReduceOp op, Storage& out, const Storage& a, int64_t outer, int64_t axis_len,
                   int64_t inner) {
  const int device = common_device("reduce", {out.device(), a.device()});
  GMETA_ON_DEVICE("reduce", device, reduce_cpu(op, out, a, outer, axis_len, inner), reduce_cuda(op, out, a, outer, axis_len, inner));
}

}  // namespace gmeta
