// The CUDA runtime: device discovery, one stream per device and a caching allocator.
//
// Allocator: sizes round up to a bucket (512 B steps below 1 MiB, 1 MiB steps above), and a
// freed block goes to its device's free list for that bucket. Every kernel and copy of a
// device runs on that device's one stream, so a block freed while work that uses it is still
// queued can be handed to later work at once (stream order keeps them apart), as PyTorch's
// allocator does. A training loop with fixed shapes stops calling cudaMalloc after its first
// step. cudaMalloc failing empties the cache of that device and tries once more.
//
// Host to device copies go through pinned staging blocks: the source is copied into a
// page-locked block (so the caller may reuse it at once), the DMA is queued on the stream
// and an event marks when the block is free again. The host no longer waits for each upload
// (a meta-batch's labels, masks, dense features and index arrays), so uploads overlap the
// kernels already queued. Blocks are reused by size; past a cap the copy waits as before.
//
// While the stream is captured into a CUDA graph (cuda_graph.cu), blocks freed on the device
// go to the graph instead of the cache (its nodes use them on every launch), cudaMalloc runs
// in relaxed capture mode (it is not stream work), and calls a graph cannot repeat (host
// syncs, copies from or to host memory) throw, which abandons the capture.
#include <cuda_runtime.h>

#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cuda_api.h"
#include "cuda_check.cuh"
#include "cuda_graph.h"
#include "device.h"

namespace gmeta::cuda {

namespace {

constexpr size_t kSmallStep = 512;
constexpr size_t kLargeStep = size_t{1} << 20;

size_t bucket(size_t bytes) {
  const size_t step = bytes < kLargeStep ? kSmallStep : kLargeStep;
  return (bytes + step - 1) / step * step;
}

struct Staging {
  void* host = nullptr;
  size_t size = 0;
  cudaEvent_t done = nullptr;
};

// Pinned bytes held for staging per device, at most; a larger or further upload waits.
constexpr size_t kStagingCap = size_t{256} << 20;

struct DeviceState {
  cudaStream_t stream = nullptr;
  std::map<size_t, std::vector<void*>> free_lists;
  size_t cached = 0;
  std::vector<Staging> staging;
  size_t staged = 0;
  // Set while the stream is being captured.
  CaptureHold* hold = nullptr;
};

std::mutex& mu() {
  static std::mutex m;
  return m;
}

std::vector<DeviceState>& states() {
  static std::vector<DeviceState> s(static_cast<size_t>(info().devices));
  return s;
}

DeviceState& state(int device) {
  auto& s = states();
  if (device < 0 || device >= static_cast<int>(s.size()))
    throw std::out_of_range("CUDA: no device " + device_name(device) + " (" +
                            std::to_string(s.size()) + " present)");
  return s[static_cast<size_t>(device)];
}

// Lets a call that is not stream work (cudaMalloc, cudaHostAlloc) through a thread-local capture.
class RelaxedCapture {
 public:
  RelaxedCapture() { cudaThreadExchangeStreamCaptureMode(&mode_); }
  ~RelaxedCapture() { cudaThreadExchangeStreamCaptureMode(&mode_); }

