#include "nccl_api.h"

#include <stdexcept>

#include "gmeta/dynlib.h"

namespace gmeta::nccl {

namespace {

struct Loaded {
  Status status;
  Api api{};
};

Loaded load() {
  Loaded r;
  Api& a = r.api;
  const dynlib::Opened o = dynlib::open_first(
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
  int version = 0;
  if (o.loaded) a.get_version(&version);
  r.status = {o.loaded, o.path, version, o.reason};
  return r;
}

const Loaded& loaded() {
  static const Loaded l = load();
  return l;
}

}  // namespace

Status status() { return loaded().status; }

const Api& api() {
  const Loaded& l = loaded();
  if (!l.status.loaded) throw std::runtime_error(l.status.reason);
  return l.api;
}

void check(ncclResult_t r, const char* what) {
  if (r == ncclSuccess) return;
  const Api& a = api();
  throw std::runtime_error(std::string("NCCL ") + what + " failed: " + a.get_error_string(r) +
                           " (ncclResult_t " + std::to_string(r) + ")");
}

}  // namespace gmeta::nccl
