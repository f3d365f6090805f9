// What every CUDA kernel file shares: the device's stream, launch sizes and grid-stride loops
// (the index-checked row kernels add index_launch.cuh).
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "../../core/cuda_api.h"
#include "../../core/cuda_check.cuh"
#include "../../core/storage.h"

namespace gmeta {

constexpr int kCudaThreads = 256;

// Makes `device` current for the launches in scope and returns its stream.
class OnDevice {
 public:
  // The caller's device is read before cuda::stream(), which makes `device` current the
  // first time it creates that device's stream.
  explicit OnDevice(int device) {
    GMETA_CUDA_CHECK(cudaGetDevice(&prev_));
    stream_ = static_cast<cudaStream_t>(cuda::stream(device));
    GMETA_CUDA_CHECK(cudaSetDevice(device));
    set_ = prev_ != device;
  }
  ~OnDevice() {
    if (set_) cudaSetDevice(prev_);
  }
  cudaStream_t stream() const { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
  int prev_ = 0;
  bool set_ = false;
};

// The CPU's NaN (quiet, positive, no payload), so NaN results match it bit for bit.
template <typename T>
__device__ __forceinline__ T quiet_nan() {
  if constexpr (sizeof(T) == 4) return __int_as_float(0x7fc00000);
  else return __longlong_as_double(0x7ff8000000000000LL);
}

// Blocks for a grid-stride loop over n items: enough to fill any current GPU, never more.
inline unsigned cuda_blocks(int64_t n, int threads = kCudaThreads) {
  const int64_t b = (n + threads - 1) / threads;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(b, 4096)));
}

#define GMETA_GRID_STRIDE(i, n)                                                   \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

}  // namespace gmeta
