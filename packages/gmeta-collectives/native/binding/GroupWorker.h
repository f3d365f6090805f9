// A promise-returning Napi::AsyncWorker that runs one collective on a libuv thread.
// It holds references to the JS buffers it reads and writes, so they outlive the call,
// and a shared_ptr to the group, so close() during a call cannot free it underneath.
#pragma once

#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "../core/check.h"

namespace gmeta {

class GroupWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env)>;

  GroupWorker(Napi::Env env, std::shared_ptr<void> keepAlive, Work work, Result result)
      : Napi::AsyncWorker(env, "gmeta:collective"),
        deferred_(Napi::Promise::Deferred::New(env)),
        keepAlive_(std::move(keepAlive)),
        work_(std::move(work)),
        result_(std::move(result)) {}

  void keep(const Napi::Object& o) { refs_.push_back(Napi::Persistent(o)); }
  Napi::Promise promise() { return deferred_.Promise(); }

  // Starts the worker and hands back its promise.
  static Napi::Promise run(GroupWorker* w) {
    auto p = w->promise();
    w->Queue();
    return p;
  }

 protected:
  void Execute() override {
    try {
      work_();
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("unknown native error");
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    deferred_.Resolve(result_ ? result_(Env()) : Env().Undefined());
  }
  void OnError(const Napi::Error& e) override {
    Napi::HandleScope scope(Env());
    deferred_.Reject(Napi::Error::New(Env(), e.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<void> keepAlive_;
  Work work_;
  Result result_;
  std::vector<Napi::ObjectReference> refs_;
};

// Host memory behind a TypedArray (its offset into the ArrayBuffer included).
inline void* typedArrayData(const Napi::TypedArray& a) {
  return static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
}

inline std::vector<int64_t> int64Vector(const Napi::Value& v, const char* name) {
  GMETA_CHECK(v.IsTypedArray(), "expected a BigInt64Array for " << name);
  auto a = v.As<Napi::TypedArray>();
  GMETA_CHECK(a.TypedArrayType() == napi_bigint64_array, "expected a BigInt64Array for " << name);
  auto* p = static_cast<int64_t*>(typedArrayData(a));
  return std::vector<int64_t>(p, p + a.ElementLength());
}

inline Napi::Value int64Array(Napi::Env env, const std::vector<int64_t>& v) {
  auto buf = Napi::ArrayBuffer::New(env, v.size() * sizeof(int64_t));
  if (!v.empty()) std::memcpy(buf.Data(), v.data(), v.size() * sizeof(int64_t));
  return Napi::TypedArrayOf<int64_t>::New(env, v.size(), buf, 0, napi_bigint64_array);
}

}  // namespace gmeta
