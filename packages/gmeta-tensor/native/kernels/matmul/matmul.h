#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

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

inline void check_matmul_extent(const char* name, int64_t batch, int64_t stride, int64_t size, int64_t numel) {
  if (batch == 0 || size == 0) return;
  if (stride < 0 || (batch - 1) * stride + size > numel)
    throw std::out_of_range(std::string("matmul: ") + name + " is smaller than its matrices");
}

// Argument checks shared by the CPU and CUDA kernels, run once by the launcher below.
inline void check_matmul(const Storage& out, const Storage& a, const Storage& b, const MatmulArgs& p) {
  if (a.dtype() != out.dtype() || b.dtype() != out.dtype())
    throw std::invalid_argument("matmul: expected one dtype for out, a and b");
  if (p.batch < 0 || p.M < 0 || p.N < 0 || p.K < 0)
    throw std::invalid_argument("matmul: expected non-negative batch, M, N and K");
  check_matmul_extent("a", p.batch, p.a_batch_stride, p.M * p.K, a.numel());
  check_matmul_extent("b", p.batch, p.b_batch_stride, p.K * p.N, b.numel());
  if (p.batch * p.M * p.N > out.numel()) throw std::out_of_range("matmul: out is smaller than [batch, M, N]");
}

inline void matmul(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& args) {
  const int device = common_device("matmul", {out.device(), a.device(), b.device()});
  check_matmul(out, a, b, args);
  GMETA_ON_DEVICE("matmul", device, matmul_cpu(out, a, b, args), matmul_cuda(out, a, b, args));
}

}  // namespace gmeta
