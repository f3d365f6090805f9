// Embedding-bag pooling in one pass, and its adjoint (torch.nn.functional.embedding_bag):
// pool:    out[s] = c_s · Σ over k in [offsets[s], offsets[s+1]) of src[idx[k]]
// scatter: out = 0, then out[idx[k]] += c_s · g[s] for every k of every bag s
// with c_s = 1 (sum) or 1 / (bag size) (mean; an empty bag pools to zero). The two are each
// other's adjoint, so pooling is differentiable to any order without the picked rows ever
// being written out (a gather followed by segment pooling writes and reads them again).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "../../core/device.h"
#include "../../core/storage.h"
#include "../segment_reduce/segment_reduce.h"

namespace gmeta {

// The bag sizes and where they are read from: `bags` segments over `ids` index positions into
// a table of `rows` rows of `dim` values.
struct BagArgs {
  SegmentMode mode;
  int64_t bags;
  int64_t ids;
  int64_t rows;
  int64_t dim;
};

// Both return -1, or the first bad position, out untouched: a bag s whose offsets are
// decreasing or outside [0, ids] gives s; else an index position k outside [0, rows) gives
// bags + 1 + k.
int64_t bag_pool_cpu(Storage& out, const Storage& src, const Storage& idx, const Storage& offsets, const BagArgs& a);
int64_t bag_scatter_cpu(Storage& out, const Storage& g, const Storage& idx, const Storage& offsets, const BagArgs& a);
int64_t bag_pool_cuda(Storage& out, const Storage& src, const Storage& idx, const Storage& offsets, const BagArgs& a);
int64_t bag_scatter_cuda(Storage& out, const Storage& g, const Storage& idx, const Storage& offsets, const BagArgs& a);

// `pool`: out is [bags, dim] and src [rows, dim]; else out is [rows, dim] and src (g) [bags, dim].
inline void check_bag(const char* op, bool pool, const Storage& out, const Storage& src, const Storage& idx,
                      const Storage& offsets, const BagArgs& a) {
  const std::string o = op;
  if (src.dtype() != out.dtype()) throw std::invalid_argument(o + ": expected one dtype for out and src");
  if (!is_float(out.dtype())) throw std::invalid_argument(o + ": expected float32 or float64 values");
  if (a.mode != SegmentMode::Sum && a.mode != SegmentMode::Mean) throw std::invalid_argument(o + ": unknown mode");
  if (a.bags < 0 || a.ids < 0 || a.rows < 0 || a.dim < 0)
    throw std::invalid_argument(o + ": expected non-negative bags, ids, rows and dim");
  if (offsets.numel() < a.bags + 1) throw std::out_of_range(o + ": offsets needs bags + 1 entries");
  if (idx.numel() < a.ids) throw std::out_of_range(o + ": idx is smaller than ids");
  const int64_t src_rows = pool ? a.rows : a.bags, out_rows = pool ? a.bags : a.rows;
  if (src_rows * a.dim > src.numel()) throw std::out_of_range(o + ": src is smaller than its rows x dim");
  if (out_rows * a.dim > out.numel()) throw std::out_of_range(o + ": out is smaller than its rows x dim");
}

inline int64_t bag_pool(Storage& out, const Storage& src, const Storage& idx, const Storage& offsets, const BagArgs& a) {
  const int device = common_device("embeddingBag", {out.device(), src.device(), idx.device(), offsets.device()});
  check_bag("embeddingBag", true, out, src, idx, offsets, a);
  GMETA_ON_DEVICE("embeddingBag", device, bag_pool_cpu(out, src, idx, offsets, a), bag_pool_cuda(out, src, idx, offsets, a));
}

inline int64_t bag_scatter(Storage& out, const Storage& g, const Storage& idx, const Storage& offsets, const BagArgs& a) {
  const int device = common_device("embeddingBagBackward", {out.device(), g.device(), idx.device(), offsets.device()});
  check_bag("embeddingBagBackward", false, out, g, idx, offsets, a);
  GMETA_ON_DEVICE("embeddingBagBackward", device, bag_scatter_cpu(out, g, idx, offsets, a),
                  bag_scatter_cuda(out, g, idx, offsets, a));
}

}  // namespace gmeta
