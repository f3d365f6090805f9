// The JavaScript side of captured programs: beginCapture / endCapture and the `Program`
// class (replay, memory plan, counts).
#pragma once
#include <napi.h>

#include <memory>

#include "../core/program.h"

namespace gmeta {

class AddonProgram : public Napi::ObjectWrap<AddonProgram> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit AddonProgram(const Napi::CallbackInfo& info);

  // Hands a finished capture to a new JS object.
  static Napi::Object Wrap(Napi::Env env, std::unique_ptr<Program> program);

 private:
  void Replay(const Napi::CallbackInfo& info);
  void PlanMemory(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Profile(const Napi::CallbackInfo& info);
  void SetCudaGraph(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);
  Program& Get(const Napi::Env& env, const char* op);

  std::unique_ptr<Program> program_;
};

void RegisterProgram(Napi::Env env, Napi::Object exports);

}  // namespace gmeta
