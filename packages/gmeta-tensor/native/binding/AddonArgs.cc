#include "AddonArgs.h"

#include <gmeta/check.h>

#include <cmath>
#include <string>

namespace gmeta {

namespace {

[[noreturn]] void Fail(const Napi::Value& v, const char* op, const char* what, const char* name) {
  throw Napi::TypeError::New(v.Env(), argMessage(op, what, name, DescribeType(v)));
}

}  // namespace

const char* DescribeType(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_object: return v.IsArray() ? "an array" : "an object";
    case napi_function: return "a function";
    case napi_external: return "an external";
    case napi_bigint: return "a bigint";
  }
  return "an unknown value";
}

int64_t ArgInt64(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsNumber()) Fail(v, op, "an integer", name);
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d)) Fail(v, op, "an integer", name);
  return static_cast<int64_t>(d);
}

double ArgDouble(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsNumber()) Fail(v, op, "a number", name);
  return v.As<Napi::Number>().DoubleValue();
}

bool ArgBool(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsBoolean()) Fail(v, op, "a boolean", name);
  return v.As<Napi::Boolean>().Value();
}

uint64_t ArgBigUint64(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsBigInt()) Fail(v, op, "a bigint", name);
  bool lossless = false;
  // Seeds and offsets wrap modulo 2^64, like the counters they feed.
  return v.As<Napi::BigInt>().Uint64Value(&lossless);
}

std::vector<int64_t> ArgInt64Array(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsArray()) Fail(v, op, "an array of integers", name);
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) out[i] = ArgInt64(arr.Get(i), op, name);
  return out;
}

}  // namespace gmeta
