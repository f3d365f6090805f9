// The JavaScript `Storage` class: a handle on a gmeta::Storage that tells V8 how many bytes
// it holds, so garbage collection weighs native memory too.
#pragma once
#include <napi.h>

#include "../core/storage.h"

namespace gmeta {

class AddonStorage : public Napi::ObjectWrap<AddonStorage> {
 public:
  static Napi::Function Define(Napi::Env env);
  // The storage behind a JS value; throws if it is not a Storage or was disposed.
  static Storage& From(const Napi::Value& value, const char* op, const char* name);

  explicit AddonStorage(const Napi::CallbackInfo& info);
  ~AddonStorage() override;

 private:
  Napi::Value GetDtype(const Napi::CallbackInfo& info);
  Napi::Value GetNumel(const Napi::CallbackInfo& info);
  Napi::Value GetByteLength(const Napi::CallbackInfo& info);
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value GetDisposed(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);
  Napi::Value Read(const Napi::CallbackInfo& info);
  void Write(const Napi::CallbackInfo& info);
  Napi::Value View(const Napi::CallbackInfo& info);
  Napi::Value FirstNonFinite(const Napi::CallbackInfo& info);
  Napi::Value DevicePointer(const Napi::CallbackInfo& info);

  void ReleaseReportedBytes();

  std::unique_ptr<Storage> storage_;
  int64_t reported_bytes_ = 0;
};

}  // namespace gmeta
