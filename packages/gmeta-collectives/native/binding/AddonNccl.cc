// The NCCL communicator as JavaScript sees it. Pointers and streams arrive as bigints from
// @gmeta/tensor (devicePointer, cudaStream), so data never passes through the host. Calls
// only queue work on the stream and return; the tensor's later kernels and reads are ordered
// after it by that stream. The CUDA device must be current on the calling thread
// (@gmeta/tensor's useDevice) before init and every call.
#include "AddonNccl.h"

#include <cstring>
#include <string>
#include <vector>

#include "../nccl/nccl_api.h"

namespace gmeta {

namespace {

void* Ptr(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsBigInt())
    throw Napi::TypeError::New(v.Env(), std::string(op) + ": expected a bigint for " + name);
  bool lossless = false;
  const uint64_t p = v.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) throw Napi::TypeError::New(v.Env(), std::string(op) + ": expected a 64-bit address for " + name);
  return reinterpret_cast<void*>(static_cast<uintptr_t>(p));
}

int64_t Int(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsNumber())
    throw Napi::TypeError::New(v.Env(), std::string(op) + ": expected a number for " + name);
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= -9007199254740991.0 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<int64_t>(d)))
    throw Napi::TypeError::New(v.Env(), std::string(op) + ": expected an integer for " + name);
  return static_cast<int64_t>(d);
}

// The arguments of one call by position, with the operation named in their errors.
struct Args {
  const Napi::CallbackInfo& info;
  const char* op;
  void* ptr(size_t i, const char* name) const { return Ptr(info[i], op, name); }
  size_t count(size_t i) const { return static_cast<size_t>(Int(info[i], op, "count")); }
  int code(size_t i, const char* name) const { return static_cast<int>(Int(info[i], op, name)); }
};

Napi::Value Status(const Napi::CallbackInfo& info) {
  const nccl::Status s = nccl::status();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("loaded", s.loaded);
  o.Set("path", s.path);
  o.Set("version", s.version);
  o.Set("reason", s.reason);
  return o;
}

Napi::Value UniqueId(const Napi::CallbackInfo& info) {
  nccl::ncclUniqueId id{};
  nccl::check(nccl::api().get_unique_id(&id), "ncclGetUniqueId");
  return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<uint8_t*>(id.internal), sizeof id);
}

