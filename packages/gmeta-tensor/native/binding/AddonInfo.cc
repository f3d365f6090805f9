#include "AddonInfo.h"

#include <cblas.h>

#include <string>

#include "../core/alloc_stats.h"
#include "../core/cublas_loader.h"
#include "../core/cuda_api.h"
#include "../core/device.h"
#include "../core/host_cache.h"
#include "../core/thread_pool.h"
#include "AddonArgs.h"

#ifndef GMETA_VERSION
#define GMETA_VERSION "0.0.0"
#endif

namespace gmeta {

namespace {

// The config string reads "OpenBLAS 0.3.21 DYNAMIC_ARCH ..."; name and version are enough.
std::string BlasName() {
  std::string config = openblas_get_config();
  size_t first = config.find(' ');
  size_t second = first == std::string::npos ? first : config.find(' ', first + 1);
  return config.substr(0, second);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", GMETA_VERSION);
  out.Set("blas", BlasName());
  out.Set("threads", num_threads());
  const CudaInfo c = cuda::info();
  Napi::Object cuda = Napi::Object::New(env);
  cuda.Set("compiled", c.compiled);
  cuda.Set("available", c.available);
  cuda.Set("devices", c.devices);
  cuda.Set("reason", c.reason);
  out.Set("cuda", cuda);
  // cuBLAS is looked for even without CUDA, so its loader's answer is visible everywhere.
  const CublasStatus b = cublas_status();
  Napi::Object cublas = Napi::Object::New(env);
  cublas.Set("available", b.loaded && c.compiled);
  cublas.Set("path", b.path);
  cublas.Set("reason", !b.loaded ? b.reason
                       : !c.compiled ? "built without CUDA (cuBLAS found at " + b.path + ")"
                                     : std::string());
  out.Set("cublas", cublas);
  Napi::Object bytes = Napi::Object::New(env);
  bytes.Set("cpu", 0);
  for (const auto& [device, n] : alloc_stats_snapshot())
    bytes.Set(device_name(device), static_cast<double>(n));
  out.Set("allocatedBytes", bytes);
  out.Set("cachedHostBytes", static_cast<double>(host_cache_bytes()));
  out.Set("cachedDeviceBytes", static_cast<double>(cuda::cached_bytes()));
  return out;
}

Napi::Value ReleaseHostCache(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(host_cache_release()));
}

Napi::Value ReleaseDeviceCache(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(cuda::release_cache()));
}

// Waits for the device's queued work (kernels run asynchronously on its one stream).
void Synchronize(const Napi::CallbackInfo& info) {
  const int64_t device = ArgInt64(info[0], "synchronize", "device");
  if (device == kCpu) return;
  cuda::synchronize(static_cast<int>(device));
}

void UseDevice(const Napi::CallbackInfo& info) {
  const int64_t device = ArgInt64(info[0], "useDevice", "device");
  if (device == kCpu) return;
  cuda::set_current(static_cast<int>(device));
}

// The device's stream as a bigint (a cudaStream_t) for libraries that queue on it (NCCL).
Napi::Value CudaStream(const Napi::CallbackInfo& info) {
  const int64_t device = ArgInt64(info[0], "cudaStream", "device");
  return Napi::BigInt::New(info.Env(),
                           static_cast<uint64_t>(reinterpret_cast<uintptr_t>(cuda::stream(static_cast<int>(device)))));
}

uint64_t EventArg(const Napi::CallbackInfo& info, const char* op) {
  if (info.Length() < 1 || !info[0].IsBigInt())
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": expected a bigint for event");
  bool lossless = false;
  const uint64_t e = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless || e == 0) throw Napi::TypeError::New(info.Env(), std::string(op) + ": expected an event from recordEvent");
  return e;
}

// A marker after the device's queued work, as a bigint (a cudaEvent_t).
Napi::Value RecordEvent(const Napi::CallbackInfo& info) {
  const int64_t device = ArgInt64(info[0], "recordEvent", "device");
  const bool timing = info.Length() > 1 && info[1].ToBoolean().Value();
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(
                                           cuda::record_event(static_cast<int>(device), timing))));
}

Napi::Value EventDone(const Napi::CallbackInfo& info) {
  const uint64_t e = EventArg(info, "eventDone");
  return Napi::Boolean::New(info.Env(), cuda::query_event(reinterpret_cast<void*>(static_cast<uintptr_t>(e))) == 1);
}

void DestroyEvent(const Napi::CallbackInfo& info) {
  const uint64_t e = EventArg(info, "destroyEvent");
  cuda::destroy_event(reinterpret_cast<void*>(static_cast<uintptr_t>(e)));
}

// Device milliseconds between two timing markers (recordEvent(device, true)).
Napi::Value EventElapsedMs(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsBigInt() || !info[1].IsBigInt())
    throw Napi::TypeError::New(info.Env(), "eventElapsedMs: expected two events from recordEvent");
  bool a = false, b = false;
  const uint64_t s = info[0].As<Napi::BigInt>().Uint64Value(&a);
  const uint64_t e = info[1].As<Napi::BigInt>().Uint64Value(&b);
  if (!a || !b || s == 0 || e == 0) throw Napi::TypeError::New(info.Env(), "eventElapsedMs: expected two events from recordEvent");
  return Napi::Number::New(info.Env(), cuda::elapsed_ms(reinterpret_cast<void*>(static_cast<uintptr_t>(s)),
                                                        reinterpret_cast<void*>(static_cast<uintptr_t>(e))));
}

void SetNumThreads(const Napi::CallbackInfo& info) {
  const int64_t n = ArgInt64(info[0], "setNumThreads", "n");
  if (n < 1 || n > 1024)
    throw Napi::RangeError::New(info.Env(), "setNumThreads: expected an integer in [1, 1024] for n, got " +
                                                std::to_string(n));
  set_num_threads(static_cast<int>(n));
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), num_threads());
}

}  // namespace

void RegisterInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New<Info>(env, "info"));
  exports.Set("setNumThreads", Napi::Function::New<SetNumThreads>(env, "setNumThreads"));
  exports.Set("releaseHostCache", Napi::Function::New<ReleaseHostCache>(env, "releaseHostCache"));
  exports.Set("releaseDeviceCache", Napi::Function::New<ReleaseDeviceCache>(env, "releaseDeviceCache"));
  exports.Set("synchronize", Napi::Function::New<Synchronize>(env, "synchronize"));
  exports.Set("useDevice", Napi::Function::New<UseDevice>(env, "useDevice"));
  exports.Set("cudaStream", Napi::Function::New<CudaStream>(env, "cudaStream"));
  exports.Set("recordEvent", Napi::Function::New<RecordEvent>(env, "recordEvent"));
  exports.Set("eventDone", Napi::Function::New<EventDone>(env, "eventDone"));
  exports.Set("destroyEvent", Napi::Function::New<DestroyEvent>(env, "destroyEvent"));
  exports.Set("eventElapsedMs", Napi::Function::New<EventElapsedMs>(env, "eventElapsedMs"));
  exports.Set("getNumThreads", Napi::Function::New<GetNumThreads>(env, "getNumThreads"));
}

}  // namespace gmeta
