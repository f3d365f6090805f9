#include <algorithm>

#include "../common/row_index.h"
#include "scatter_add_rows.h"

namespace gmeta {

namespace {

template <typename T>
void add_row(T* dst, const T* src, int64_t dim) {
  for (int64_t j = 0; j < dim; ++j) dst[j] += src[j];
}

}  // namespace

int64_t scatter_add_rows_cpu(Storage& out, const Storage& src, const Storage& idx,
                             int64_t out_rows, int64_t dim) {
  const int64_t n = idx.numel();
  return with_checked_index(
      "scatterAddRows", idx, [&](auto ip) { return first_out_of_range(ip, n, out_rows); },
      [&](auto ip) {
        if (dim == 0 || n == 0) return;
        dispatch_all(out.dtype(), [&](auto tag) {
          using T = decltype(tag);
          T* o = out.ptr<T>();
          const T* s = src.ptr<T>();
          // Tasks split the columns, never the rows: every task walks idx in order over its own
          // column slice, so each destination element sums its sources in the order of idx at
          // any thread count (race-free, bitwise-stable) and nothing is serial. Slices are whole
          // 64-byte lines so two tasks never write one line.
          constexpr int64_t kLine = 64 / sizeof(T);
          const int64_t lines = (dim + kLine - 1) / kLine;
          const int64_t tasks = n * dim < 32768 ? 1 : std::min<int64_t>(num_threads(), lines);
          parallel_tasks(tasks, [&](int64_t t) {
            const int64_t c0 = std::min(dim, lines * t / tasks * kLine);
            const int64_t c1 = std::min(dim, lines * (t + 1) / tasks * kLine);
            for (int64_t i = 0; i < n; ++i)
              add_row(o + static_cast<int64_t>(ip[i]) * dim + c0, s + i * dim + c0, c1 - c0);
          });
        });
      });
}

}  // namespace gmeta