 private:
  cudaStreamCaptureMode mode_ = cudaStreamCaptureModeRelaxed;
};

// Throws when the device's stream is being captured: `what` cannot be part of a graph.
void refuse_in_capture(int device, const char* what) {
  std::lock_guard<std::mutex> lock(mu());
  if (state(device).hold)
    throw std::runtime_error(std::string(what) + " cannot be captured into a CUDA graph");
}

cudaStream_t stream_locked(int device) {
  DeviceState& s = state(device);
  if (!s.stream) {
    GMETA_CUDA_CHECK(cudaSetDevice(device));
    GMETA_CUDA_CHECK(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking));
  }
  return s.stream;
}

size_t release_device_locked(int device) {
  DeviceState& s = state(device);
  if (s.cached == 0 && s.staging.empty()) return 0;
  GMETA_CUDA_CHECK(cudaSetDevice(device));
  // Queued work may still use cached blocks; cudaFree waits for the device anyway, but the
  // explicit sync keeps the reasoning local.
  if (s.stream) GMETA_CUDA_CHECK(cudaStreamSynchronize(s.stream));
  // The lists leave the state before anything is freed, so a failure half way cannot leave
  // freed pointers listed for reuse; the first error is reported after the rest are freed.
  auto lists = std::move(s.free_lists);
  s.free_lists.clear();
  auto staging = std::move(s.staging);
  s.staging.clear();
  const size_t released = s.cached + s.staged;
  s.cached = 0;
  s.staged = 0;
  cudaError_t first = cudaSuccess;
  const char* what = "";
  auto keep = [&](cudaError_t e, const char* call) {
    if (e != cudaSuccess && first == cudaSuccess) {
      first = e;
      what = call;
    }
  };
  for (auto& [size, blocks] : lists)
    for (void* p : blocks) keep(cudaFree(p), "cudaFree");
  for (Staging& b : staging) {
    keep(cudaEventDestroy(b.done), "cudaEventDestroy");
    keep(cudaFreeHost(b.host), "cudaFreeHost");
  }
  if (first != cudaSuccess) {
    cudaGetLastError();
    ::gmeta::throwAt(__FILE__, __LINE__, std::string("CUDA error ") + cudaGetErrorName(first) + " (" +
                                             cudaGetErrorString(first) + ") in " + what);
  }
  return released;
}

// A pinned block of at least `bytes` whose last upload has landed, or null past the cap.
Staging* staging_block_locked(int device, size_t bytes) {
  DeviceState& s = state(device);
  Staging* best = nullptr;
  for (Staging& b : s.staging) {
    if (b.size < bytes || (best && best->size <= b.size)) continue;
    const cudaError_t q = cudaEventQuery(b.done);
    if (q == cudaErrorNotReady) {
      cudaGetLastError();  // not an error: keep it out of the next launch check
      continue;
    }
    GMETA_CUDA_CHECK(q);
    best = &b;
  }
  if (best) return best;
  const size_t size = bucket(bytes);
  if (s.staged + size > kStagingCap) return nullptr;
  Staging b;
  b.size = size;
  GMETA_CUDA_CHECK(cudaSetDevice(device));
  if (cudaHostAlloc(&b.host, size, cudaHostAllocPortable) != cudaSuccess) {
    // Page-locked memory is short: this upload takes the synchronous path instead.
    cudaGetLastError();
    return nullptr;
  }
  cudaError_t err = cudaEventCreateWithFlags(&b.done, cudaEventDisableTiming);
  if (err != cudaSuccess) {
    cudaFreeHost(b.host);
    GMETA_CUDA_CHECK(err);
  }
  s.staged += size;
  s.staging.push_back(b);
  return &s.staging.back();
}

}  // namespace

CudaInfo info() {
  static const CudaInfo cached = [] {
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
      cudaGetLastError();  // clear the sticky error so later checks start clean
      return CudaInfo{true, false, 0,
                      std::string("no CUDA device (cudaGetDeviceCount: ") + cudaGetErrorName(err) +
                          ": " + cudaGetErrorString(err) + ")"};
    }
    if (count == 0) return CudaInfo{true, false, 0, "no CUDA device (cudaGetDeviceCount returned 0)"};
    return CudaInfo{true, true, count, ""};
  }();
  return cached;
}

void require_device(const char* op, int device) {
  const CudaInfo i = info();
  if (!i.available)
    throw std::runtime_error(std::string(op) + ": " + device_name(device) + " is not available (" +
                             i.reason + ")");
  if (device < 0 || device >= i.devices)
    throw std::out_of_range(std::string(op) + ": " + device_name(device) + " does not exist (" +
                            std::to_string(i.devices) + " CUDA device(s))");
}

