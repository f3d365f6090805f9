#include "../common/index_launch.cuh"
#include "gather_rows.h"

namespace gmeta {

namespace {
// Consecutive threads read consecutive columns of a row. A row out of range (only reachable
// in a replay, which reports it afterwards) reads as zero.
struct Gather {
  template <typename T, typename I>
  __device__ static void apply(const RowArgs<T, I>& a, int64_t i, int64_t j, int64_t t) {
    a.out[t] = row_in_range(a.idx[i], a.bound) ? a.src[static_cast<int64_t>(a.idx[i]) * a.dim + j] : T(0);
  }
};
}  // namespace

int64_t gather_rows_cuda(Storage& out, const Storage& src, const Storage& idx, int64_t src_rows,
                         int64_t dim) {
  return checked_index_launch<Gather>("gatherRows", IndexKind::Rows, out, src, idx, idx.numel(), src_rows, dim);
}

}  // namespace gmeta
