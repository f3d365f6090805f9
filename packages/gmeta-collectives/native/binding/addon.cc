// Registers the exports of gmeta_collectives.node; the classes live in Addon*.
#include <napi.h>

#include "AddonGlooGroup.h"
#include "AddonNccl.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("GlooGroup", gmeta::AddonGroup<gmeta::GlooGroup>::Define(env, "GlooGroup"));
  exports.Set("createGlooGroup", Napi::Function::New(env, &gmeta::CreateGlooGroup));
  gmeta::RegisterNccl(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(gmeta_collectives, Init)
