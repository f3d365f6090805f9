// The bounds check of segment offsets on the device, shared by segment pooling and its
// adjoint: the first segment whose offsets are decreasing or outside [0, rows].
#pragma once
#include <cstdint>

#include "cuda_kernel.cuh"

namespace gmeta {

template <typename I>
__global__ void bad_segment_kernel(const I* off, int64_t segments, int64_t rows, unsigned long long* first) {
  GMETA_GRID_STRIDE(s, segments) {
    const int64_t lo = static_cast<int64_t>(off[s]), hi = static_cast<int64_t>(off[s + 1]);
    if (lo < 0 || lo > rows || hi < 0 || hi > rows || hi < lo) atomicMin(first, static_cast<unsigned long long>(s));
  }
}

// Runs the check on the device's stream and returns the first bad segment, or -1.
template <typename I>
int64_t first_bad_segment_cuda(int device, cudaStream_t stream, const I* off, int64_t segments, int64_t rows) {
  FirstBad first(device, stream);
  bad_segment_kernel<I><<<cuda_blocks(segments), kCudaThreads, 0, stream>>>(off, segments, rows, first.word());
  GMETA_CUDA_LAUNCHED();
  return first.result();
}

}  // namespace gmeta
