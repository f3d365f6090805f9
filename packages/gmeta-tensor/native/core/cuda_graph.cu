// CUDA graph capture and launch of a device's stream (see cuda_graph.h), and the device
// words of deferred index errors.
#include <cuda_runtime.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "cuda_api.h"
#include "cuda_check.cuh"
#include "cuda_graph.h"

namespace gmeta::cuda {

struct Graph {
  int device = 0;
  cudaGraphExec_t exec = nullptr;
  CaptureHold hold;
};

namespace {

std::string error_text(cudaError_t e, const char* call) {
  return std::string(call) + " failed: " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")";
}

}  // namespace

Graph* capture_graph(int device, const std::function<void()>& record, std::string& reason) {
  cudaStream_t s = static_cast<cudaStream_t>(stream(device));
  GMETA_CUDA_CHECK(cudaSetDevice(device));
  auto graph = std::make_unique<Graph>();
  graph->device = device;
  // Thread-local: only this thread's calls are checked, so other threads (a loader's
  // workers, say) may allocate or copy meanwhile; the ops all run on this thread.
  GMETA_CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
  hold_for_capture(device, &graph->hold);
  std::string failed;
  try {
    record();
  } catch (const std::exception& e) {
    failed = e.what();
  } catch (...) {
    failed = "an unknown exception";
  }
  hold_for_capture(device, nullptr);
  cudaGraph_t g = nullptr;
  const cudaError_t end = cudaStreamEndCapture(s, &g);
  if (failed.empty() && end != cudaSuccess) failed = error_text(end, "cudaStreamEndCapture");
  if (failed.empty()) {
    const cudaError_t inst = cudaGraphInstantiate(&graph->exec, g, 0);
    if (inst != cudaSuccess) failed = error_text(inst, "cudaGraphInstantiate");
  }
  if (g) cudaGraphDestroy(g);
  if (failed.empty()) return graph.release();
  // A failed capture leaves its error on the thread; nothing it recorded ran.
  cudaGetLastError();
  release_held(device, &graph->hold);
  reason = failed;
  return nullptr;
}

void launch_graph(Graph* graph) {
  cudaStream_t s = static_cast<cudaStream_t>(stream(graph->device));
  GMETA_CUDA_CHECK(cudaGraphLaunch(graph->exec, s));
}

void destroy_graph(Graph* graph) noexcept {
  if (!graph) return;
  try {
    // Held blocks go back to the cache in stream order; page-locked constants are freed at
    // once, so the launches that read them must be done.
    cudaStreamSynchronize(static_cast<cudaStream_t>(stream(graph->device)));
  } catch (...) {
  }
  if (graph->exec) cudaGraphExecDestroy(graph->exec);
  release_held(graph->device, &graph->hold);
  cudaGetLastError();
  delete graph;
}

ErrorWords alloc_error_words(int device, int64_t count) {
  ErrorWords w;
  w.device = device;
  w.count = count;
  if (count == 0) return w;
  const size_t bytes = static_cast<size_t>(count) * sizeof(unsigned long long);
  w.words = static_cast<unsigned long long*>(alloc(device, bytes));
  const cudaError_t err = cudaHostAlloc(reinterpret_cast<void**>(&w.host), bytes, cudaHostAllocPortable);
  if (err != cudaSuccess) {
    free(device, w.words, bytes);
    GMETA_CUDA_CHECK(err);
  }
  return w;
}

void free_error_words(ErrorWords& w) noexcept {
  if (w.count == 0) return;
  const size_t bytes = static_cast<size_t>(w.count) * sizeof(unsigned long long);
  try {
    free(w.device, w.words, bytes);
  } catch (...) {
  }
  // cudaFreeHost waits for the device, so no queued copy still writes the mirror.
  cudaFreeHost(w.host);
  cudaGetLastError();
  w = ErrorWords{};
}

void reset_error_words(const ErrorWords& w) {
  if (w.count == 0) return;
  cudaStream_t s = static_cast<cudaStream_t>(stream(w.device));
  GMETA_CUDA_CHECK(cudaMemsetAsync(w.words, 0xff, static_cast<size_t>(w.count) * sizeof(unsigned long long), s));
}

void fetch_error_words(const ErrorWords& w, int64_t count) {
  if (count == 0) return;
  cudaStream_t s = static_cast<cudaStream_t>(stream(w.device));
  GMETA_CUDA_CHECK(cudaMemcpyAsync(w.host, w.words, static_cast<size_t>(count) * sizeof(unsigned long long),
                                   cudaMemcpyDeviceToHost, s));
}

}  // namespace gmeta::cuda
