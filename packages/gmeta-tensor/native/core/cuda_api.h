// The CUDA runtime as the rest of the core sees it: plain C++ with no CUDA headers, so the
// binding and the CPU kernels compile with g++ alone. cuda_runtime.cu implements it where
// nvcc exists (GMETA_WITH_CUDA); cuda_runtime_stub.cc otherwise, where every call but info()
// throws "built without CUDA".
#pragma once
#include <cstddef>
#include <string>

namespace gmeta {

struct CudaInfo {
  bool compiled;
  bool available;
  int devices;
  std::string reason;
};

namespace cuda {

// Asked once and remembered: the answer cannot change within a process.
CudaInfo info();
// Throws a clear error unless `device` names a usable GPU.
void require_device(const char* op, int device);

// Device memory from the per-device caching allocator (stream-ordered on the device's one
// stream, so a block freed after queued work may be reused by later queued work).
void* alloc(int device, size_t bytes);
void free(int device, void* p, size_t bytes);
size_t cached_bytes();
size_t release_cache();

// Copies queue on the device's stream. To the host: returns when the bytes have landed. From
// the host: the source is copied into a pinned staging block and the upload is queued, so the
// caller may reuse its memory at once and later work on the stream sees the bytes.
void copy_to_host(int device, void* dst, const void* src, size_t bytes);
void copy_from_host(int device, void* dst, const void* src, size_t bytes);
// Device to device, same or different GPUs; ordered after both devices' queued work.
void copy_device(int dst_device, void* dst, int src_device, const void* src, size_t bytes);
void zero(int device, void* p, size_t bytes);
void synchronize(int device);
// Makes `device` current on the calling thread (for libraries that read the current device,
// such as NCCL at communicator creation).
void set_current(int device);
// The device's stream as an opaque cudaStream_t (kernels and NCCL queue on it).
void* stream(int device);
// A marker queued on the device's stream after the work queued so far (a cudaEvent_t), so
// the host can ask without blocking whether that work has finished (NCCL's timeouts).
void* record_event(int device, bool timing = false);
// 1 once the work before the marker has finished, 0 while it is pending; throws the CUDA
// error the work ended with.
int query_event(void* event);
void destroy_event(void* event);
// Milliseconds of device time between two timing markers of one device (waits for `end`).
float elapsed_ms(void* start, void* end);

}  // namespace cuda
}  // namespace gmeta
