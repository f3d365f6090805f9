#include "nccl_api.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace gmeta::nccl {

namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> candidates() {
  const char* env = std::getenv("GMETA_NCCL_PATH");
  if (env && *env) {
    const std::string p = env;
    if (is_dir(p)) return {p + "/libnccl.so.2", p + "/libnccl.so"};
    return {p};
  }
  return {"libnccl.so.2"};
}

struct Loaded {
  Status status;
  Api api{};
};

template <typename F>
void bind(void* lib, const char* name, F& fn, std::string& missing) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn) missing += std::string(missing.empty() ? "" : ", ") + name;
}

Loaded load() {
  Loaded r;
  std::string tried, errors;
  for (const std::string& path : candidates()) {
    tried += (tried.empty() ? "" : ", ") + path;
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* e = dlerror();
      if (e) errors += std::string("\n  ") + e;
      continue;
    }
    std::string missing;
    Api& a = r.api;
    bind(lib, "ncclGetVersion", a.get_version, missing);
    bind(lib, "ncclGetUniqueId", a.get_unique_id, missing);
    bind(lib, "ncclCommInitRank", a.comm_init_rank, missing);
    bind(lib, "ncclCommDestroy", a.comm_destroy, missing);
    bind(lib, "ncclCommAbort", a.comm_abort, missing);
    bind(lib, "ncclCommGetAsyncError", a.comm_get_async_error, missing);
    bind(lib, "ncclGetErrorString", a.get_error_string, missing);
    bind(lib, "ncclAllReduce", a.all_reduce, missing);
    bind(lib, "ncclBroadcast", a.broadcast, missing);
    bind(lib, "ncclAllGather", a.all_gather, missing);
    bind(lib, "ncclSend", a.send, missing);
    bind(lib, "ncclRecv", a.recv, missing);
    bind(lib, "ncclGroupStart", a.group_start, missing);
    bind(lib, "ncclGroupEnd", a.group_end, missing);
    if (!missing.empty()) {
      errors += "\n  " + path + " lacks " + missing;
      dlclose(lib);
      continue;
    }
    int version = 0;
    a.get_version(&version);
    r.status = {true, path, version, ""};
    return r;
  }
  r.status = {false, "", 0, "NCCL not found: tried " + tried + "; set GMETA_NCCL_PATH to libnccl.so.2 or its folder" + errors};
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
