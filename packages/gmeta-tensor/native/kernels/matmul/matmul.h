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

// A linear layer's bias and activation applied to C as each block of rows is computed (while
// it is in cache), instead of two more passes over C: C[i][r] = act(C[i][r] + bias row) with
// bias row (i·M + r) / bias_rows of the [*, N] bias, or its only row when bias_rows is 0.
struct MatmulEpilogue {
  int64_t bias_rows;
  bool relu;
};

void matmul_cpu(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& args);
void matmul_cuda(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& args);
void matmul_bias_cpu(Storage& out, const Storage& a, const Storage& b, const Storage& bias, const MatmulArgs& args,
                     const MatmulEpilogue& e);
void matmul_bias_cuda(Storage& out, const Storage& a, const Storage& b, const Storage& bias, const MatmulArgs& args,
                      const MatmulEpilogue& e);

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

inline void matmul_bias(Storage& out, const Storage& a, const Storage& b, const Storage& bias, const MatmulArgs& args,
                        const MatmulEpilogue& e) {
  const int device = common_device("matmul", {out.device(), a.device(), b.device(), bias.device()});
  check_matmul(out, a, b, args);
  if (bias.dtype() != out.dtype()) throw std::invalid_argument("matmul: expected the bias in out's dtype");
  if (args.accumulate) throw std::invalid_argument("matmul: a bias epilogue does not accumulate");
  if (e.bias_rows < 0) throw std::invalid_argument("matmul: expected non-negative biasRows");
  const int64_t rows = args.batch * args.M;
  const int64_t vectors = e.bias_rows == 0 || rows == 0 ? 1 : (rows - 1) / e.bias_rows + 1;
  if (vectors * args.N > bias.numel()) throw std::out_of_range("matmul: bias is smaller than its rows x N");
  GMETA_ON_DEVICE("matmul", device, matmul_bias_cpu(out, a, b, bias, args, e), matmul_bias_cuda(out, a, b, bias, args, e));
}

}  // namespace gmeta
