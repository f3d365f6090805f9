// Device seam: -1 is the CPU, N >= 0 is cuda:N. Each kernel's launcher (kernels/<op>/<op>.h)
// asks device_of() where its operands live and calls <op>_cpu or, in a CUDA build,
// <op>_cuda; a build without CUDA answers cuda:N with no_cuda_kernel().
#pragma once
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace gmeta {

constexpr int kCpu = -1;

inline std::string device_name(int device) {
  return device < 0 ? std::string("cpu") : "cuda:" + std::to_string(device);
}

// For the few entry points that exist only on the CPU.
inline void require_cpu(const char* op, int device) {
  if (device != kCpu)
    throw std::invalid_argument(std::string(op) + ": no kernel for " + device_name(device) +
                                " (CPU only)");
}

// The one device of all operands; mixing devices is a caller bug TypeScript already rejects.
inline int common_device(const char* op, std::initializer_list<int> devices) {
  const int first = *devices.begin();
  for (int d : devices)
    if (d != first)
      throw std::invalid_argument(std::string(op) + ": expected every operand on " +
                                  device_name(first) + ", got one on " + device_name(d));
  return first;
}

[[noreturn]] inline void no_cuda_kernel(const char* op, int device) {
  throw std::invalid_argument(std::string(op) + ": no kernel for " + device_name(device) +
                              " (built without CUDA)");
}

}  // namespace gmeta

// GMETA_ON_DEVICE(op, device, cpu_call, cuda_call): the launcher body shared by every kernel.
#ifdef GMETA_WITH_CUDA
#define GMETA_ON_DEVICE(op, device, cpu_call, cuda_call) \
  do {                                                   \
    if ((device) == ::gmeta::kCpu) return cpu_call;      \
    return cuda_call;                                    \
  } while (0)
#else
#define GMETA_ON_DEVICE(op, device, cpu_call, cuda_call) \
  do {                                                   \
    if ((device) == ::gmeta::kCpu) return cpu_call;      \
    ::gmeta::no_cuda_kernel(op, device);                 \
  } while (0)
#endif
