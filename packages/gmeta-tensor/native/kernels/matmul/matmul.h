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

inline void matmul(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& args) {
  require_cpu("matmul", out.device());
  require_cpu("matmul", a.device());
  require_cpu("matmul", b.device());
  matmul_cpu(out, a, b, args);
}

}  // namespace gmeta
