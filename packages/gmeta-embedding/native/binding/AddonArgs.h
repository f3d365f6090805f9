// Argument readers for the binding. TypeScript validates first; these re-check types and
// lengths so that a wrong call from anywhere becomes a JS Error, never a crash, in the
// native packages' one shape (gmeta/check.h): "<op>: expected <what> for <name>, got <what>".
#pragma once

#include <gmeta/check.h>
#include <napi.h>

#include <cstdint>
#include <string>

namespace gmeta {

template <typename T>
struct ArrayArg {
  T* data;
  int64_t length;
};

inline Napi::Error argError(Napi::Env env, const std::string& op, const std::string& what, const std::string& name,
                            const std::string& got) {
  return Napi::TypeError::New(env, argMessage(op, what, name, got));
}

// A number as JS would print it (3, 2.5), for the "got" part of an argument error.
inline std::string num(double d) {
  std::ostringstream os;
  os << d;
  return os.str();
}

// What a JS value is, for the "got" part of an argument error.
inline std::string describe(const Napi::Value& v) {
  if (v.IsTypedArray()) return "a typed array of another element type";
  if (v.IsNumber()) return num(v.As<Napi::Number>().DoubleValue());
  if (v.IsBigInt()) return "a bigint";
  if (v.IsString()) return "a string";
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  return v.IsObject() ? "an object" : "another value";
}

template <typename T, napi_typedarray_type K>
ArrayArg<T> typedArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                     const char* kind) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != K) {
    throw argError(info.Env(), op, std::string("a ") + kind, name, info.Length() <= i ? "nothing" : describe(info[i]));
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
  if (info.Length() <= i || !info[i].IsNumber()) throw argError(info.Env(), op, "a number", name, info.Length() <= i ? "nothing" : describe(info[i]));
  return info[i].As<Napi::Number>().DoubleValue();
}

inline int64_t positiveIntArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  double d = numberArg(info, i, op, name);
  if (!(d >= 1 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<int64_t>(d))) {
    throw argError(info.Env(), op, "a positive integer", name, num(d));
  }
  return static_cast<int64_t>(d);
}

inline void requireLength(const Napi::CallbackInfo& info, const char* op, const char* name, int64_t got, int64_t want) {
  if (got != want) {
    throw argError(info.Env(), op, "length " + std::to_string(want), name, std::to_string(got));
  }
}

}  // namespace gmeta
