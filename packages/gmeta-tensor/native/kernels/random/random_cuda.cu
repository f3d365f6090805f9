// The CPU's counter scheme on the GPU: element i draws Philox block (offset + i, seed), and the
// same philox.h computes it, so uniform draws equal the CPU's bit for bit. Normal draws go
// through log / sqrt / cos in double, whose last bit may differ between libdevice and glibc.
#include <stdexcept>

#include "../common/cuda_kernel.cuh"
#include "philox.h"
#include "random.h"

namespace gmeta {

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

template <typename T>
__device__ T uniform_at(uint64_t seed, uint64_t counter, double a, double b) {
  const Philox4 w = philox4x32_10(counter, seed);
  const double u = sizeof(T) == 4 ? static_cast<double>(unit_float(w[0])) : unit_double(w[0], w[1]);
  // Rounded multiply then add, never fused: nvcc contracts a + (b - a) * u into one FMA by
  // default, while the CPU (no FMA at x86-64-v2) rounds twice, and double draws would then
  // differ from the CPU's in the last bit.
  T v = static_cast<T>(__dadd_rn(a, __dmul_rn(b - a, u)));
  if (b > a && v >= static_cast<T>(b)) {
    // The float overload by name: a double nextafter rounded back to float would return b.
    if constexpr (sizeof(T) == 4) v = nextafterf(static_cast<float>(b), static_cast<float>(a));
    else v = nextafter(b, a);
  }
  return v;
}

template <typename T>
__device__ T normal_at(uint64_t seed, uint64_t counter, double mean, double std) {
  const Philox4 w = philox4x32_10(counter, seed);
  const double u1 = 1.0 - unit_double(w[0], w[1]);
  const double u2 = unit_double(w[2], w[3]);
  // The same unfused arithmetic as the CPU; only libdevice's log / sqrt / cos may differ.
  return static_cast<T>(__dadd_rn(mean, __dmul_rn(__dmul_rn(std, sqrt(__dmul_rn(-2.0, log(u1)))), cos(__dmul_rn(kTwoPi, u2)))));
}

template <typename T>
__global__ void random_kernel(bool uniform, T* o, int64_t n, uint64_t seed, uint64_t offset, double a, double b) {
  GMETA_GRID_STRIDE(i, n) {
    const uint64_t c = offset + static_cast<uint64_t>(i);
    o[i] = uniform ? uniform_at<T>(seed, c, a, b) : normal_at<T>(seed, c, a, b);
  }
}

}  // namespace

void random_cuda(RandomKind kind, Storage& out, uint64_t seed, uint64_t offset, double a, double b) {
  if (kind != RandomKind::Uniform && kind != RandomKind::Normal)
    throw std::invalid_argument("random: unknown kind");
  const int64_t n = out.numel();
  OnDevice on(out.device());
  dispatch_float("random", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (n == 0) return;
    random_kernel<T><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(
        kind == RandomKind::Uniform, out.ptr<T>(), n, seed, offset, a, b);
    GMETA_CUDA_LAUNCHED();
  });
}

}  // namespace gmeta
