// GMETA_CUDA_CHECK: a failed CUDA call becomes a C++ exception naming the call, file and
// line (and then a JS Error with the JS call site); it never exits the process.
#pragma once
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace gmeta {

[[noreturn]] inline void cuda_fail(cudaError_t err, const char* expr, const char* file, int line) {
  throw std::runtime_error(std::string("CUDA error ") + cudaGetErrorName(err) + " (" +
                           cudaGetErrorString(err) + ") in " + expr + " at " + file + ":" +
                           std::to_string(line));
}

}  // namespace gmeta

#define GMETA_CUDA_CHECK(expr)                                                  \
  do {                                                                          \
    cudaError_t gmeta_err_ = (expr);                                            \
    if (gmeta_err_ != cudaSuccess) ::gmeta::cuda_fail(gmeta_err_, #expr, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: reports bad launch configurations at the call that made them.
#define GMETA_CUDA_LAUNCHED() GMETA_CUDA_CHECK(cudaGetLastError())
