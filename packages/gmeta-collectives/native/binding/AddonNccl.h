#pragma once
#include <napi.h>

namespace gmeta {

// Registers ncclStatus, ncclUniqueId and the NcclComm class.
void RegisterNccl(Napi::Env env, Napi::Object exports);

}  // namespace gmeta
