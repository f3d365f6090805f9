// What every CUDA kernel file shares: the device's stream, launch sizes, grid-stride loops
// and the "first bad index" search the row kernels report through.
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

// Device-side scan for the first position whose predicate fails; the answer comes back to the
// host (one small synchronous copy), because the API returns it.
template <typename I>
__global__ void first_out_of_range_kernel(const I* idx, int64_t n, int64_t rows,
                                          unsigned long long* first) {
  GMETA_GRID_STRIDE(i, n) {
    const int64_t v = static_cast<int64_t>(idx[i]);
    if (v < 0 || v >= rows) atomicMin(first, static_cast<unsigned long long>(i));
  }
}

// Holds one device word for a first-bad-position search; returns -1 or the position.
class FirstBad {
 public:
  FirstBad(int device, cudaStream_t s) : device_(device), stream_(s) {
    word_ = static_cast<unsigned long long*>(cuda::alloc(device, sizeof(unsigned long long)));
    GMETA_CUDA_CHECK(cudaMemsetAsync(word_, 0xff, sizeof(unsigned long long), s));
  }
  ~FirstBad() { cuda::free(device_, word_, sizeof(unsigned long long)); }
  unsigned long long* word() const { return word_; }
  int64_t result() const {
    unsigned long long v = 0;
    GMETA_CUDA_CHECK(cudaMemcpyAsync(&v, word_, sizeof v, cudaMemcpyDeviceToHost, stream_));
    GMETA_CUDA_CHECK(cudaStreamSynchronize(stream_));
    return v == ~0ULL ? -1 : static_cast<int64_t>(v);
  }

 private:
  int device_;
  cudaStream_t stream_;
  unsigned long long* word_;
};

template <typename I>
int64_t cuda_first_out_of_range(int device, cudaStream_t s, const I* idx, int64_t n, int64_t rows) {
  if (n == 0) return -1;
  FirstBad bad(device, s);
  first_out_of_range_kernel<I><<<cuda_blocks(n), kCudaThreads, 0, s>>>(idx, n, rows, bad.word());
  GMETA_CUDA_LAUNCHED();
  return bad.result();
}

}  // namespace gmeta
