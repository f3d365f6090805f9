#pragma once

#include <napi.h>

namespace gmeta {

// The fused sparse optimizers on device rows (cuda:N), and whether this addon has CUDA.
void RegisterSparseDevice(Napi::Env env, Napi::Object exports);

}  // namespace gmeta
