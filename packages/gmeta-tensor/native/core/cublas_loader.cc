#include "cublas_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace gmeta {

namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> candidates() {
  static const char* kNames[] = {"libcublas.so.13", "libcublas.so.12"};
  std::vector<std::string> out;
  const char* env = std::getenv("GMETA_CUBLAS_PATH");
  if (env && *env) {
    const std::string p = env;
    if (is_dir(p)) {
      for (const char* n : kNames) out.push_back(p + "/" + n);
      out.push_back(p + "/libcublas.so");
    } else {
      out.push_back(p);
    }
    return out;
  }
  for (const char* n : kNames) out.emplace_back(n);
  return out;
}

struct Loaded {
  CublasStatus status;
  CublasApi api{};
};

template <typename F>
bool bind(void* lib, const char* name, F& fn, std::string& missing) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn) missing += std::string(missing.empty() ? "" : ", ") + name;
  return fn != nullptr;
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
    bind(lib, "cublasCreate_v2", r.api.create, missing);
    bind(lib, "cublasSetStream_v2", r.api.set_stream, missing);
    bind(lib, "cublasSetWorkspace_v2", r.api.set_workspace, missing);
    bind(lib, "cublasGetVersion_v2", r.api.get_version, missing);
    bind(lib, "cublasSgemmStridedBatched", r.api.sgemm_strided_batched, missing);
    bind(lib, "cublasDgemmStridedBatched", r.api.dgemm_strided_batched, missing);
    if (!missing.empty()) {
      errors += "\n  " + path + " lacks " + missing;
      dlclose(lib);
      continue;
    }
    r.status = {true, path, ""};
    return r;
  }
  r.status = {false, "", "cuBLAS not found: tried " + tried + "; set GMETA_CUBLAS_PATH to libcublas.so.13 or its folder" + errors};
  return r;
}

const Loaded& loaded() {
  static const Loaded l = load();
  return l;
}

}  // namespace

CublasStatus cublas_status() { return loaded().status; }

const CublasApi& cublas_api() {
  const Loaded& l = loaded();
  if (!l.status.loaded) throw std::runtime_error("matmul: " + l.status.reason);
  return l.api;
}

}  // namespace gmeta
