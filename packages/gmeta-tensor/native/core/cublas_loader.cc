#include "cublas_loader.h"

#include <stdexcept>

#include "gmeta/dynlib.h"

namespace gmeta {

namespace {

struct Loaded {
  CublasStatus status;
  CublasApi api{};
};

Loaded load() {
  Loaded r;
  const dynlib::Opened o = dynlib::open_first(
      dynlib::candidates("GMETA_CUBLAS_PATH", {"libcublas.so.13", "libcublas.so.12"}, "libcublas.so"), "cuBLAS",
      "GMETA_CUBLAS_PATH", "libcublas.so.13", [&](dynlib::Symbols& s) {
        s.bind("cublasCreate_v2", r.api.create);
        s.bind("cublasSetStream_v2", r.api.set_stream);
        s.bind("cublasGetVersion_v2", r.api.get_version);
        s.bind("cublasSgemmStridedBatched", r.api.sgemm_strided_batched);
        s.bind("cublasDgemmStridedBatched", r.api.dgemm_strided_batched);
      });
  r.status = {o.loaded, o.path, o.reason};
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
