// Walks an N-d index space in row-major order for K strided operands, handing out runs
// along the last (coalesced) dim so kernels keep a tight inner loop.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gmeta {

constexpr int64_t kElementwiseGrain = 32768;

inline int64_t shape_numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

inline bool is_contiguous(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  int64_t expect = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] != 1 && strides[d] != expect) return false;
    expect *= shape[d];
  }
  return true;
}

inline bool is_scalar_broadcast(const std::vector<int64_t>& shape,
                                const std::vector<int64_t>& strides) {
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1 && strides[d] != 0) return false;
  return true;
}

// Rejects strides that would reach outside a storage of `numel` elements, so a bad call from
// JavaScript throws instead of corrupting memory.
inline void check_strided_bounds(const char* op, const char* name, int64_t numel, int64_t base,
                                 const std::vector<int64_t>& strides,
                                 const std::vector<int64_t>& shape) {
  if (strides.size() != shape.size())
    throw std::invalid_argument(std::string(op) + ": expected " + std::to_string(shape.size()) +
                                " strides for " + name + ", got " +
                                std::to_string(strides.size()));
  for (int64_t s : shape)
    if (s < 0) throw std::invalid_argument(std::string(op) + ": negative dimension in shape");
  if (shape_numel(shape) == 0) return;
  int64_t lo = base, hi = base;
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t span = (shape[d] - 1) * strides[d];
    (span < 0 ? lo : hi) += span;
  }
  if (lo < 0 || hi >= numel)
    throw std::out_of_range(std::string(op) + ": " + name + " view reaches outside its storage");
}

template <size_t K>
class StridedPlan {
 public:
  // Drops size-1 dims and merges dims that are contiguous for every operand.
  StridedPlan(const std::vector<int64_t>& shape,
              const std::array<const std::vector<int64_t>*, K>& strides) {
    if (shape_numel(shape) == 0) {
      shape_.push_back(0);
      for (size_t k = 0; k < K; ++k) strides_[k].push_back(0);
      return;
    }
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 1) continue;
      if (!shape_.empty()) {
        bool merge = true;
        for (size_t k = 0; k < K; ++k)
          if (strides_[k].back() != (*strides[k])[d] * shape[d]) merge = false;
        if (merge) {
          shape_.back() *= shape[d];
          for (size_t k = 0; k < K; ++k) strides_[k].back() = (*strides[k])[d];
          continue;
        }
      }
      shape_.push_back(shape[d]);
      for (size_t k = 0; k < K; ++k) strides_[k].push_back((*strides[k])[d]);
    }
    if (shape_.empty()) {
      shape_.push_back(1);
      for (size_t k = 0; k < K; ++k) strides_[k].push_back(0);
    }
  }

  int64_t numel() const { return shape_numel(shape_); }
  int64_t inner_stride(size_t k) const { return strides_[k].back(); }
  const std::vector<int64_t>& shape() const { return shape_; }
  const std::vector<int64_t>& strides(size_t k) const { return strides_[k]; }

  // fn(flat, len, offs): a run of `len` elements starting at flat index `flat`; operand k
  // starts at base[k] + offs[k] and steps by inner_stride(k).
  template <typename Fn>
  void runs(int64_t lo, int64_t hi, const std::array<int64_t, K>& base, Fn&& fn) const {
    if (lo >= hi) return;
    const size_t nd = shape_.size();
    std::vector<int64_t> idx(nd);
    std::array<int64_t, K> offs = base;
    int64_t rem = lo;
    for (size_t d = nd; d-- > 0;) {
      idx[d] = rem % shape_[d];
      rem /= shape_[d];
      for (size_t k = 0; k < K; ++k) offs[k] += idx[d] * strides_[k][d];
    }
    const int64_t inner = shape_[nd - 1];
    int64_t flat = lo;
    while (flat < hi) {
      int64_t len = std::min(inner - idx[nd - 1], hi - flat);
      fn(flat, len, offs);
      flat += len;
      idx[nd - 1] += len;
      for (size_t k = 0; k < K; ++k) offs[k] += len * strides_[k][nd - 1];
      if (idx[nd - 1] < inner) continue;
      idx[nd - 1] = 0;
      for (size_t k = 0; k < K; ++k) offs[k] -= inner * strides_[k][nd - 1];
      for (size_t d = nd - 1; d-- > 0;) {
        ++idx[d];
        for (size_t k = 0; k < K; ++k) offs[k] += strides_[k][d];
        if (idx[d] < shape_[d]) break;
        idx[d] = 0;
        for (size_t k = 0; k < K; ++k) offs[k] -= shape_[d] * strides_[k][d];
      }
    }
  }

 private:
  std::vector<int64_t> shape_;
  std::array<std::vector<int64_t>, K> strides_;
};

}  // namespace gmeta
