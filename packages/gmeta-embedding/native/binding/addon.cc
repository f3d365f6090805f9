// Entry point: registers exports only.
#include <napi.h>

#include "AddonSparse.h"
#include "AddonSparseDevice.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  gmeta::RegisterSparse(env, exports);
  gmeta::RegisterSparseDevice(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(gmeta_embedding, Init)
