#include <stdexcept>

#include "../../core/thread_pool.h"
#include "../common/index_check.h"
#include "scatter_add_rows.h"

namespace gmeta {

int64_t scatter_add_rows_cpu(Storage& out, const Storage& src, const Storage& idx,
                             int64_t out_rows, int64_t dim) {
  if (src.dtype() != out.dtype()) throw std::invalid_argument("scatterAddRows: expected one dtype for out and src");
  if (out_rows < 0 || dim < 0) throw std::invalid_argument("scatterAddRows: expected non-negative outRows and dim");
  const int64_t n = idx.numel();
  if (out_rows * dim > out.numel()) throw std::out_of_range("scatterAddRows: out is smaller than outRows x dim");
  if (n * dim > src.numel()) throw std::out_of_range("scatterAddRows: src is smaller than idx.numel x dim");
  int64_t bad = -1;
  dispatch_index("scatterAddRows", idx.dtype(), [&](auto itag) {
    using I = decltype(itag);
    const I* ip = idx.ptr<I>();
    bad = first_out_of_range(ip, n, out_rows);
    if (bad >= 0 || dim == 0 || n == 0) return;
    dispatch_all(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* o = out.ptr<T>();
      const T* s = src.ptr<T>();
      // Task t owns the destination rows r with r % tasks == t and visits idx in order, so
      // every destination element sums its sources in the order of idx, whatever the thread
      // count: no races, bitwise-stable results.
      const int64_t tasks = n * dim < 32768 ? 1 : num_threads();
      parallel_tasks(tasks, [&](int64_t t) {
        for (int64_t i = 0; i < n; ++i) {
          const int64_t r = static_cast<int64_t>(ip[i]);
          if (r % tasks != t) continue;
          T* dst = o + r * dim;
          const T* row = s + i * dim;
          for (int64_t j = 0; j < dim; ++j) dst[j] += row[j];
        }
      });
    });
  });
  return bad;
}

}  // namespace gmeta