void* alloc(int device, size_t bytes) {
  require_device("Storage", device);
  if (bytes == 0) return nullptr;
  const size_t size = bucket(bytes);
  std::lock_guard<std::mutex> lock(mu());
  DeviceState& s = state(device);
  auto it = s.free_lists.find(size);
  if (it != s.free_lists.end() && !it->second.empty()) {
    void* p = it->second.back();
    it->second.pop_back();
    s.cached -= size;
    return p;
  }
  GMETA_CUDA_CHECK(cudaSetDevice(device));
  void* p = nullptr;
  cudaError_t err;
  if (s.hold) {
    // Emptying the cache would wait for the device, which a capture cannot.
    RelaxedCapture relaxed;
    err = cudaMalloc(&p, size);
  } else {
    err = cudaMalloc(&p, size);
  }
  if (err == cudaErrorMemoryAllocation && !s.hold) {
    cudaGetLastError();
    release_device_locked(device);
    GMETA_CUDA_CHECK(cudaSetDevice(device));
    err = cudaMalloc(&p, size);
  }
  if (err != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error("Storage: could not allocate " + std::to_string(bytes) + " bytes on " +
                             device_name(device) + " (" + cudaGetErrorString(err) + ")");
  }
  return p;
}

void free(int device, void* p, size_t bytes) {
  if (!p) return;
  std::lock_guard<std::mutex> lock(mu());
  DeviceState& s = state(device);
  if (s.hold) {
    s.hold->blocks.push_back(HeldBlock{p, bytes, false});
    return;
  }
  const size_t size = bucket(bytes);
  s.free_lists[size].push_back(p);
  s.cached += size;
}

size_t cached_bytes() {
  if (!info().available) return 0;
  std::lock_guard<std::mutex> lock(mu());
  size_t n = 0;
  for (const auto& s : states()) n += s.cached;
  return n;
}

size_t release_cache() {
  if (!info().available) return 0;
  std::lock_guard<std::mutex> lock(mu());
  size_t n = 0;
  for (int d = 0; d < info().devices; ++d) n += release_device_locked(d);
  return n;
}

void* stream(int device) {
  require_device("stream", device);
  std::lock_guard<std::mutex> lock(mu());
  return stream_locked(device);
}

void synchronize(int device) {
  refuse_in_capture(device, "a wait for the device");
  cudaStream_t s = static_cast<cudaStream_t>(stream(device));
  GMETA_CUDA_CHECK(cudaStreamSynchronize(s));
}

void set_current(int device) {
  require_device("useDevice", device);
  GMETA_CUDA_CHECK(cudaSetDevice(device));
}

void copy_to_host(int device, void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  refuse_in_capture(device, "copy: a copy to host memory (the host waits for it)");
  cudaStream_t s = static_cast<cudaStream_t>(stream(device));
  GMETA_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, s));
  GMETA_CUDA_CHECK(cudaStreamSynchronize(s));
}

void copy_from_host(int device, void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  refuse_in_capture(device, "copy: a copy from host memory (whose bytes may change between replays)");
  cudaStream_t s = static_cast<cudaStream_t>(stream(device));
  {
    std::lock_guard<std::mutex> lock(mu());
    if (Staging* b = staging_block_locked(device, bytes)) {
      std::memcpy(b->host, src, bytes);
      GMETA_CUDA_CHECK(cudaMemcpyAsync(dst, b->host, bytes, cudaMemcpyHostToDevice, s));
      const cudaError_t rec = cudaEventRecord(b->done, s);
      if (rec != cudaSuccess) {
        // Without a fresh marker the block would look free while the copy still reads it.
        cudaStreamSynchronize(s);
        GMETA_CUDA_CHECK(rec);
      }
      return;
    }
  }
  GMETA_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, s));
  // Pageable source: the caller may reuse it as soon as we return.
  GMETA_CUDA_CHECK(cudaStreamSynchronize(s));
}

