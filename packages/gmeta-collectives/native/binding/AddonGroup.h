// JS class template wrapping a process group (GlooGroup or MpiGroup); every collective
// returns a Promise run by a GroupWorker. Each addon defines Create() for its group type.
#pragma once

#include <napi.h>

#include <chrono>
#include <memory>
#include <vector>

#include "GroupWorker.h"

namespace gmeta {

template <typename G>
class AddonGroup : public Napi::ObjectWrap<AddonGroup<G>> {
 public:
  static Napi::Function Define(Napi::Env env, const char* name) {
    using W = AddonGroup<G>;
    Napi::Function f = W::DefineClass(
        env, name,
        {W::InstanceMethod("allReduce", &W::AllReduce),
         W::InstanceMethod("exchangeCounts", &W::ExchangeCounts),
         W::InstanceMethod("allToAllV", &W::AllToAllV),
         W::InstanceMethod("gatherCounts", &W::GatherCounts),
         W::InstanceMethod("allGatherV", &W::AllGatherV),
         W::InstanceMethod("broadcast", &W::Broadcast),
         W::InstanceMethod("barrier", &W::Barrier),
         W::InstanceMethod("setTimeout", &W::SetTimeout),
         W::InstanceMethod("close", &W::Close),
         W::InstanceAccessor("rank", &W::Rank, nullptr),
         W::InstanceAccessor("size", &W::Size, nullptr)});
    constructor() = Napi::Persistent(f);
    constructor().SuppressDestruct();
    return f;
  }

  // Wraps a ready group; only the addon's Create() calls this.
  static Napi::Value Wrap(Napi::Env env, std::shared_ptr<G>* g) {
    return constructor().New({Napi::External<std::shared_ptr<G>>::New(env, g)});
  }

  explicit AddonGroup(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonGroup<G>>(info) {
    GMETA_CHECK(info.Length() == 1 && info[0].IsExternal(), "process group: use the create function, not new");
    group_ = *info[0].As<Napi::External<std::shared_ptr<G>>>().Data();
  }

 private:
  static Napi::FunctionReference& constructor() {
    static Napi::FunctionReference ref;
    return ref;
  }
  static Napi::TypedArray typedArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
    GMETA_CHECK(info[i].IsTypedArray(), "expected a TypedArray for " << name);
    return info[i].As<Napi::TypedArray>();
  }
  // TypeScript validates first; this second check is what keeps a wrong call from the JS side
  // (a mismatched dtype or a short buffer) from becoming a write past the end of memory.
  static Napi::TypedArray typedArg(const Napi::CallbackInfo& info, size_t i, const char* name,
                                   DType t, int64_t expectLength) {
    auto a = typedArg(info, i, name);
    static const napi_typedarray_type kinds[] = {napi_float32_array, napi_float64_array,
                                                 napi_int32_array, napi_bigint64_array};
    GMETA_CHECK(a.TypedArrayType() == kinds[static_cast<int>(t)],
                "expected the typed array of dtype code " << static_cast<int>(t) << " for " << name);
    GMETA_CHECK(expectLength < 0 || static_cast<int64_t>(a.ElementLength()) == expectLength,
                "expected " << expectLength << " elements for " << name << ", got " << a.ElementLength());
    return a;
  }
  static int64_t total(const std::vector<int64_t>& counts) {
    int64_t s = 0;
    for (auto c : counts) {
      GMETA_CHECK(c >= 0, "expected non-negative counts, got " << c);
      s += c;
    }
    return s;
  }
  static DType dtypeArg(const Napi::CallbackInfo& info, size_t i) {
    GMETA_CHECK(info[i].IsNumber(), "expected a dtype code");
    return dtypeFromCode(info[i].As<Napi::Number>().Int32Value());
  }
  std::shared_ptr<G> group(const char* op);
  // A collective in place on the typed array info[0] of dtype code info[1]: fn(group, data, n,
  // dtype) on a worker thread, the array kept alive until it settles.
  template <typename F>
  Napi::Value InPlace(const Napi::CallbackInfo& info, const char* op, F fn);
  // A collective from `send` into `recv`: fn(group, sendData, recvData) on a worker thread.
  template <typename F>
  Napi::Value SendRecv(const Napi::CallbackInfo& info, std::shared_ptr<G> g, Napi::TypedArray send,
                       Napi::TypedArray recv, F fn);
  // A collective whose answer is a vector of counts fn(group), resolved as a BigInt64Array.
  template <typename F>
  Napi::Value Counts(const Napi::CallbackInfo& info, std::shared_ptr<G> g, F fn);
  Napi::Value AllReduce(const Napi::CallbackInfo& info);
  Napi::Value ExchangeCounts(const Napi::CallbackInfo& info);
  Napi::Value AllToAllV(const Napi::CallbackInfo& info);
  Napi::Value GatherCounts(const Napi::CallbackInfo& info);
  Napi::Value AllGatherV(const Napi::CallbackInfo& info);
  Napi::Value Broadcast(const Napi::CallbackInfo& info);
  Napi::Value Barrier(const Napi::CallbackInfo& info);
  Napi::Value SetTimeout(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Rank(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), rank_()); }
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), size_()); }
  int rank_() { return group("rank")->rank(); }
  int size_() { return group("size")->size(); }

  std::shared_ptr<G> group_;
};

