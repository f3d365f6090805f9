#include "cublas_loader.h"

#include "gmeta/dynlib.h"

namespace gmeta {

namespace {

// Opened once per process, on first use; the answer, success or failure, is remembered.
const dynlib::Library<CublasApi>& library() {
  static const dynlib::Library<CublasApi> lib = [] {
    dynlib::Library<CublasApi> r;
    r.opened = dynlib::open_first(
        dynlib::candidates("GMETA_CUBLAS_PATH", {"libcublas.so.13", "libcublas.so.12"}, "libcublas.so"), "cuBLAS",
        "GMETA_CUBLAS_PATH", "libcublas.so.13", [&](dynlib::Symbols& s) {
          s.bind("cublasCreate_v2", r.api.create);
          s.bind("cublasSetStream_v2", r.api.set_stream);
          s.bind("cublasSetWorkspace_v2", r.api.set_workspace);
          s.bind("cublasGetVersion_v2", r.api.get_version);
          s.bind("cublasSgemmStridedBatched", r.api.sgemm_strided_batched);
          s.bind("cublasDgemmStridedBatched", r.api.dgemm_strided_batched);
        });
    return r;
  }();
  return lib;
}

}  // namespace

CublasStatus cublas_status() {
  const dynlib::Opened& o = library().opened;
  return {o.loaded, o.path, o.reason};
}

const CublasApi& cublas_api() { return library().get("matmul: "); }

}  // namespace gmeta
