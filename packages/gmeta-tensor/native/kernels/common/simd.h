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

// Two-vector shuffles with constant lanes: GCC's __builtin_shuffle (GCC 4.7 on), clang's
// __builtin_shufflevector.
#if defined(__clang__)
#define GMETA_SHUFFLE8(a, b, i0, i1, i2, i3, i4, i5, i6, i7) __builtin_shufflevector(a, b, i0, i1, i2, i3, i4, i5, i6, i7)
#else
typedef int v8i __attribute__((vector_size(32)));
#define GMETA_SHUFFLE8(a, b, i0, i1, i2, i3, i4, i5, i6, i7) __builtin_shuffle(a, b, v8i{i0, i1, i2, i3, i4, i5, i6, i7})
#endif

// Lane 0 shuffled into every lane, which the clones compile to one broadcast (GCC builds the
// literal {x, x, ...} lane by lane there).
GMETA_SIMD_INLINE v8 splat8(float x) {
  const v8 v{x};
  return GMETA_SHUFFLE8(v, v, 0, 0, 0, 0, 0, 0, 0, 0);
}

// The 8 x 8 block r[0..7] transposed in place: r[k] becomes (r[0][k], ..., r[7][k]).
GMETA_SIMD_INLINE void transpose8(v8* r) {
  v8 t[8], u[8];
  for (int k = 0; k < 8; k += 2) {
    t[k] = GMETA_SHUFFLE8(r[k], r[k + 1], 0, 8, 1, 9, 4, 12, 5, 13);  // r_k0 r_(k+1)0 r_k1 r_(k+1)1 | the same for 4, 5
    t[k + 1] = GMETA_SHUFFLE8(r[k], r[k + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int k = 0; k < 8; k += 4) {
    u[k] = GMETA_SHUFFLE8(t[k], t[k + 2], 0, 1, 8, 9, 4, 5, 12, 13);  // column 0 of four rows | column 4
    u[k + 1] = GMETA_SHUFFLE8(t[k], t[k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[k + 2] = GMETA_SHUFFLE8(t[k + 1], t[k + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[k + 3] = GMETA_SHUFFLE8(t[k + 1], t[k + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int k = 0; k < 4; ++k) {
    r[k] = GMETA_SHUFFLE8(u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    r[k + 4] = GMETA_SHUFFLE8(u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// Pairwise, in a fixed order: the clones differ only where they fuse multiply-adds.
GMETA_SIMD_INLINE float hsum8(v8 v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

}  // namespace gmeta
