#include <stdexcept>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "where.h"

namespace gmeta {

void where_cpu(Storage& out, const Storage& cond, const Storage& a, const Storage& b,
               const std::vector<int64_t>& shape, const std::vector<int64_t>& cond_strides,
               const std::vector<int64_t>& a_strides, const std::vector<int64_t>& b_strides) {
  const int64_t n = shape_numel(shape);
  if (n == 0) return;
  dispatch_all2(cond.dtype(), out.dtype(), [&](auto cond_tag, auto tag) {
    using C = decltype(cond_tag);
    using T = decltype(tag);
    T* o = out.ptr<T>();
    const C* c = cond.ptr<C>();
    const T* ap = a.ptr<T>();
    const T* bp = b.ptr<T>();
    StridedPlan<3> plan(shape, {&cond_strides, &a_strides, &b_strides});
    const int64_t cs = plan.inner_stride(0), as = plan.inner_stride(1),
                  bs = plan.inner_stride(2);
    parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      plan.runs(lo, hi, {0, 0, 0}, [&](int64_t flat, int64_t len, const auto& off) {
        const C* cc = c + off[0];
        const T* aa = ap + off[1];
        const T* bb = bp + off[2];
        T* oo = o + flat;
        for (int64_t j = 0; j < len; ++j)
          oo[j] = cc[j * cs] != C(0) ? aa[j * as] : bb[j * bs];
      });
    });
  });
}

}  // namespace gmeta
