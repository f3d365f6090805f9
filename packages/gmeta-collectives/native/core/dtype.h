// Element types the collectives move. Numbering matches src/dtype.ts (DTYPE_CODE).
#pragma once

#include <cstddef>
#include <cstdint>

#include "check.h"

namespace gmeta {

enum class DType : int { Float32 = 0, Float64 = 1, Int32 = 2, Int64 = 3 };

inline DType dtypeFromCode(int code) {
  GMETA_CHECK(code >= 0 && code <= 3, "unknown dtype code " << code);
  return static_cast<DType>(code);
}

inline size_t elementSize(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int32: return 4;
    case DType::Int64: return 8;
  }
  return 0;
}

inline bool isFloating(DType t) { return t == DType::Float32 || t == DType::Float64; }

// Reductions, numbered as in src/ReduceOp.ts.
enum class ReduceOp : int { Sum = 0, Mean = 1, Max = 2, Min = 3 };

inline ReduceOp reduceOpFromCode(int code) {
  GMETA_CHECK(code >= 0 && code <= 3, "unknown reduce op code " << code);
  return static_cast<ReduceOp>(code);
}

// Calls f with a value of the C++ type matching t, so algorithms are written once.
template <typename F>
auto dispatchDType(DType t, F&& f) {
  switch (t) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int32: return f(int32_t{});
    case DType::Int64: return f(int64_t{});
  }
  throwAt(__FILE__, __LINE__, "unreachable dtype");
}

}  // namespace gmeta
