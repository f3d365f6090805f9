// Dtype codes shared with TypeScript (src/native/AddonTypes.ts: DTypeCode).
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace gmeta {

enum class DType : int { F32 = 0, F64 = 1, I32 = 2, I64 = 3 };

inline bool is_valid_dtype(int code) { return code >= 0 && code <= 3; }

inline size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::F64: return 8;
    case DType::I32: return 4;
    case DType::I64: return 8;
  }
  return 0;
}

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "float32";
    case DType::F64: return "float64";
    case DType::I32: return "int32";
    case DType::I64: return "int64";
  }
  return "unknown";
}

inline bool is_float(DType t) { return t == DType::F32 || t == DType::F64; }

[[noreturn]] inline void unsupported_dtype(const char* op, DType t) {
  throw std::invalid_argument(std::string(op) + ": unsupported dtype " + dtype_name(t));
}

// Calls fn(T{}) with T the C++ type of `t`; the lambda picks T with decltype.
template <typename Fn>
void dispatch_all(DType t, Fn&& fn) {
  switch (t) {
    case DType::F32: fn(float{}); return;
    case DType::F64: fn(double{}); return;
    case DType::I32: fn(int32_t{}); return;
    case DType::I64: fn(int64_t{}); return;
  }
}

// Calls fn(A{}, B{}) with A and B the C++ types of `a` and `b` (kernels over two dtypes).
template <typename Fn>
void dispatch_all2(DType a, DType b, Fn&& fn) {
  dispatch_all(a, [&](auto ta) { dispatch_all(b, [&](auto tb) { fn(ta, tb); }); });
}

template <typename Fn>
void dispatch_float(const char* op, DType t, Fn&& fn) {
  switch (t) {
    case DType::F32: fn(float{}); return;
    case DType::F64: fn(double{}); return;
    default: unsupported_dtype(op, t);
  }
}

template <typename Fn>
void dispatch_index(const char* op, DType t, Fn&& fn) {
  switch (t) {
    case DType::I32: fn(int32_t{}); return;
    case DType::I64: fn(int64_t{}); return;
    default:
      throw std::invalid_argument(std::string(op) + ": expected int32 or int64 indices, got " +
                                  dtype_name(t));
  }
}

}  // namespace gmeta
