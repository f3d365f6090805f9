// Eight-float vectors for CPU kernels that the compiler does not vectorise well by itself. The
// build targets x86-64-v2 (SSE4.2) so a prebuilt addon runs anywhere; a kernel marked
// GMETA_SIMD_CLONES is also compiled for x86-64-v3 (AVX2 with FMA) and x86-64-v4 (AVX-512)
// and picked at load time, and the helpers below are always inlined into it, so no vector
// crosses a call of the default ABI. The v3 and v4 clones fuse a·b + c into one FMA, so their
// last bits can differ from the default clone's; one machine always runs the same clone.
#pragma once
#include <cstring>

#pragma GCC diagnostic ignored "-Wpsabi"

#if defined(__x86_64__) && !defined(__clang__)
#define GMETA_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define GMETA_SIMD_INLINE __attribute__((always_inline)) inline
#else
#define GMETA_SIMD_CLONES
#define GMETA_SIMD_INLINE inline
#endif

namespace gmeta {

// One AVX register, two SSE ones in the default clone.
typedef float v8 __attribute__((vector_size(32)));
constexpr long kLanes = 8;

GMETA_SIMD_INLINE v8 load8(const float* p) {
  v8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

GMETA_SIMD_INLINE void store8(float* p, v8 v) { std::memcpy(p, &v, sizeof v); }

// A shuffle of lane 0, which the clones compile to one broadcast (GCC builds the literal
// {x, x, ...} lane by lane there).
typedef int v8i __attribute__((vector_size(32)));
GMETA_SIMD_INLINE v8 splat8(float x) { return __builtin_shuffle(v8{x}, v8i{}); }

// Pairwise, in a fixed order: the clones differ only where they fuse multiply-adds.
GMETA_SIMD_INLINE float hsum8(v8 v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

}  // namespace gmeta
