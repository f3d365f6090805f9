// createMpiGroup(): the MPI_COMM_WORLD group. MPI is initialised here, on the JS main
// thread, because MPI_Finalize must run on the thread that initialised it (the cleanup hook
// registered in mpi_addon.cc, or close()).
#include <napi.h>

#include <memory>

#include "../mpi/mpi_group.h"
#include "AddonGroup.h"

namespace gmeta {

Napi::Value CreateMpiGroup(const Napi::CallbackInfo& info) {
  auto g = std::make_shared<MpiGroup>();
  return AddonGroup<MpiGroup>::Wrap(info.Env(), &g);
}

Napi::Value FinalizeMpi(const Napi::CallbackInfo& info) {
  MpiGroup::finalize();
  return info.Env().Undefined();
}

}  // namespace gmeta
