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

// The 8 x 8 block r[0..7] transposed in place: r[k] becomes (r[0][k], ..., r[7][k]).
GMETA_SIMD_INLINE void transpose8(v8* r) {
  const v8i lo{0, 8, 1, 9, 4, 12, 5, 13}, hi{2, 10, 3, 11, 6, 14, 7, 15};
  const v8i lo2{0, 1, 8, 9, 4, 5, 12, 13}, hi2{2, 3, 10, 11, 6, 7, 14, 15};
  const v8i lo4{0, 1, 2, 3, 8, 9, 10, 11}, hi4{4, 5, 6, 7, 12, 13, 14, 15};
  v8 t[8], u[8];
  for (int k = 0; k < 8; k += 2) {
    t[k] = __builtin_shuffle(r[k], r[k + 1], lo);  // r_k0 r_(k+1)0 r_k1 r_(k+1)1 | the same for 4, 5
    t[k + 1] = __builtin_shuffle(r[k], r[k + 1], hi);
  }
  for (int k = 0; k < 8; k += 4) {
    u[k] = __builtin_shuffle(t[k], t[k + 2], lo2);  // column 0 of four rows | column 4
    u[k + 1] = __builtin_shuffle(t[k], t[k + 2], hi2);
    u[k + 2] = __builtin_shuffle(t[k + 1], t[k + 3], lo2);
    u[k + 3] = __builtin_shuffle(t[k + 1], t[k + 3], hi2);
  }
  for (int k = 0; k < 4; ++k) {
    r[k] = __builtin_shuffle(u[k], u[k + 4], lo4);
    r[k + 4] = __builtin_shuffle(u[k], u[k + 4], hi4);
  }
}

// Pairwise, in a fixed order: the clones differ only where they fuse multiply-adds.
GMETA_SIMD_INLINE float hsum8(v8 v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

}  // namespace gmeta
