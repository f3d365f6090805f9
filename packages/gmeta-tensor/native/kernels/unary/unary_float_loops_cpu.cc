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

GMETA_SIMD_CLONES void bce_with_logits_f32(float* out, const float* x, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    out[i] = (v > 0.0f ? v : 0.0f) - v * y[i] + fast_log1p_exp_neg(v < 0.0f ? -v : v);
  }
}

GMETA_SIMD_CLONES void tanh_f32(float* out, const float* a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = fast_tanhf(a[i]);
}

}  // namespace gmeta
