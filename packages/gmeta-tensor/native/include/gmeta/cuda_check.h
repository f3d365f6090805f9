// GMETA_CUDA_CHECK: a failed CUDA call becomes a gmeta::Error naming the call, file and line
// (and then a JS Error with the JS call site); it never exits the process. One macro for
// every native package's CUDA code.
#pragma once
#include <cuda_runtime.h>

#include <string>

#include "check.h"

#define GMETA_CUDA_CHECK(expr)                                                                        \
  do {                                                                                                \
    cudaError_t gmeta_err_ = (expr);                                                                  \
    if (gmeta_err_ != cudaSuccess) {                                                                  \
      ::gmeta::throwAt(__FILE__, __LINE__, std::string("CUDA error ") + cudaGetErrorName(gmeta_err_) + \
                                               " (" + cudaGetErrorString(gmeta_err_) + ") in " #expr); \
    }                                                                                                 \
  } while (0)

// After a kernel launch: reports bad launch configurations at the call that made them.
#define GMETA_CUDA_LAUNCHED() GMETA_CUDA_CHECK(cudaGetLastError())
