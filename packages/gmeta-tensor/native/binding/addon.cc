// Entry point: registers exports only; each Addon*.cc owns what it exports.
#include <napi.h>

#include "AddonInfo.h"
#include "AddonKernels.h"
#include "AddonProgram.h"
#include "AddonStorage.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Storage", gmeta::AddonStorage::Define(env));
  gmeta::RegisterInfo(env, exports);
  gmeta::RegisterKernels(env, exports);
  gmeta::RegisterProgram(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(gmeta_tensor, Init)
