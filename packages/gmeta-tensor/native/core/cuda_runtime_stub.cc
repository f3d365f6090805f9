// The CUDA runtime of a build without nvcc: info() says so and nothing else is reachable
// (TypeScript checks availability first; these throws are the second line).
#ifndef GMETA_WITH_CUDA
#include <stdexcept>
#include <string>

#include "cuda_api.h"
#include "cuda_graph.h"
#include "device.h"

namespace gmeta::cuda {

namespace {
[[noreturn]] void unavailable(const char* what) {
  throw std::runtime_error(std::string(what) + ": built without CUDA");
}
}  // namespace

CudaInfo info() { return {false, false, 0, "built without CUDA"}; }
void require_device(const char* op, int device) {
  throw std::runtime_error(std::string(op) + ": " + device_name(device) +
                           " is not available (built without CUDA)");
}
void* alloc(int device, size_t) {
  require_device("Storage", device);
  return nullptr;
}
void free(int, void*, size_t) {}
size_t cached_bytes() { return 0; }
size_t release_cache() { return 0; }
void copy_to_host(int, void*, const void*, size_t) { unavailable("cuda copy"); }
void copy_from_host(int, void*, const void*, size_t) { unavailable("cuda copy"); }
void copy_device(int, void*, int, const void*, size_t) { unavailable("cuda copy"); }
void zero(int, void*, size_t) { unavailable("cuda zero"); }
void synchronize(int) {}
void set_current(int device) { require_device("useDevice", device); }
void* stream(int device) {
  require_device("cudaStream", device);
  return nullptr;
}
void* record_event(int device, bool) {
  require_device("recordEvent", device);
  return nullptr;
}
int query_event(void*) { unavailable("eventDone"); }
void destroy_event(void*) {}
float elapsed_ms(void*, void*) { unavailable("eventElapsedMs"); }

Graph* capture_graph(int, const std::function<void()>&, std::string& reason) {
  reason = "built without CUDA";
  return nullptr;
}
void launch_graph(Graph*) { unavailable("cudaGraphLaunch"); }
void destroy_graph(Graph*) noexcept {}
bool capturing(int) { return false; }
void copy_constant_from_host(int, void*, const void*, size_t) { unavailable("cuda copy"); }
ErrorWords alloc_error_words(int device, int64_t) {
  require_device("replay", device);
  return {};
}
void free_error_words(ErrorWords&) noexcept {}
void reset_error_words(const ErrorWords&) {}
void fetch_error_words(const ErrorWords&, int64_t) {}
void hold_for_capture(int, CaptureHold*) {}
void release_held(int, CaptureHold*) noexcept {}

}  // namespace gmeta::cuda
#endif
