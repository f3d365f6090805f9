// Scatter-add with atomics: one thread per source element adds into its destination. Float
// sums therefore land in an unspecified order (the CPU's is idx order): results agree with
// the CPU to rounding, not bit for bit. int64 adds through the unsigned 64-bit atomic
// (two's complement makes that exact).
#include <type_traits>

#include "../common/index_launch.cuh"
#include "scatter_add_rows.h"

namespace gmeta {

namespace {

// A destination out of range (only reachable in a replay, which reports it afterwards) is skipped.
struct ScatterAdd {
  template <typename T, typename I>
  __device__ static void apply(const RowArgs<T, I>& a, int64_t i, int64_t j, int64_t t) {
    if (!row_in_range(a.idx[i], a.bound)) return;
    T* p = a.out + static_cast<int64_t>(a.idx[i]) * a.dim + j;
    if constexpr (std::is_same_v<T, int64_t>) {
      atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(a.src[t]));
    } else {
      atomicAdd(p, a.src[t]);
    }
  }
};

}  // namespace

int64_t scatter_add_rows_cuda(Storage& out, const Storage& src, const Storage& idx,
                              int64_t out_rows, int64_t dim) {
  return checked_index_launch<ScatterAdd>("scatterAddRows", IndexKind::Rows, out, src, idx, idx.numel(), out_rows, dim);
}

}  // namespace gmeta
