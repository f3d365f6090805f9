// Fused sparse optimizer steps on device rows: the CUDA twins of sparse_optim_cpu.cc, with
// the same arithmetic per element (float, moments then weights) so both devices agree to
// rounding. Index rows are unique (the caller sums duplicates first), so no two threads
// write one row and no atomics are needed.
#include <cuda_runtime.h>
#include <gmeta/cuda_check.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "sparse_optim.h"

namespace gmeta {

namespace {

constexpr int kThreads = 256;

int blocksFor(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<int>(b < 65535 * 32 ? b : 65535 * 32);
}

__global__ void sgdKernel(float* w, int64_t dim, const int32_t* index, const float* g, int64_t total, float lr) {
  for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t i = e / dim;
    const int64_t j = e - i * dim;
    w[static_cast<int64_t>(index[i]) * dim + j] -= lr * g[e];
  }
}

__global__ void adagradKernel(float* w, int64_t dim, const int32_t* index, const float* g, int64_t total, float* s,
                              float lr, float eps) {
  for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t i = e / dim;
    const int64_t at = static_cast<int64_t>(index[i]) * dim + (e - i * dim);
    const float gi = g[e];
    const float si = s[at] + gi * gi;
    s[at] = si;
    w[at] -= lr * gi / (sqrtf(si) + eps);
  }
}

// Row-wise Adagrad: one warp per row reduces mean(g^2) (in double, as the host does), lane 0
// updates the row's accumulator, then the warp scales the row.
__global__ void adagradRowKernel(float* w, int64_t dim, const int32_t* index, const float* g, int64_t n, float* s,
                                 float lr, float eps) {
  const int lane = threadIdx.x & 31;
  const int64_t warp = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) >> 5;
  const int64_t warps = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5;
  for (int64_t i = warp; i < n; i += warps) {
    const float* gi = g + i * dim;
    double sq = 0;
    for (int64_t j = lane; j < dim; j += 32) sq += static_cast<double>(gi[j]) * gi[j];
    for (int off = 16; off > 0; off >>= 1) sq += __shfl_down_sync(0xffffffffu, sq, off);
    sq = __shfl_sync(0xffffffffu, sq, 0);
    const int64_t row = index[i];
    const float si = s[row] + static_cast<float>(sq / static_cast<double>(dim));
    __syncwarp();
    if (lane == 0) s[row] = si;
    const float scale = lr / (sqrtf(si) + eps);
    float* wi = w + row * dim;
    for (int64_t j = lane; j < dim; j += 32) wi[j] -= scale * gi[j];
  }
}

__global__ void adamKernel(float* w, int64_t dim, const int32_t* index, const float* g, int64_t total, float* m,
                           float* v, float beta1, float beta2, float eps, float stepSize, float c2) {
  for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t i = e / dim;
    const int64_t at = static_cast<int64_t>(index[i]) * dim + (e - i * dim);
    const float gi = g[e];
    const float mi = beta1 * m[at] + (1.0f - beta1) * gi;
    const float vi = beta2 * v[at] + (1.0f - beta2) * gi * gi;
    m[at] = mi;
    v[at] = vi;
    w[at] -= stepSize * mi / (sqrtf(vi) / c2 + eps);
  }
}

cudaStream_t prepare(int device, void* stream) {
  GMETA_CUDA_CHECK(cudaSetDevice(device));
  return static_cast<cudaStream_t>(stream);
}

}  // namespace

bool cudaUsable(std::string* why) {
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    cudaGetLastError();
    if (why) *why = std::string("cudaGetDeviceCount: ") + cudaGetErrorName(err) + ": " + cudaGetErrorString(err);
    return false;
  }
  if (n == 0) {
    if (why) *why = "no CUDA device";
    return false;
  }
  return true;
}

void sparseSgdCuda(int device, void* stream, const SparseRows& r, float lr) {
  if (r.n == 0) return;
  cudaStream_t s = prepare(device, stream);
  const int64_t total = r.n * r.dim;
  sgdKernel<<<blocksFor(total), kThreads, 0, s>>>(r.weights, r.dim, r.index, r.grads, total, lr);
  GMETA_CUDA_CHECK(cudaGetLastError());
}

void sparseAdagradCuda(int device, void* stream, const SparseRows& r, float* state, bool rowWise, float lr,
                       float eps) {
  if (r.n == 0) return;
  cudaStream_t s = prepare(device, stream);
  if (rowWise) {
    adagradRowKernel<<<blocksFor(r.n * 32), kThreads, 0, s>>>(r.weights, r.dim, r.index, r.grads, r.n, state, lr, eps);
  } else {
    const int64_t total = r.n * r.dim;
    adagradKernel<<<blocksFor(total), kThreads, 0, s>>>(r.weights, r.dim, r.index, r.grads, total, state, lr, eps);
  }
  GMETA_CUDA_CHECK(cudaGetLastError());
}

void sparseAdamCuda(int device, void* stream, const SparseRows& r, float* m, float* v, float lr, float beta1,
                    float beta2, float eps, int64_t step) {
  if (r.n == 0) return;
  cudaStream_t s = prepare(device, stream);
  // Bias corrections in double on the host, exactly as sparse_optim_cpu.cc computes them.
  const double t = static_cast<double>(step);
  const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(beta1), t));
  const float c2 = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(beta2), t)));
  const int64_t total = r.n * r.dim;
  adamKernel<<<blocksFor(total), kThreads, 0, s>>>(r.weights, r.dim, r.index, r.grads, total, m, v, beta1, beta2, eps,
                                                  lr / c1, c2);
  GMETA_CUDA_CHECK(cudaGetLastError());
}

}  // namespace gmeta
