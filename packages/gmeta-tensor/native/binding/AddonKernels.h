// Exported kernel functions: unwrap arguments, call the kernel, return its result.
#pragma once
#include <napi.h>

namespace gmeta {

void RegisterKernels(Napi::Env env, Napi::Object exports);

}  // namespace gmeta
