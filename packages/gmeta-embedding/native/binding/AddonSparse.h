#pragma once

#include <napi.h>

namespace gmeta {

// Id mapping, dedup, row copies and the fused sparse optimizers.
void RegisterSparse(Napi::Env env, Napi::Object exports);

}  // namespace gmeta
