// Registers the exports of gmeta_collectives_mpi.node (built only where MPI is found).
#include <dlfcn.h>
#include <napi.h>

#include "../mpi/mpi_group.h"
#include "AddonGroup.h"

namespace gmeta {
Napi::Value CreateMpiGroup(const Napi::CallbackInfo& info);
Napi::Value FinalizeMpi(const Napi::CallbackInfo& info);
}  // namespace gmeta

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Node loads addons with RTLD_LOCAL, which hides libmpi's symbols from the plugins OpenMPI
  // dlopens during MPI_Init (they then fail to load); promote the library to global scope.
  for (const char* lib : {"libmpi.so.40", "libmpi.so"}) {
    if (dlopen(lib, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) != nullptr) break;
  }
  env.AddCleanupHook([] { gmeta::MpiGroup::finalize(); });
  exports.Set("MpiGroup", gmeta::AddonGroup<gmeta::MpiGroup>::Define(env, "MpiGroup"));
  exports.Set("createMpiGroup", Napi::Function::New(env, &gmeta::CreateMpiGroup));
  exports.Set("finalizeMpi", Napi::Function::New(env, &gmeta::FinalizeMpi));
  return exports;
}

}  // namespace

NODE_API_MODULE(gmeta_collectives_mpi, Init)
