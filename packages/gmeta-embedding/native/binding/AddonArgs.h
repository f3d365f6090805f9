// Argument readers for the binding. TypeScript validates first; these re-check types and
// lengths so that a wrong call from anywhere becomes a JS Error, never a crash.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace gmeta {

template <typename T>
struct ArrayArg {
  T* data;
  int64_t length;
};

inline Napi::Error argError(Napi::Env env, const std::string& op, const std::string& what) {
  return Napi::Error::New(env, op + ": " + what);
}

template <typename T, napi_typedarray_type K>
ArrayArg<T> typedArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                     const char* kind) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != K) {
    throw argError(info.Env(), op, std::string("expected a ") + kind + " for " + name);
  }
  auto a = info[i].As<Napi::TypedArrayOf<T>>();
  return {a.Data(), static_cast<int64_t>(a.ElementLength())};
}

inline ArrayArg<float> f32Arg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  return typedArg<float, napi_float32_array>(info, i, op, name, "Float32Array");
}
inline ArrayArg<int32_t> i32Arg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  return typedArg<int32_t, napi_int32_array>(info, i, op, name, "Int32Array");
}
inline ArrayArg<int64_t> i64Arg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  return typedArg<int64_t, napi_bigint64_array>(info, i, op, name, "BigInt64Array");
}

inline double numberArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber()) throw argError(info.Env(), op, std::string("expected a number for ") + name);
  return info[i].As<Napi::Number>().DoubleValue();
}

inline int64_t positiveIntArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  double d = numberArg(info, i, op, name);
  if (!(d >= 1 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<int64_t>(d))) {
    throw argError(info.Env(), op, std::string("expected a positive integer for ") + name);
  }
  return static_cast<int64_t>(d);
}

inline void requireLength(const Napi::CallbackInfo& info, const char* op, const char* name, int64_t got, int64_t want) {
  if (got != want) {
    throw argError(info.Env(), op, std::string("expected length ") + std::to_string(want) + " for " + name +
                                       ", got " + std::to_string(got));
  }
}

}  // namespace gmeta
