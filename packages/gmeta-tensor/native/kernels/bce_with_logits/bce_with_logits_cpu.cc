#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "../unary/unary_float_loops.h"
#include "bce_with_logits.h"

namespace gmeta {

void bce_with_logits_cpu(Storage& out, const Storage& x, const Storage& y) {
  if (x.dtype() != out.dtype() || y.dtype() != out.dtype())
    throw std::invalid_argument("bceWithLogits: expected one dtype for out, x and y");
  if (x.numel() != out.numel() || y.numel() != out.numel())
    throw std::invalid_argument("bceWithLogits: expected equal numel for out, x and y");
  dispatch_float("bceWithLogits", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.ptr<T>();
    const T* xp = x.ptr<T>();
    const T* yp = y.ptr<T>();
    parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      if constexpr (std::is_same_v<T, float>) {
        bce_with_logits_f32(o + lo, xp + lo, yp + lo, hi - lo);
        return;
      }
      for (int64_t i = lo; i < hi; ++i) {
        const T v = xp[i];
        // log1p(exp(-|x|)) keeps the loss finite for logits of any size.
        o[i] = (v > T(0) ? v : T(0)) - v * yp[i] + std::log1p(std::exp(-std::fabs(v)));
      }
    });
  });
}

}  // namespace gmeta
