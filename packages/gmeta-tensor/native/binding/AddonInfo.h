// info(), setNumThreads(), getNumThreads(): what the addon was built with and runs on.
#pragma once
#include <napi.h>

namespace gmeta {

void RegisterInfo(Napi::Env env, Napi::Object exports);

}  // namespace gmeta
