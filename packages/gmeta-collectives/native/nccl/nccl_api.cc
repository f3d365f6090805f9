#include "nccl_api.h"

#include <stdexcept>

#include "gmeta/dynlib.h"

namespace gmeta::nccl {

namespace {

struct Loaded {
  dynlib::Library<Api> lib;
  int version = 0;
};

Loaded load() {
  Loaded r;
  Api& a = r.lib.api;
  r.lib.opened = dynlib::open_first(
      dynlib::candidates("GMETA_NCCL_PATH", {"libnccl.so.2"}, "libnccl.so"), "NCCL", "GMETA_NCCL_PATH",
      "libnccl.so.2", [&](dynlib::Symbols& s) {
        s.bind("ncclGetVersion", a.get_version);
        s.bind("ncclGetUniqueId", a.get_unique_id);
        s.bind("ncclCommInitRank", a.comm_init_rank);
        s.bind("ncclCommDestroy", a.comm_destroy);
        s.bind("ncclCommAbort", a.comm_abort);
        s.bind("ncclCommGetAsyncError", a.comm_get_async_error);
        s.bind("ncclGetErrorString", a.get_error_string);
        s.bind("ncclAllReduce", a.all_reduce);
        s.bind("ncclBroadcast", a.broadcast);
        s.bind("ncclAllGather", a.all_gather);
        s.bind("ncclSend", a.send);
        s.bind("ncclRecv", a.recv);
        s.bind("ncclGroupStart", a.group_start);
        s.bind("ncclGroupEnd", a.group_end);
      });
  if (r.lib.opened.loaded) a.get_version(&r.version);
  return r;
}

// Loads once per process and remembers the answer.
const Loaded& loaded() {
  static const Loaded l = load();
  return l;
}

}  // namespace

Status status() {
  const Loaded& l = loaded();
  return {l.lib.opened.loaded, l.lib.opened.path, l.version, l.lib.opened.reason};
}

const Api& api() { return loaded().lib.get(""); }

void check(ncclResult_t r, const char* what) {
  if (r == ncclSuccess) return;
  const Api& a = api();
  throw std::runtime_error(std::string("NCCL ") + what + " failed: " + a.get_error_string(r) +
                           " (ncclResult_t " + std::to_string(r) + ")");
}

}  // namespace gmeta::nccl
