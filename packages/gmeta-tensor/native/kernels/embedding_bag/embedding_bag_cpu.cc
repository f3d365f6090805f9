#include <algorithm>
#include <type_traits>

#include "../../core/dtype.h"
#include "../../core/thread_pool.h"
#include "../common/index_check.h"
#include "embedding_bag.h"

namespace gmeta {

namespace {

// Types both index arrays and checks them whole before anything is written; body(off, ip, o, s)
// then runs over out's and src's values. Returns the first bad position (see embedding_bag.h).
template <typename Body>
int64_t with_checked_bags(const char* op, Storage& out, const Storage& src, const Storage& idx, const Storage& offsets,
                          const BagArgs& a, Body&& body) {
  int64_t bad = -1;
  dispatch_index(op, offsets.dtype(), [&](auto otag) {
    using O = decltype(otag);
    const O* off = offsets.ptr<O>();
    bad = first_bad_segment(off, a.bags, a.ids);
    if (bad >= 0) return;
    dispatch_index(op, idx.dtype(), [&](auto itag) {
      using I = decltype(itag);
      const I* ip = idx.ptr<I>();
      const int64_t k = first_out_of_range(ip, a.ids, a.rows);
      if (k >= 0) {
        bad = a.bags + 1 + k;
        return;
      }
      if (a.dim == 0) return;
      dispatch_float(op, out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        body(off, ip, out.ptr<T>(), src.ptr<T>());
      });
    });
  });
  return bad;
}

template <typename T, typename O>
T bag_scale(SegmentMode mode, const O* off, int64_t s) {
  const int64_t n = static_cast<int64_t>(off[s + 1]) - static_cast<int64_t>(off[s]);
  return mode == SegmentMode::Mean && n > 0 ? T(1) / static_cast<T>(n) : T(1);
}

}  // namespace

int64_t bag_pool_cpu(Storage& out, const Storage& src, const Storage& idx, const Storage& offsets, const BagArgs& a) {
  return with_checked_bags("embeddingBag", out, src, idx, offsets, a, [&](auto off, auto ip, auto* o, const auto* s) {
    using T = std::remove_pointer_t<decltype(o)>;
    const int64_t dim = a.dim;
    const int64_t avg = std::max<int64_t>(1, a.ids / std::max<int64_t>(1, a.bags));
    parallel_for(0, a.bags, row_grain(dim * avg), [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b) {
        T* dst = o + b * dim;
        std::fill(dst, dst + dim, T(0));
        // Summed in index order, as a gather followed by segment pooling sums.
        for (int64_t k = static_cast<int64_t>(off[b]); k < static_cast<int64_t>(off[b + 1]); ++k) {
          const T* row = s + static_cast<int64_t>(ip[k]) * dim;
          for (int64_t j = 0; j < dim; ++j) dst[j] += row[j];
        }
        if (a.mode == SegmentMode::Mean) {
          const T c = bag_scale<T>(a.mode, off, b);
          for (int64_t j = 0; j < dim; ++j) dst[j] *= c;
        }
      }
    });
  });
}

int64_t bag_scatter_cpu(Storage& out, const Storage& g, const Storage& idx, const Storage& offsets, const BagArgs& a) {
  return with_checked_bags("embeddingBagBackward", out, g, idx, offsets, a, [&](auto off, auto ip, auto* o, const auto* gp) {
    using T = std::remove_pointer_t<decltype(o)>;
    const int64_t dim = a.dim;
    std::fill(o, o + a.rows * dim, T(0));
    // As scatterAddRows: tasks split the columns into whole 64-byte lines and each walks the
    // bags in order, so every sum runs in index order at any thread count, race-free.
    constexpr int64_t kLine = 64 / sizeof(T);
    const int64_t lines = (dim + kLine - 1) / kLine;
    const int64_t tasks = a.ids * dim < 32768 ? 1 : std::min<int64_t>(num_threads(), lines);
    parallel_tasks(tasks, [&](int64_t t) {
      const int64_t c0 = std::min(dim, lines * t / tasks * kLine);
      const int64_t c1 = std::min(dim, lines * (t + 1) / tasks * kLine);
      for (int64_t b = 0; b < a.bags; ++b) {
        const T* src = gp + b * dim;
        const T c = bag_scale<T>(a.mode, off, b);
        for (int64_t k = static_cast<int64_t>(off[b]); k < static_cast<int64_t>(off[b + 1]); ++k) {
          T* dst = o + static_cast<int64_t>(ip[k]) * dim;
          for (int64_t j = c0; j < c1; ++j) dst[j] += c * src[j];
        }
      }
    });
  });
}

}  // namespace gmeta
