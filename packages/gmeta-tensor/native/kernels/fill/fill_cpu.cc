#include <algorithm>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "fill.h"

namespace gmeta {

void fill_cpu(Storage& out, double value) {
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = out.ptr<T>();
    const T v = static_cast<T>(value);
    parallel_for(0, out.numel(), kElementwiseGrain,
                 [&](int64_t lo, int64_t hi) { std::fill(p + lo, p + hi, v); });
  });
}

}  // namespace gmeta
