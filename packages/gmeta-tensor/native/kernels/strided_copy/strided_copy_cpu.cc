#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "strided_copy.h"

namespace gmeta {

namespace {

constexpr int64_t kTile = 32;

// Transpose-like copies (src contiguous along the second-to-last dim, dst along the last)
// go tile by tile, so both sides stay in cache instead of one of them striding through
// memory a cache line per element.
template <typename T>
void copy_tiled(T* d, int64_t d0, const T* s, int64_t s0, const StridedPlan<2>& plan) {
  const auto& shape = plan.shape();
  const size_t nd = shape.size();
  const int64_t rows = shape[nd - 2], cols = shape[nd - 1];
  const int64_t dr = plan.strides(0)[nd - 2], dc = plan.strides(0)[nd - 1];
  const int64_t sr = plan.strides(1)[nd - 2], sc = plan.strides(1)[nd - 1];
  int64_t outer = 1;
  for (size_t k = 0; k + 2 < nd; ++k) outer *= shape[k];
  const int64_t row_tiles = (rows + kTile - 1) / kTile;
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / (kTile * cols));
  parallel_for(0, outer * row_tiles, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      int64_t o = t / row_tiles, doff = d0, soff = s0;
      for (size_t k = nd - 2; k-- > 0;) {
        const int64_t i = o % shape[k];
        o /= shape[k];
        doff += i * plan.strides(0)[k];
        soff += i * plan.strides(1)[k];
      }
      const int64_t r0 = (t % row_tiles) * kTile, r1 = std::min(rows, r0 + kTile);
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t c1 = std::min(cols, c0 + kTile);
        for (int64_t c = c0; c < c1; ++c)
          for (int64_t r = r0; r < r1; ++r) d[doff + r * dr + c * dc] = s[soff + r * sr + c * sc];
      }
    }
  });
}

// Rows of `len` contiguous elements at row strides dr and sr (a stack, a concat, a slice made
// contiguous, a broadcast row repeated): a loop the compiler vectorizes for the short rows
// these are (16 to 64 values), where a memmove per row costs more than the row.
template <typename T>
void copy_rows(T* __restrict d, int64_t dr, const T* __restrict s, int64_t sr, int64_t rows, int64_t len) {
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, len));
  parallel_for(0, rows, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      T* __restrict dp = d + r * dr;
      const T* __restrict sp = s + r * sr;
      if (len > 64) {
        std::memcpy(dp, sp, static_cast<size_t>(len) * sizeof(T));
        continue;
      }
      for (int64_t j = 0; j < len; ++j) dp[j] = sp[j];
    }
  });
}

}  // namespace

void strided_copy_cpu(Storage& dst, int64_t dst_offset, const std::vector<int64_t>& dst_strides,
                      const Storage& src, int64_t src_offset,
                      const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape) {
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* d = dst.ptr<T>();
    const T* s = src.ptr<T>();
    StridedPlan<2> plan(shape, {&dst_strides, &src_strides});
    const int64_t ds = plan.inner_stride(0), ss = plan.inner_stride(1);
    const size_t nd = plan.shape().size();
    if (nd >= 2 && ds == 1 && ss != 1 && plan.strides(1)[nd - 2] == 1 && plan.shape()[nd - 1] >= kTile) {
      copy_tiled<T>(d, dst_offset, s, src_offset, plan);
      return;
    }
    // Two storages (a copy within one may overlap: that one takes memmove below).
    if (nd == 2 && ds == 1 && ss == 1 && dst.buffer() != src.buffer()) {
      copy_rows<T>(d + dst_offset, plan.strides(0)[0], s + src_offset, plan.strides(1)[0], plan.shape()[0], plan.shape()[1]);
      return;
    }
    parallel_for(0, plan.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      plan.runs(lo, hi, {dst_offset, src_offset}, [&](int64_t, int64_t len, const auto& off) {
        T* dp = d + off[0];
        const T* sp = s + off[1];
        if (ds == 1 && ss == 1) {
          std::memmove(dp, sp, static_cast<size_t>(len) * sizeof(T));
        } else {
          for (int64_t j = 0; j < len; ++j) dp[j * ds] = sp[j * ss];
        }
      });
    });
  });
}

}  // namespace gmeta
