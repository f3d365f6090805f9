// CUDA graphs of a device's stream, as plain C++ (no CUDA headers): a program replay on a
// GPU captures its ops once and then launches them as one graph. cuda_graph.cu implements
// it where nvcc exists; cuda_runtime_stub.cc otherwise ("built without CUDA").
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gmeta::cuda {

// An instantiated graph and the memory its nodes keep using on every launch.
struct Graph;

// Captures the work `record` queues on the device's stream (thread-local capture mode: this
// thread may make no call a graph cannot hold; other threads are not affected). Nothing
// runs. Returns null with `reason` set when the work cannot be captured (a host sync, a copy
// from host memory, an error thrown by `record`); the caller then runs the work plainly.
Graph* capture_graph(int device, const std::function<void()>& record, std::string& reason);
// Queues the graph on its device's stream.
void launch_graph(Graph* graph);
// Waits for the graph's launches, then frees it; never throws (it runs from finalizers).
void destroy_graph(Graph* graph) noexcept;
// True while `device`'s stream is being captured.
bool capturing(int device);

// Host bytes a program writes on every replay (constants of the capture). Outside a capture
// this is copy_from_host; inside one the bytes are copied into page-locked memory the graph
// keeps, and the graph copies from there on every launch.
void copy_constant_from_host(int device, void* dst, const void* src, size_t bytes);

// The device words of a replay's deferred index errors (index_errors.h) and their
// page-locked host mirror.
struct ErrorWords {
  int device = -1;
  int64_t count = 0;
  unsigned long long* words = nullptr;  // device
  unsigned long long* host = nullptr;   // page-locked
};
ErrorWords alloc_error_words(int device, int64_t count);
void free_error_words(ErrorWords& w) noexcept;
// Queued on the stream: every word set to ~0 (no error).
void reset_error_words(const ErrorWords& w);
// Queued on the stream: the first `count` words copied to `host` (read after a synchronize).
void fetch_error_words(const ErrorWords& w, int64_t count);

// Between cuda_runtime.cu and cuda_graph.cu: while a capture is open, blocks freed on the
// device and page-locked constants are handed to the graph being captured instead of going
// back to the cache (its nodes use them on every launch).
struct HeldBlock {
  void* ptr;
  size_t bytes;
  bool pinned;
};
struct CaptureHold {
  std::vector<HeldBlock> blocks;
};
void hold_for_capture(int device, CaptureHold* hold);
void release_held(int device, CaptureHold* hold) noexcept;

}  // namespace gmeta::cuda
