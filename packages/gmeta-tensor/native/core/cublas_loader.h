// cuBLAS, loaded at run time with dlopen so a machine without it still builds and runs (and
// says why GEMM on a GPU is unavailable). Only the handful of entry points GEMM needs are
// declared here, by hand, so no cuBLAS headers are needed to build.
//
// Search order: GMETA_CUBLAS_PATH (a library file, or a folder holding libcublas.so.13 / .12),
// else libcublas.so.13 then libcublas.so.12 through the dynamic loader's usual paths.
#pragma once
#include <cstddef>
#include <string>

namespace gmeta {

using cublasHandle_t = void*;
using cublasStatus_t = int;
enum cublasOperation_t : int { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 };
constexpr cublasStatus_t CUBLAS_STATUS_SUCCESS = 0;

struct CublasApi {
  cublasStatus_t (*create)(cublasHandle_t*);
  cublasStatus_t (*set_stream)(cublasHandle_t, void* stream);
  cublasStatus_t (*set_workspace)(cublasHandle_t, void* workspace, size_t bytes);
  cublasStatus_t (*get_version)(cublasHandle_t, int*);
  cublasStatus_t (*sgemm_strided_batched)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int,
                                          int, const float*, const float*, int, long long, const float*,
                                          int, long long, const float*, float*, int, long long, int);
  cublasStatus_t (*dgemm_strided_batched)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int,
                                          int, const double*, const double*, int, long long,
                                          const double*, int, long long, const double*, double*, int,
                                          long long, int);
};

struct CublasStatus {
  bool loaded;
  std::string path;    // the file that loaded
  std::string reason;  // why not, when !loaded
};

// Loads once per process (the result, success or failure, is remembered).
CublasStatus cublas_status();
// The loaded API; throws the status reason when cuBLAS is missing.
const CublasApi& cublas_api();

}  // namespace gmeta
