#pragma once
#include <cstdint>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

struct MatmulArgs {
  int64_t batch, M, N, K;
  bool trans_a, trans_b;
  int64_t a_batch_stride, b_batch_stride;
  bool accumulate;
};

void matmul_cpu(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& args);
void matmul_cuda(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& args);

inline void matmul(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& args) {
  const int device = common_device("matmul", {out.device(), a.device(), b.device()});
  GMETA_ON_DEVICE("matmul", device, matmul_cpu(out, a, b, args), matmul_cuda(out, a, b, args));
}

}  // namespace gmeta
