#pragma once
#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Codes shared with TypeScript (AddonTypes.ts: UnaryOp).
enum class UnaryOp : int {
  Neg = 0, Exp, Log, Sigmoid, Tanh, Relu, Abs, Sqrt, PowScalar, Affine, Sign, Step, Log1p,
  Clamp, Reciprocal
};

void unary_cpu(UnaryOp op, Storage& out, const Storage& a, double p1, double p2);
void unary_cuda(UnaryOp op, Storage& out, const Storage& a, double p1, double p2);

inline void unary(UnaryOp op, Storage& out, const Storage& a, double p1, double p2) {
  const int device = common_device("unary", {out.device(), a.device()});
  GMETA_ON_DEVICE("unary", device, unary_cpu(op, out, a, p1, p2), unary_cuda(op, out, a, p1, p2));
}

}  // namespace gmeta
