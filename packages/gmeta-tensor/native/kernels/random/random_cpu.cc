#include <cmath>
#include <stdexcept>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "philox.h"
#include "random.h"

namespace gmeta {

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// Uniform in [a, b): rounding of a + (b - a) u can land on b in float, so step back inside.
template <typename T>
T uniform_at(uint64_t seed, uint64_t counter, double a, double b) {
  const auto w = philox4x32_10(counter, seed);
  const double u = sizeof(T) == 4 ? static_cast<double>(unit_float(w[0])) : unit_double(w[0], w[1]);
  T v = static_cast<T>(a + (b - a) * u);
  if (b > a && v >= static_cast<T>(b)) v = std::nextafter(static_cast<T>(b), static_cast<T>(a));
  return v;
}

// Box-Muller on two uniforms from one Philox block; 1 - u keeps the log argument in (0, 1].
template <typename T>
T normal_at(uint64_t seed, uint64_t counter, double mean, double std) {
  const auto w = philox4x32_10(counter, seed);
  const double u1 = 1.0 - unit_double(w[0], w[1]);
  const double u2 = unit_double(w[2], w[3]);
  return static_cast<T>(mean + std * std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2));
}

}  // namespace

void random_cpu(RandomKind kind, Storage& out, uint64_t seed, uint64_t offset, double a, double b) {
  if (kind != RandomKind::Uniform && kind != RandomKind::Normal)
    throw std::invalid_argument("random: unknown kind");
  dispatch_float("random", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.ptr<T>();
    parallel_for(0, out.numel(), kElementwiseGrain / 8, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        const uint64_t c = offset + static_cast<uint64_t>(i);
        o[i] = kind == RandomKind::Uniform ? uniform_at<T>(seed, c, a, b) : normal_at<T>(seed, c, a, b);
      }
    });
  });
}

}  // namespace gmeta
