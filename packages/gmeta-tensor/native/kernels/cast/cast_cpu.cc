#include <stdexcept>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "cast.h"
#include "cast_value.h"

namespace gmeta {

void cast_cpu(Storage& out, const Storage& src) {
  if (out.numel() != src.numel())
    throw std::invalid_argument("cast: expected equal numel for out and src");
  dispatch_all2(out.dtype(), src.dtype(), [&](auto out_tag, auto src_tag) {
    using O = decltype(out_tag);
    using S = decltype(src_tag);
    O* o = out.ptr<O>();
    const S* s = src.ptr<S>();
    parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) o[i] = cast_value<O, S>(s[i]);
    });
  });
}

}  // namespace gmeta