template <typename G>
std::shared_ptr<G> AddonGroup<G>::group(const char* op) {
  GMETA_CHECK(group_, op << ": process group is closed");
  return group_;
}

template <typename G>
template <typename F>
Napi::Value AddonGroup<G>::InPlace(const Napi::CallbackInfo& info, const char* op, F fn) {
  auto g = group(op);
  DType t = dtypeArg(info, 1);
  auto a = typedArg(info, 0, "data", t, -1);
  void* p = typedArrayData(a);
  size_t n = a.ElementLength();
  auto* w = new GroupWorker(info.Env(), g, [g, p, n, t, fn] { fn(*g, p, n, t); }, nullptr);
  w->keep(a);
  return GroupWorker::run(w);
}

template <typename G>
template <typename F>
Napi::Value AddonGroup<G>::SendRecv(const Napi::CallbackInfo& info, std::shared_ptr<G> g, Napi::TypedArray send,
                                    Napi::TypedArray recv, F fn) {
  const void* sp = typedArrayData(send);
  void* rp = typedArrayData(recv);
  auto* w = new GroupWorker(info.Env(), g, [g, sp, rp, fn] { fn(*g, sp, rp); }, nullptr);
  w->keep(send);
  w->keep(recv);
  return GroupWorker::run(w);
}

template <typename G>
template <typename F>
Napi::Value AddonGroup<G>::Counts(const Napi::CallbackInfo& info, std::shared_ptr<G> g, F fn) {
  auto out = std::make_shared<std::vector<int64_t>>();
  auto* w = new GroupWorker(
      info.Env(), g, [g, out, fn] { *out = fn(*g); }, [out](Napi::Env env) { return int64Array(env, *out); });
  return GroupWorker::run(w);
}

template <typename G>
Napi::Value AddonGroup<G>::AllReduce(const Napi::CallbackInfo& info) {
  ReduceOp op = reduceOpFromCode(info[2].As<Napi::Number>().Int32Value());
  return InPlace(info, "allReduce", [op](G& g, void* p, size_t n, DType t) { g.allReduce(p, n, t, op); });
}

template <typename G>
Napi::Value AddonGroup<G>::ExchangeCounts(const Napi::CallbackInfo& info) {
  auto g = group("allToAllV");
  auto send = int64Vector(info[0], "sendCounts");
  return Counts(info, g, [send](G& g) { return g.exchangeCounts(send); });
}

template <typename G>
Napi::Value AddonGroup<G>::AllToAllV(const Napi::CallbackInfo& info) {
  auto g = group("allToAllV");
  DType t = dtypeArg(info, 4);
  auto sendCounts = int64Vector(info[1], "sendCounts");
  auto recvCounts = int64Vector(info[3], "recvCounts");
  auto send = typedArg(info, 0, "send", t, total(sendCounts));
  auto recv = typedArg(info, 2, "recv", t, total(recvCounts));
  return SendRecv(info, g, send, recv, [sendCounts, recvCounts, t](G& g, const void* sp, void* rp) {
    g.allToAllV(sp, sendCounts, rp, recvCounts, t);
  });
}

template <typename G>
Napi::Value AddonGroup<G>::GatherCounts(const Napi::CallbackInfo& info) {
  auto g = group("allGather");
  int64_t n = info[0].As<Napi::Number>().Int64Value();
  std::string op = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "allGather";
  return Counts(info, g, [n, op](G& g) { return g.gatherCounts(n, op); });
}

template <typename G>
Napi::Value AddonGroup<G>::AllGatherV(const Napi::CallbackInfo& info) {
  auto g = group("allGatherV");
  DType t = dtypeArg(info, 3);
  auto counts = int64Vector(info[2], "counts");
  auto send = typedArg(info, 0, "send", t, -1);
  auto recv = typedArg(info, 1, "recv", t, total(counts));
  size_t n = send.ElementLength();
  return SendRecv(info, g, send, recv,
                  [n, counts, t](G& g, const void* sp, void* rp) { g.allGatherV(sp, n, rp, counts, t); });
}

template <typename G>
Napi::Value AddonGroup<G>::Broadcast(const Napi::CallbackInfo& info) {
  int root = info[2].As<Napi::Number>().Int32Value();
  return InPlace(info, "broadcast", [root](G& g, void* p, size_t n, DType t) { g.broadcast(p, n, t, root); });
}

template <typename G>
Napi::Value AddonGroup<G>::Barrier(const Napi::CallbackInfo& info) {
  auto g = group("barrier");
  auto* w = new GroupWorker(info.Env(), g, [g] { g->barrier(); }, nullptr);
  return GroupWorker::run(w);
}

template <typename G>
Napi::Value AddonGroup<G>::SetTimeout(const Napi::CallbackInfo& info) {
  auto g = group("setTimeout");
  if constexpr (G::kHasTimeout) {
    g->setTimeout(std::chrono::milliseconds(info[0].As<Napi::Number>().Int64Value()));
  }
  return info.Env().Undefined();
}

template <typename G>
Napi::Value AddonGroup<G>::Close(const Napi::CallbackInfo& info) {
  // A call in flight keeps its own reference; the context goes when the last one finishes.
  group_.reset();
  return info.Env().Undefined();
}

}  // namespace gmeta