void copy_device(int dst_device, void* dst, int src_device, const void* src, size_t bytes) {
  if (bytes == 0) return;
  cudaStream_t ds = static_cast<cudaStream_t>(stream(dst_device));
  if (dst_device == src_device) {
    GMETA_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, ds));
    return;
  }
  // Different GPUs: the source's queued work must finish before the copy reads it.
  refuse_in_capture(dst_device, "copy: a copy between GPUs (the host waits for it)");
  synchronize(src_device);
  GMETA_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_device, src, src_device, bytes, ds));
  GMETA_CUDA_CHECK(cudaStreamSynchronize(ds));
}

void* record_event(int device, bool timing) {
  require_device("recordEvent", device);
  cudaStream_t s = static_cast<cudaStream_t>(stream(device));
  GMETA_CUDA_CHECK(cudaSetDevice(device));
  cudaEvent_t e = nullptr;
  GMETA_CUDA_CHECK(cudaEventCreateWithFlags(&e, timing ? cudaEventDefault : cudaEventDisableTiming));
  const cudaError_t err = cudaEventRecord(e, s);
  if (err != cudaSuccess) {
    cudaEventDestroy(e);
    GMETA_CUDA_CHECK(err);
  }
  return e;
}

int query_event(void* event) {
  const cudaError_t r = cudaEventQuery(static_cast<cudaEvent_t>(event));
  if (r == cudaErrorNotReady) {
    cudaGetLastError();
    return 0;
  }
  GMETA_CUDA_CHECK(r);
  return 1;
}

void destroy_event(void* event) {
  if (event) GMETA_CUDA_CHECK(cudaEventDestroy(static_cast<cudaEvent_t>(event)));
}

float elapsed_ms(void* start, void* end) {
  GMETA_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(end)));
  float ms = 0;
  GMETA_CUDA_CHECK(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start), static_cast<cudaEvent_t>(end)));
  return ms;
}

void zero(int device, void* p, size_t bytes) {
  if (bytes == 0) return;
  cudaStream_t s = static_cast<cudaStream_t>(stream(device));
  // A cached block skips cudaMalloc's cudaSetDevice; memsets need the device current.
  GMETA_CUDA_CHECK(cudaSetDevice(device));
  GMETA_CUDA_CHECK(cudaMemsetAsync(p, 0, bytes, s));
}

bool capturing(int device) {
  std::lock_guard<std::mutex> lock(mu());
  return state(device).hold != nullptr;
}

void hold_for_capture(int device, CaptureHold* hold) {
  std::lock_guard<std::mutex> lock(mu());
  state(device).hold = hold;
}

void release_held(int device, CaptureHold* hold) noexcept {
  for (const HeldBlock& b : hold->blocks) {
    if (b.pinned) {
      cudaFreeHost(b.ptr);
    } else {
      std::lock_guard<std::mutex> lock(mu());
      DeviceState& s = state(device);
      const size_t size = bucket(b.bytes);
      s.free_lists[size].push_back(b.ptr);
      s.cached += size;
    }
  }
  hold->blocks.clear();
}

void copy_constant_from_host(int device, void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  cudaStream_t s = static_cast<cudaStream_t>(stream(device));
  CaptureHold* hold = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu());
    hold = state(device).hold;
  }
  if (!hold) {
    copy_from_host(device, dst, src, bytes);
    return;
  }
  void* pinned = nullptr;
  {
    RelaxedCapture relaxed;
    GMETA_CUDA_CHECK(cudaHostAlloc(&pinned, bytes, cudaHostAllocPortable));
  }
  std::memcpy(pinned, src, bytes);
  {
    std::lock_guard<std::mutex> lock(mu());
    hold->blocks.push_back(HeldBlock{pinned, bytes, true});
  }
  GMETA_CUDA_CHECK(cudaMemcpyAsync(dst, pinned, bytes, cudaMemcpyHostToDevice, s));
}

}  // namespace gmeta::cuda
