// Branch-free float exp (Cephes expf's range reduction and polynomial, about 1 ulp) written
// so the compiler vectorises the loops that call it; libm's expf is a scalar call per element.
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>

namespace gmeta {

inline float fast_expf(float x) {
  constexpr float kHi = 88.3762626647949f;   // largest x whose exp is a normal float
  constexpr float kLo = -87.3365447504019f;  // smallest x whose exp is a normal float
  const float xc = x < kLo ? kLo : (x > kHi ? kHi : x);
  const float n = __builtin_floorf(xc * 1.44269504088896341f + 0.5f);
  // ln 2 split in two so that xc - n·ln2 is exact.
  const float r = xc - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  float y = p * scale;
  y = x > 88.72283935546875f ? std::numeric_limits<float>::infinity() : y;
  y = x < -103.972084045410f ? 0.0f : y;
  return x != x ? x : y;
}

// log(1 + e^-a) for a >= 0 (the softplus tail of a BCE loss): with t = e^-a in (0, 1],
// log1p(t) = 2 atanh(s) for s = t / (2 + t) <= 1/3, whose odd series is summed to s^15 (the
// next term is below 1e-8 of the value) and stays exact as t goes to 0.
inline float fast_log1p_exp_neg(float a) {
  const float t = fast_expf(-a);
  const float s = t / (2.0f + t);
  const float z = s * s;
  float p = 1.0f / 15;
  p = p * z + 1.0f / 13;
  p = p * z + 1.0f / 11;
  p = p * z + 1.0f / 9;
  p = p * z + 1.0f / 7;
  p = p * z + 1.0f / 5;
  p = p * z + 1.0f / 3;
  p = p * z + 1.0f;
  return 2.0f * s * p;
}

// 1 / (1 + e^-x); saturates to exactly 0 and 1 far out.
inline float fast_sigmoidf(float x) { return 1.0f / (1.0f + fast_expf(-x)); }

// tanh from e^{2|x|}, with the Taylor series near 0 where 1 - 2/(e+1) would cancel.
inline float fast_tanhf(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float e = fast_expf(2.0f * ax);
  const float big = 1.0f - 2.0f / (e + 1.0f);
  const float x2 = ax * ax;
  const float small = ax * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315))));
  const float t = ax < 0.0625f ? small : big;
  return x < 0.0f ? -t : (x != x ? x : t);
}

}  // namespace gmeta
