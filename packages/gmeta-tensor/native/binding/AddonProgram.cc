#include "AddonProgram.h"

#include <string>

#include "AddonArgs.h"

namespace gmeta {

namespace {

// Set once per addon instance: Wrap() makes new Program objects from C++.
Napi::FunctionReference* g_constructor = nullptr;

void BeginCapture(const Napi::CallbackInfo& info) {
  begin_capture(static_cast<int>(ArgInt64(info[0], "beginCapture", "device")));
}

// { program } when the capture can be replayed, else { reason }.
Napi::Value EndCapture(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string reason;
  std::unique_ptr<Program> program = end_capture(reason);
  Napi::Object out = Napi::Object::New(env);
  if (program)
    out.Set("program", AddonProgram::Wrap(env, std::move(program)));
  else
    out.Set("reason", reason);
  return out;
}

Napi::Value CaptureOpen(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), current_capture() != nullptr);
}

}  // namespace

Napi::Function AddonProgram::Define(Napi::Env env) {
  Napi::Function f = DefineClass(env, "Program",
                                 {
                                     InstanceMethod<&AddonProgram::Replay>("replay"),
                                     InstanceMethod<&AddonProgram::PlanMemory>("planMemory"),
                                     InstanceMethod<&AddonProgram::Stats>("stats"),
                                     InstanceMethod<&AddonProgram::Profile>("profile"),
                                     InstanceMethod<&AddonProgram::SetCudaGraph>("setCudaGraph"),
                                     InstanceMethod<&AddonProgram::Dispose>("dispose"),
                                 });
  g_constructor = new Napi::FunctionReference(Napi::Persistent(f));
  return f;
}

AddonProgram::AddonProgram(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonProgram>(info) {}

Napi::Object AddonProgram::Wrap(Napi::Env env, std::unique_ptr<Program> program) {
  Napi::Object obj = g_constructor->New({});
  Unwrap(obj)->program_ = std::move(program);
  return obj;
}

Program& AddonProgram::Get(const Napi::Env& env, const char* op) {
  if (!program_) throw Napi::Error::New(env, std::string(op) + ": the program was disposed");
  return *program_;
}

void AddonProgram::Replay(const Napi::CallbackInfo& info) {
  if (current_capture()) throw Napi::Error::New(info.Env(), "replay: a program cannot run inside a capture");
  Get(info.Env(), "replay").replay();
}

// planMemory(shareWith?): with another live program, the temporaries go into the arena it
// shares (programs that never run at the same time, such as one function's signatures).
void AddonProgram::PlanMemory(const Napi::CallbackInfo& info) {
  Program& p = Get(info.Env(), "planMemory");
  std::shared_ptr<SharedArena> shared;
  if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) {
    if (!info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(g_constructor->Value()))
      throw Napi::TypeError::New(info.Env(), "planMemory: expected a Program to share an arena with (shareWith)");
    AddonProgram* other = Unwrap(info[0].As<Napi::Object>());
    if (!other->program_) throw Napi::Error::New(info.Env(), "planMemory: the program to share an arena with was disposed");
    if (other->program_.get() == &p) throw Napi::Error::New(info.Env(), "planMemory: a program cannot share an arena with itself");
    shared = other->program_->arena();
  }
  p.plan_memory(std::move(shared));
}

Napi::Value AddonProgram::Stats(const Napi::CallbackInfo& info) {
  const Program& p = Get(info.Env(), "stats");
  const ProgramStats& s = p.stats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("ops", static_cast<double>(s.ops));
  o.Set("flops", s.flops);
  o.Set("bytes", s.bytes);
  o.Set("temporaries", static_cast<double>(s.temporaries));
  o.Set("arenaBytes", static_cast<double>(s.arena_bytes));
  o.Set("sharedArenaBytes", static_cast<double>(p.shared_arena_bytes()));
  o.Set("unplannedBytes", static_cast<double>(s.unplanned_bytes));
  o.Set("replays", static_cast<double>(s.replays));
  o.Set("deadOps", static_cast<double>(s.dead_ops));
  o.Set("cudaGraph", s.cuda_graph);
  o.Set("cudaGraphReason", s.cuda_graph_reason);
  return o;
}

void AddonProgram::SetCudaGraph(const Napi::CallbackInfo& info) {
  Get(info.Env(), "setCudaGraph").set_cuda_graphs(ArgBool(info[0], "setCudaGraph", "enabled"));
}

Napi::Value AddonProgram::Profile(const Napi::CallbackInfo& info) {
  if (current_capture()) throw Napi::Error::New(info.Env(), "profile: a program cannot run inside a capture");
  const bool by_detail = info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
  std::vector<Program::OpProfile> rows = Get(info.Env(), "profile").profile(by_detail);
  Napi::Array out = Napi::Array::New(info.Env(), rows.size());
  for (size_t i = 0; i < rows.size(); i++) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("op", rows[i].name);
    o.Set("calls", static_cast<double>(rows[i].calls));
    o.Set("seconds", rows[i].seconds);
    o.Set("cpuSeconds", rows[i].cpu_seconds);
    o.Set("flops", rows[i].flops);
    o.Set("bytes", rows[i].bytes);
    out[i] = o;
  }
  return out;
}

void AddonProgram::Dispose(const Napi::CallbackInfo&) { program_.reset(); }

void RegisterProgram(Napi::Env env, Napi::Object exports) {
  exports.Set("Program", AddonProgram::Define(env));
  exports.Set("beginCapture", Napi::Function::New<BeginCapture>(env, "beginCapture"));
  exports.Set("endCapture", Napi::Function::New<EndCapture>(env, "endCapture"));
  exports.Set("captureOpen", Napi::Function::New<CaptureOpen>(env, "captureOpen"));
}

}  // namespace gmeta