class NcclComm : public Napi::ObjectWrap<NcclComm> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NcclComm",
                       {InstanceMethod<&NcclComm::AllReduce>("allReduce"),
                        InstanceMethod<&NcclComm::Broadcast>("broadcast"),
                        InstanceMethod<&NcclComm::AllGather>("allGather"),
                        InstanceMethod<&NcclComm::SendRecv>("sendRecv"),
                        InstanceMethod<&NcclComm::AsyncError>("asyncError"),
                        InstanceMethod<&NcclComm::Destroy>("destroy")});
  }

  // new NcclComm(uniqueId: Uint8Array(128), size, rank): blocks until every rank has joined.
  explicit NcclComm(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NcclComm>(info) {
    if (!info[0].IsTypedArray() || info[0].As<Napi::Uint8Array>().ByteLength() != sizeof(nccl::ncclUniqueId))
      throw Napi::TypeError::New(info.Env(), "NcclComm: expected a 128-byte Uint8Array for uniqueId");
    nccl::ncclUniqueId id{};
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    std::memcpy(id.internal, bytes.Data(), sizeof id);
    const int size = static_cast<int>(Int(info[1], "NcclComm", "size"));
    const int rank = static_cast<int>(Int(info[2], "NcclComm", "rank"));
    nccl::check(nccl::api().comm_init_rank(&comm_, size, id, rank), "ncclCommInitRank");
  }

  // Collected without close(): abort, because destroy would wait for peers that may be gone.
  ~NcclComm() override {
    if (comm_) nccl::api().comm_abort(comm_);
  }

 private:
  nccl::ncclComm_t Comm(const Napi::Env& env) {
    if (!comm_) throw Napi::Error::New(env, "NCCL communicator used after close()");
    return comm_;
  }

  // allReduce(sendPtr, recvPtr, count, dtype, op, stream)
  void AllReduce(const Napi::CallbackInfo& info) {
    const Args a{info, "allReduce"};
    nccl::check(nccl::api().all_reduce(a.ptr(0, "send"), a.ptr(1, "recv"), a.count(2), a.code(3, "dtype"), a.code(4, "op"),
                                       Comm(info.Env()), a.ptr(5, "stream")),
                "ncclAllReduce");
  }

  // broadcast(ptr, count, dtype, root, stream), in place
  void Broadcast(const Napi::CallbackInfo& info) {
    const Args a{info, "broadcast"};
    void* p = a.ptr(0, "ptr");
    nccl::check(nccl::api().broadcast(p, p, a.count(1), a.code(2, "dtype"), a.code(3, "root"), Comm(info.Env()), a.ptr(4, "stream")),
                "ncclBroadcast");
  }

  // allGather(sendPtr, recvPtr, countPerRank, dtype, stream)
  void AllGather(const Napi::CallbackInfo& info) {
    const Args a{info, "allGather"};
    nccl::check(nccl::api().all_gather(a.ptr(0, "send"), a.ptr(1, "recv"), a.count(2), a.code(3, "dtype"), Comm(info.Env()),
                                       a.ptr(4, "stream")),
                "ncclAllGather");
  }

  // sendRecv(sends: [peer, ptr, count][], recvs: [peer, ptr, count][], dtype, stream): one
  // NCCL group, so every pair's transfers proceed together without deadlock.
  void SendRecv(const Napi::CallbackInfo& info) {
    const char* op = "allToAllV";
    const nccl::Api& a = nccl::api();
    nccl::ncclComm_t comm = Comm(info.Env());
    const int dtype = static_cast<int>(Int(info[2], op, "dtype"));
    void* stream = Ptr(info[3], op, "stream");
    struct Item { int peer; void* ptr; size_t count; };
    auto items = [&](const Napi::Value& v, const char* name) {
      if (!v.IsArray()) throw Napi::TypeError::New(info.Env(), std::string(op) + ": expected an array for " + name);
      Napi::Array arr = v.As<Napi::Array>();
      std::vector<Item> out;
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Value e = arr.Get(i);
        if (!e.IsArray()) throw Napi::TypeError::New(info.Env(), std::string(op) + ": expected [peer, pointer, count] entries in " + name);
        Napi::Array t = e.As<Napi::Array>();
        out.push_back({static_cast<int>(Int(t.Get(0u), op, "peer")), Ptr(t.Get(1u), op, "ptr"),
                       static_cast<size_t>(Int(t.Get(2u), op, "count"))});
      }
      return out;
    };
    const std::vector<Item> sends = items(info[0], "sends"), recvs = items(info[1], "recvs");
    nccl::check(a.group_start(), "ncclGroupStart");
    try {
      for (const Item& s : sends) nccl::check(a.send(s.ptr, s.count, dtype, s.peer, comm, stream), "ncclSend");
      for (const Item& r : recvs) nccl::check(a.recv(r.ptr, r.count, dtype, r.peer, comm, stream), "ncclRecv");
    } catch (...) {
      a.group_end();
      throw;
    }
    nccl::check(a.group_end(), "ncclGroupEnd");
  }

  // The communicator's asynchronous error ("" when none), for watchdogs and timeouts.
  Napi::Value AsyncError(const Napi::CallbackInfo& info) {
    nccl::ncclResult_t r = nccl::ncclSuccess;
    nccl::check(nccl::api().comm_get_async_error(Comm(info.Env()), &r), "ncclCommGetAsyncError");
    return Napi::String::New(info.Env(), r == nccl::ncclSuccess || r == nccl::ncclInProgress ? "" : nccl::api().get_error_string(r));
  }

  // destroy(abort?): abort gives up on pending work (a dead peer) instead of waiting for it.
  void Destroy(const Napi::CallbackInfo& info) {
    if (!comm_) return;
    const bool abort = info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
    nccl::ncclComm_t c = comm_;
    comm_ = nullptr;
    nccl::check(abort ? nccl::api().comm_abort(c) : nccl::api().comm_destroy(c), abort ? "ncclCommAbort" : "ncclCommDestroy");
  }

  nccl::ncclComm_t comm_ = nullptr;
};

}  // namespace

void RegisterNccl(Napi::Env env, Napi::Object exports) {
  exports.Set("ncclStatus", Napi::Function::New<Status>(env, "ncclStatus"));
  exports.Set("ncclUniqueId", Napi::Function::New<UniqueId>(env, "ncclUniqueId"));
  exports.Set("NcclComm", NcclComm::Define(env));
}

}  // namespace gmeta
