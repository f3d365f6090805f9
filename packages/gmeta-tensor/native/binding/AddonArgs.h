// Argument conversion for the exported functions. Messages follow the project's shape:
// "<op>: expected <what> for <name>, got <what>".
#pragma once
#include <napi.h>

#include <cstdint>
#include <vector>

namespace gmeta {

int64_t ArgInt64(const Napi::Value& v, const char* op, const char* name);
double ArgDouble(const Napi::Value& v, const char* op, const char* name);
bool ArgBool(const Napi::Value& v, const char* op, const char* name);
uint64_t ArgBigUint64(const Napi::Value& v, const char* op, const char* name);
std::vector<int64_t> ArgInt64Array(const Napi::Value& v, const char* op, const char* name);
const char* DescribeType(const Napi::Value& v);

}  // namespace gmeta
