// GEMM on the GPU through cuBLAS (loaded at run time). cuBLAS is column-major: a row-major
// C = op(A)·op(B) is the column-major C^T = op(B)^T·op(A)^T, so the operands swap places and
// keep their transposes. One strided-batched call covers every batch, stride 0 broadcasting.
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../core/cublas_loader.h"
#include "../common/cuda_kernel.cuh"
#include "matmul.h"

namespace gmeta {

namespace {

void check_status(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("matmul: cuBLAS ") + what + " failed with status " + std::to_string(s));
}

// cuBLAS's own workspace allocation would be a cudaMalloc inside a CUDA graph capture; a
// fixed workspace per handle keeps every GEMM capturable. NVIDIA's guidance: 32 MiB on
// Hopper, 4 MiB before it.
size_t workspace_bytes(int device) {
  int major = 0;
  GMETA_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
  return static_cast<size_t>(major >= 9 ? 32 : 4) << 20;
}

// One handle per device, bound to the device's stream, with a fixed workspace (never freed:
// the handle lives as long as the process).
cublasHandle_t handle_for(int device, cudaStream_t stream) {
  static std::mutex mu;
  static std::vector<cublasHandle_t> handles;
  const CublasApi& api = cublas_api();
  std::lock_guard<std::mutex> lock(mu);
  if (handles.size() <= static_cast<size_t>(device)) handles.resize(static_cast<size_t>(device) + 1, nullptr);
  cublasHandle_t& h = handles[static_cast<size_t>(device)];
  if (!h) {
    check_status(api.create(&h), "cublasCreate");
    check_status(api.set_stream(h, stream), "cublasSetStream");
    const size_t bytes = workspace_bytes(device);
    check_status(api.set_workspace(h, cuda::alloc(device, bytes), bytes), "cublasSetWorkspace");
  }
  return h;
}

int narrow(int64_t v, const char* what) {
  if (v > 0x7fffffff) throw std::invalid_argument(std::string("matmul: ") + what + " exceeds 2^31 - 1 on CUDA");
  return static_cast<int>(v);
}

template <typename T>
__global__ void zero_kernel(T* p, int64_t n) {
  GMETA_GRID_STRIDE(i, n) p[i] = T(0);
}

template <typename T>
__global__ void epilogue_kernel(T* c, const T* bias, int64_t rows, int64_t n, int64_t bias_rows, bool relu) {
  GMETA_GRID_STRIDE(t, rows * n) {
    const int64_t r = t / n, j = t % n;
    const T v = c[t] + bias[(bias_rows > 0 ? r / bias_rows * n : 0) + j];
    c[t] = relu ? (v > T(0) ? v : T(0)) : v;
  }
}

}  // namespace

// The GEMM, then one pass over C for the bias and activation (cuBLAS's own epilogues need
// cublasLt, which this build does not load).
void matmul_bias_cuda(Storage& out, const Storage& a, const Storage& b, const Storage& bias, const MatmulArgs& p,
                      const MatmulEpilogue& e) {
  matmul_cuda(out, a, b, p);
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;
  OnDevice on(out.device());
  dispatch_float("matmul", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t rows = p.batch * p.M;
    epilogue_kernel<T><<<cuda_blocks(rows * p.N), kCudaThreads, 0, on.stream()>>>(out.ptr<T>(), bias.ptr<T>(), rows, p.N,
                                                                                 e.bias_rows, e.relu);
    GMETA_CUDA_LAUNCHED();
  });
}

void matmul_cuda(Storage& out, const Storage& a, const Storage& b, const MatmulArgs& p) {
  if (!is_float(out.dtype())) unsupported_dtype("matmul", out.dtype());
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;
  OnDevice on(out.device());
  dispatch_float("matmul", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (p.K == 0) {
      if (!p.accumulate) {
        const int64_t n = p.batch * p.M * p.N;
        zero_kernel<T><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(out.ptr<T>(), n);
        GMETA_CUDA_LAUNCHED();
      }
      return;
    }
    const CublasApi& api = cublas_api();
    cublasHandle_t h = handle_for(out.device(), on.stream());
    const int M = narrow(p.M, "M"), N = narrow(p.N, "N"), K = narrow(p.K, "K"), batch = narrow(p.batch, "batch");
    const int lda = p.trans_a ? M : K;
    const int ldb = p.trans_b ? K : N;
    const cublasOperation_t opa = p.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t opb = p.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const T alpha = T(1), beta = p.accumulate ? T(1) : T(0);
    cublasStatus_t s;
    if constexpr (std::is_same_v<T, float>) {
      s = api.sgemm_strided_batched(h, opb, opa, N, M, K, &alpha, b.ptr<T>(), ldb, p.b_batch_stride,
                                    a.ptr<T>(), lda, p.a_batch_stride, &beta, out.ptr<T>(), N,
                                    static_cast<long long>(p.M) * p.N, batch);
    } else {
      s = api.dgemm_strided_batched(h, opb, opa, N, M, K, &alpha, b.ptr<T>(), ldb, p.b_batch_stride,
                                    a.ptr<T>(), lda, p.a_batch_stride, &beta, out.ptr<T>(), N,
                                    static_cast<long long>(p.M) * p.N, batch);
    }
    check_status(s, "gemmStridedBatched");
  });
}

}  // namespace gmeta
