// A StridedPlan flattened into fixed arrays a kernel can take by value: flat output index →
// element offset of each operand. Host and device share offsets(), so a host test checks
// the exact arithmetic the GPU runs.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "hd.h"
#include "strided.h"

namespace gmeta {

constexpr int kMaxStridedDims = 16;

template <size_t K>
struct StridedIndex {
  int nd;
  int64_t shape[kMaxStridedDims];
  int64_t strides[K][kMaxStridedDims];

  GMETA_HD void offsets(int64_t flat, int64_t* off) const {
    for (size_t k = 0; k < K; ++k) off[k] = 0;
    for (int d = nd - 1; d >= 0; --d) {
      const int64_t i = flat % shape[d];
      flat /= shape[d];
      for (size_t k = 0; k < K; ++k) off[k] += i * strides[k][d];
    }
  }
};

template <size_t K>
StridedIndex<K> make_strided_index(const char* op, const StridedPlan<K>& plan) {
  StridedIndex<K> ix{};
  const auto& shape = plan.shape();
  if (shape.size() > static_cast<size_t>(kMaxStridedDims))
    throw std::invalid_argument(std::string(op) + ": more than " + std::to_string(kMaxStridedDims) +
                                " non-mergeable dims on a CUDA device");
  ix.nd = static_cast<int>(shape.size());
  for (int d = 0; d < ix.nd; ++d) {
    ix.shape[d] = shape[static_cast<size_t>(d)];
    for (size_t k = 0; k < K; ++k) ix.strides[k][d] = plan.strides(k)[static_cast<size_t>(d)];
  }
  return ix;
}

}  // namespace gmeta
