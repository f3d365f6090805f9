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

inline void unary(UnaryOp op, Storage& out, const Storage& a, double p1, double p2) {
  require_cpu("unary", out.device());
  require_cpu("unary", a.device());
  unary_cpu(op, out, a, p1, p2);
}

}  // namespace gmeta
