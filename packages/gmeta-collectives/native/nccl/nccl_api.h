// NCCL, loaded at run time with dlopen so the addon builds and loads where NCCL and CUDA are
// absent (and says why the NCCL process group is unavailable). The few types and functions
// used are declared here by hand, matching nccl.h of NCCL 2.x:
//   ncclUniqueId is 128 bytes; ncclDataType_t: ncclInt32 = 2, ncclInt64 = 4, ncclFloat32 = 7,
//   ncclFloat64 = 8; ncclRedOp_t: ncclSum = 0, ncclProd = 1, ncclMax = 2, ncclMin = 3,
//   ncclAvg = 4 (NCCL >= 2.10).
// Search order: GMETA_NCCL_PATH (a library file or a folder holding libnccl.so.2), else
// libnccl.so.2 through the dynamic loader's usual paths.
#pragma once
#include <cstddef>
#include <string>

namespace gmeta::nccl {

using ncclComm_t = struct ncclComm*;
using ncclResult_t = int;
constexpr ncclResult_t ncclSuccess = 0;
constexpr ncclResult_t ncclInProgress = 7;
struct ncclUniqueId {
  char internal[128];
};
static_assert(sizeof(ncclUniqueId) == 128, "ncclUniqueId is 128 bytes");

enum DataType : int { Int32 = 2, Int64 = 4, Float32 = 7, Float64 = 8 };
enum RedOp : int { Sum = 0, Prod = 1, Max = 2, Min = 3, Avg = 4 };

using Stream = void*;  // cudaStream_t

struct Api {
  ncclResult_t (*get_version)(int*);
  ncclResult_t (*get_unique_id)(ncclUniqueId*);
  ncclResult_t (*comm_init_rank)(ncclComm_t*, int, ncclUniqueId, int);
  ncclResult_t (*comm_destroy)(ncclComm_t);
  ncclResult_t (*comm_abort)(ncclComm_t);
  ncclResult_t (*comm_get_async_error)(ncclComm_t, ncclResult_t*);
  const char* (*get_error_string)(ncclResult_t);
  ncclResult_t (*all_reduce)(const void*, void*, size_t, int, int, ncclComm_t, Stream);
  ncclResult_t (*broadcast)(const void*, void*, size_t, int, int, ncclComm_t, Stream);
  ncclResult_t (*all_gather)(const void*, void*, size_t, int, ncclComm_t, Stream);
  ncclResult_t (*send)(const void*, size_t, int, int, ncclComm_t, Stream);
  ncclResult_t (*recv)(void*, size_t, int, int, ncclComm_t, Stream);
  ncclResult_t (*group_start)();
  ncclResult_t (*group_end)();
};

struct Status {
  bool loaded;
  std::string path;
  int version;  // e.g. 22703 for 2.27.3
  std::string reason;
};

// Loads once per process and remembers the answer.
Status status();
// The loaded API; throws the status reason when NCCL is missing.
const Api& api();
// Throws "NCCL <what> failed: <error string>" unless r is ncclSuccess.
void check(ncclResult_t r, const char* what);

}  // namespace gmeta::nccl
