// The DLRM feature interaction as one kernel, and its adjoint. For sample b of x [batch, fx, dim]
// and y [batch, fy, dim] and pair p = (i[p], j[p]):
//   pairDot:    out[b, p]    = <x[b, i[p], :], y[b, j[p], :]>
//   pairSpread: out[b, f, :] = sum over p with i[p] = f of g[b, p] * y[b, j[p], :]
// pairDot's gradients are two pairSpreads and pairSpread's are a pairDot and a pairSpread, so
// derivatives of any order stay in these two kernels: no Z·Zᵀ of all F² products, no
// transposes, no gather of the upper triangle.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

struct PairArgs {
  int64_t batch, fx, fy, dim;
  std::vector<int32_t> i, j;
};

void pair_dot_cpu(Storage& out, const Storage& x, const Storage& y, const PairArgs& a);
void pair_dot_cuda(Storage& out, const Storage& x, const Storage& y, const PairArgs& a);
void pair_spread_cpu(Storage& out, const Storage& g, const Storage& y, const PairArgs& a);
void pair_spread_cuda(Storage& out, const Storage& g, const Storage& y, const PairArgs& a);

// Argument checks shared by both kernels and devices (the TypeScript op checks first).
inline void check_pairs(const char* op, const PairArgs& a) {
  if (a.batch < 0 || a.fx < 0 || a.fy < 0 || a.dim < 0)
    throw std::invalid_argument(std::string(op) + ": expected non-negative batch, fx, fy and dim");
  if (a.i.size() != a.j.size()) throw std::invalid_argument(std::string(op) + ": expected as many i as j");
  // Feature indices travel as int16 to CUDA kernels.
  if (a.fx > 32767 || a.fy > 32767) throw std::invalid_argument(std::string(op) + ": expected at most 32767 features per sample");
  for (size_t p = 0; p < a.i.size(); ++p) {
    if (a.i[p] < 0 || a.i[p] >= a.fx || a.j[p] < 0 || a.j[p] >= a.fy)
      throw std::out_of_range(std::string(op) + ": pair " + std::to_string(p) + " is outside [0, fx) x [0, fy)");
  }
}

inline void check_extent(const char* op, const char* name, const Storage& s, int64_t n) {
  if (s.numel() < n) throw std::out_of_range(std::string(op) + ": " + name + " holds fewer than " + std::to_string(n) + " elements");
}

inline void pair_dot(Storage& out, const Storage& x, const Storage& y, const PairArgs& a) {
  const char* op = "pairDot";
  const int device = common_device(op, {out.device(), x.device(), y.device()});
  if (x.dtype() != out.dtype() || y.dtype() != out.dtype()) throw std::invalid_argument("pairDot: expected one dtype for out, x and y");
  check_pairs(op, a);
  check_extent(op, "x", x, a.batch * a.fx * a.dim);
  check_extent(op, "y", y, a.batch * a.fy * a.dim);
  check_extent(op, "out", out, a.batch * static_cast<int64_t>(a.i.size()));
  GMETA_ON_DEVICE(op, device, pair_dot_cpu(out, x, y, a), pair_dot_cuda(out, x, y, a));
}

// out is [batch, fx, dim], g [batch, pairs].
inline void pair_spread(Storage& out, const Storage& g, const Storage& y, const PairArgs& a) {
  const char* op = "pairSpread";
  const int device = common_device(op, {out.device(), g.device(), y.device()});
  if (g.dtype() != out.dtype() || y.dtype() != out.dtype()) throw std::invalid_argument("pairSpread: expected one dtype for out, g and y");
  check_pairs(op, a);
  check_extent(op, "g", g, a.batch * static_cast<int64_t>(a.i.size()));
  check_extent(op, "y", y, a.batch * a.fy * a.dim);
  check_extent(op, "out", out, a.batch * a.fx * a.dim);
  GMETA_ON_DEVICE(op, device, pair_spread_cpu(out, g, y, a), pair_spread_cuda(out, g, y, a));
}

}  // namespace gmeta
