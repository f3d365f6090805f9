#include "unary_float_loops.h"

#include "../common/fast_math.h"
#include "../common/simd.h"

namespace gmeta {

GMETA_SIMD_CLONES void exp_f32(float* out, const float* a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = fast_expf(a[i]);
}

GMETA_SIMD_CLONES void sigmoid_f32(float* out, const float* a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = fast_sigmoidf(a[i]);
}

GMETA_SIMD_CLONES void tanh_f32(float* out, const float* a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = fast_tanhf(a[i]);
}

}  // namespace gmeta
