// Device seam: -1 is the CPU, N >= 0 is cuda:N. Kernels dispatch through require_cpu until
// CUDA launchers exist; a CUDA build will route device >= 0 to <op>_cuda.cu instead.
#pragma once
#include <stdexcept>
#include <string>

namespace gmeta {

constexpr int kCpu = -1;

inline std::string device_name(int device) {
  return device < 0 ? std::string("cpu") : "cuda:" + std::to_string(device);
}

struct CudaInfo {
  bool compiled;
  bool available;
  int devices;
  const char* reason;
};

inline CudaInfo cuda_info() { return {false, false, 0, "built without CUDA"}; }

inline void require_cpu(const char* op, int device) {
  if (device != kCpu)
    throw std::invalid_argument(std::string(op) + ": no kernel for " + device_name(device) +
                                " (built without CUDA)");
}

}  // namespace gmeta
