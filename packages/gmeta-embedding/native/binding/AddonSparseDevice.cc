// Device updates take raw addresses from @gmeta/tensor (devicePointer, cudaStream) as
// bigints, so the rows never leave the GPU. TypeScript checks shapes, dtypes, devices and
// the row range of every index first; this file re-checks what it can see (non-null
// addresses, positive sizes) and turns CUDA failures into JS Errors.
#include "AddonSparseDevice.h"

#include <cstdint>
#include <string>

#include "../kernels/sparse_optim/sparse_optim.h"
#include "AddonArgs.h"

namespace gmeta {

namespace {

#ifdef GMETA_WITH_CUDA
constexpr bool kCompiled = true;
#else
constexpr bool kCompiled = false;
#endif

struct Fields {
  const Napi::CallbackInfo& info;
  const char* op;
  Napi::Object o;

  Napi::Value get(const char* name) const {
    if (!o.Has(name)) throw argError(info.Env(), op, "a value", name, "none");
    return o.Get(name);
  }
  double number(const char* name) const {
    Napi::Value v = get(name);
    if (!v.IsNumber()) throw argError(info.Env(), op, "a number", name, describe(v));
    return v.As<Napi::Number>().DoubleValue();
  }
  int64_t count(const char* name, int64_t min) const {
    double d = number(name);
    if (!(d >= static_cast<double>(min) && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<int64_t>(d))) {
      throw argError(info.Env(), op, "an integer >= " + std::to_string(min), name, num(d));
    }
    return static_cast<int64_t>(d);
  }
  void* pointer(const char* name) const {
    Napi::Value v = get(name);
    if (!v.IsBigInt()) throw argError(info.Env(), op, "a bigint address", name, describe(v));
    bool lossless = false;
    uint64_t p = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless || p == 0) throw argError(info.Env(), op, "a non-null address", name, p == 0 ? "0" : "an address beyond 64 bits");
    return reinterpret_cast<void*>(static_cast<uintptr_t>(p));
  }
  // The tensor package's stream: never 0, since the legacy default stream does not order
  // with its non-blocking stream and a kernel queued there would race with the tensor work.
  void* stream() const { return pointer("stream"); }
};

Napi::Value CudaStatus(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("compiled", kCompiled);
  std::string why = "this addon was built without CUDA (no nvcc, or GMETA_WITH_CUDA=OFF)";
  bool usable = false;
#ifdef GMETA_WITH_CUDA
  usable = cudaUsable(&why);
  if (usable) why = "";
#endif
  out.Set("usable", usable);
  out.Set("reason", why);
  return out;
}

Napi::Value SparseUpdateDevice(const Napi::CallbackInfo& info) {
  const char* op = "sparseUpdateDevice";
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
    throw argError(info.Env(), op, "a kind string and a fields object", "arguments", std::to_string(info.Length()) + " arguments");
  }
  const std::string kind = info[0].As<Napi::String>().Utf8Value();
  Fields f{info, op, info[1].As<Napi::Object>()};
  const int64_t n = f.count("n", 0);
  if (n == 0) return info.Env().Undefined();
#ifdef GMETA_WITH_CUDA
  const int device = static_cast<int>(f.count("device", 0));
  void* stream = f.stream();
  SparseRows r{static_cast<float*>(f.pointer("weights")), f.count("rows", 1), f.count("dim", 1),
               static_cast<const int32_t*>(f.pointer("index")), static_cast<const float*>(f.pointer("grads")), n};
  const float lr = static_cast<float>(f.number("lr"));
  try {
    if (kind == "sgd") {
      sparseSgdCuda(device, stream, r, lr);
    } else if (kind == "adagrad") {
      Napi::Value rw = f.get("rowWise");
      sparseAdagradCuda(device, stream, r, static_cast<float*>(f.pointer("state")), rw.ToBoolean().Value(), lr,
                        static_cast<float>(f.number("eps")));
    } else if (kind == "adam") {
      sparseAdamCuda(device, stream, r, static_cast<float*>(f.pointer("m")), static_cast<float*>(f.pointer("v")), lr,
                     static_cast<float>(f.number("beta1")), static_cast<float>(f.number("beta2")),
                     static_cast<float>(f.number("eps")), f.count("step", 1));
    } else {
      throw argError(info.Env(), op, "\"sgd\", \"adagrad\" or \"adam\"", "kind", "\"" + kind + "\"");
    }
  } catch (const std::runtime_error& e) {
    throw Napi::Error::New(info.Env(), std::string(op) + "(" + kind + "): " + e.what());
  }
  return info.Env().Undefined();
#else
  (void)kind;
  throw Napi::Error::New(info.Env(), std::string(op) + ": this addon was built without CUDA (no nvcc, or GMETA_WITH_CUDA=OFF)");
#endif
}

}  // namespace

void RegisterSparseDevice(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaStatus", Napi::Function::New(env, CudaStatus));
  exports.Set("sparseUpdateDevice", Napi::Function::New(env, SparseUpdateDevice));
}

}  // namespace gmeta
