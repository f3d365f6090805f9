#include "AddonStorage.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../core/cuda_api.h"
#include "../core/cuda_graph.h"
#include "../core/device.h"
#include "../core/program.h"
#include "../kernels/fill/fill.h"
#include "AddonArgs.h"

namespace gmeta {

namespace {

// Tags Storage objects so From() can tell them apart from look-alike JS objects cheaply.
const napi_type_tag kStorageTag = {0x6f1d2c3b4a596877ULL, 0x8a9bacbdcedfe0f1ULL};

napi_typedarray_type TypedArrayFor(DType t) {
  switch (t) {
    case DType::F32: return napi_float32_array;
    case DType::F64: return napi_float64_array;
    case DType::I32: return napi_int32_array;
    case DType::I64: return napi_bigint64_array;
  }
  return napi_float32_array;
}

}  // namespace

Napi::Function AddonStorage::Define(Napi::Env env) {
  return DefineClass(
      env, "Storage",
      {
          InstanceAccessor<&AddonStorage::GetDtype>("dtype"),
          InstanceAccessor<&AddonStorage::GetNumel>("numel"),
          InstanceAccessor<&AddonStorage::GetByteLength>("byteLength"),
          InstanceAccessor<&AddonStorage::GetDevice>("device"),
          InstanceAccessor<&AddonStorage::GetDisposed>("disposed"),
          InstanceMethod<&AddonStorage::Dispose>("dispose"),
          InstanceMethod<&AddonStorage::Read>("read"),
          InstanceMethod<&AddonStorage::Write>("write"),
          InstanceMethod<&AddonStorage::View>("view"),
          InstanceMethod<&AddonStorage::FirstNonFinite>("firstNonFinite"),
          InstanceMethod<&AddonStorage::DevicePointer>("devicePointer"),
      });
}

Storage& AddonStorage::From(const Napi::Value& value, const char* op, const char* name) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kStorageTag))
    throw Napi::TypeError::New(value.Env(), std::string(op) + ": expected a Storage for " + name +
                                                ", got " + DescribeType(value));
  AddonStorage* self = Unwrap(value.As<Napi::Object>());
  if (!self->storage_ || self->storage_->disposed())
    throw Napi::Error::New(value.Env(), "storage used after dispose");
  return *self->storage_;
}

AddonStorage::AddonStorage(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonStorage>(info) {
  const int64_t dtype = ArgInt64(info[0], "Storage", "dtype");
  const int64_t numel = ArgInt64(info[1], "Storage", "numel");
  const int64_t device = ArgInt64(info[2], "Storage", "device");
  if (!is_valid_dtype(static_cast<int>(dtype)) || dtype != static_cast<int>(dtype))
    throw Napi::TypeError::New(info.Env(), "Storage: expected a dtype code 0..3 for dtype, got " +
                                               std::to_string(dtype));
  if (numel < 0)
    throw Napi::RangeError::New(info.Env(), "Storage: expected a non-negative integer for numel, got " +
                                                std::to_string(numel));
  // Optional 4th argument: false for outputs a kernel overwrites completely.
  const bool zero = info.Length() < 4 || info[3].IsUndefined() || ArgBool(info[3], "Storage", "zero");
  storage_ = std::make_unique<Storage>(static_cast<DType>(dtype), numel, static_cast<int>(device), zero);
  if (Capture* c = current_capture(); c && c->refused.empty()) {
    c->program->note_allocation(storage_->buffer());
    // A replay reuses this memory, so the zeroing a new storage gets must happen again there.
    if (zero && numel > 0) {
      c->program->add(ProgramOp{"zero", {*storage_}, 0, static_cast<double>(storage_->byte_length()),
                                [](Storage* const* st) {
                                  fill(*st[0], 0.0);
                                  return int64_t{-1};
                                }});
    }
  }
  info.This().As<Napi::Object>().TypeTag(&kStorageTag);
  reported_bytes_ = static_cast<int64_t>(storage_->byte_length());
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), reported_bytes_);
}

AddonStorage::~AddonStorage() { ReleaseReportedBytes(); }

void AddonStorage::ReleaseReportedBytes() {
  if (reported_bytes_ == 0) return;
  int64_t ignored = 0;
  // Raw call: this also runs from the GC finalizer, where throwing is not an option.
  napi_adjust_external_memory(Env(), -reported_bytes_, &ignored);
  reported_bytes_ = 0;
}

Napi::Value AddonStorage::GetDtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(storage_->dtype()));
}

Napi::Value AddonStorage::GetNumel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(storage_->numel()));
}

Napi::Value AddonStorage::GetByteLength(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(storage_->byte_length()));
}

Napi::Value AddonStorage::GetDevice(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), storage_->device());
}

Napi::Value AddonStorage::GetDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), storage_->disposed());
}

void AddonStorage::Dispose(const Napi::CallbackInfo&) {
  storage_->dispose();
  ReleaseReportedBytes();
}

Napi::Value AddonStorage::Read(const Napi::CallbackInfo& info) {
  refuse_capture("read: a tensor's values were read on the host (toArray / item) inside the captured function, "
                 "so what followed may depend on them; return the tensor instead and read it after the run");
  const size_t bytes = storage_->byte_length();
  const void* src = storage_->data();
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(info.Env(), bytes);
  if (bytes == 0) return out;
  if (storage_->device() != kCpu)
    cuda::copy_to_host(storage_->device(), out.Data(), src, bytes);
  else
    std::memcpy(out.Data(), src, bytes);
  return out;
}

void AddonStorage::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray())
    throw Napi::TypeError::New(env, std::string("write: expected a typed array for src, got ") +
                                        DescribeType(info[0]));
  Napi::TypedArray src = info[0].As<Napi::TypedArray>();
  if (src.TypedArrayType() != TypedArrayFor(storage_->dtype()))
    throw Napi::TypeError::New(env, std::string("write: expected a typed array of ") +
                                        dtype_name(storage_->dtype()) + " for src");
  const int64_t offset = ArgInt64(info[1], "write", "dstOffset");
  const int64_t count = static_cast<int64_t>(src.ElementLength());
  if (offset < 0 || offset + count > storage_->numel())
    throw Napi::RangeError::New(env, "write: expected dstOffset + src.length <= numel (" +
                                         std::to_string(storage_->numel()) + "), got " +
                                         std::to_string(offset) + " + " + std::to_string(count));
  char* dst = static_cast<char*>(storage_->data());
  if (count == 0) return;
  const size_t elem = dtype_size(storage_->dtype());
  const char* from = static_cast<const char*>(src.ArrayBuffer().Data()) + src.ByteOffset();
  if (Capture* c = current_capture(); c && c->refused.empty()) {
    // Host values written inside a capture are constants of the program: the replay writes
    // the same bytes at the same point.
    auto bytes = std::make_shared<std::vector<char>>(from, from + static_cast<size_t>(count) * elem);
    const size_t at = static_cast<size_t>(offset) * elem;
    c->program->add(ProgramOp{"write", {*storage_}, 0, static_cast<double>(bytes->size()),
                              [bytes, at](Storage* const* st) {
                                char* d = static_cast<char*>(st[0]->data()) + at;
                                if (st[0]->device() != kCpu)
                                  cuda::copy_constant_from_host(st[0]->device(), d, bytes->data(), bytes->size());
                                else
                                  std::memcpy(d, bytes->data(), bytes->size());
                                return int64_t{-1};
                              }});
  }
  if (storage_->device() != kCpu)
    cuda::copy_from_host(storage_->device(), dst + offset * elem, from, static_cast<size_t>(count) * elem);
  else
    std::memmove(dst + offset * elem, from, static_cast<size_t>(count) * elem);
}

Napi::Value AddonStorage::DevicePointer(const Napi::CallbackInfo& info) {
  refuse_capture("devicePointer: another library was handed a tensor's memory inside the captured function; "
                 "its work is not recorded");
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(storage_->data())));
}

Napi::Value AddonStorage::View(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (storage_->device() != kCpu)
    throw Napi::Error::New(env, "view: device memory cannot be viewed; use read()");
  refuse_capture("view: a tensor's memory was viewed on the host (hostView) inside the captured function; "
                 "reads and writes through it are not recorded");
  std::shared_ptr<Buffer> buffer = storage_->buffer();
  if (buffer->bytes() == 0) return Napi::ArrayBuffer::New(env, 0);
  // The ArrayBuffer owns one reference to the memory, released by its finalizer.
  auto* hold = new std::shared_ptr<Buffer>(buffer);
  return Napi::ArrayBuffer::New(env, buffer->data(), buffer->bytes(),
                                [](Napi::Env, void*, std::shared_ptr<Buffer>* h) { delete h; },
                                hold);
}

namespace {

// Bits of T as an unsigned integer, and the exponent field that marks NaN and the infinities.
template <typename T>
struct FloatBits;
template <>
struct FloatBits<float> {
  using U = uint32_t;
  static constexpr U kExp = 0x7f800000u;
};
template <>
struct FloatBits<double> {
  using U = uint64_t;
  static constexpr U kExp = 0x7ff0000000000000ull;
};

template <typename T>
int64_t first_non_finite(const T* a, int64_t n) {
  using U = typename FloatBits<T>::U;
  constexpr U kExp = FloatBits<T>::kExp;
  // Blocks without a NaN or infinity are the rule: an integer test over a block (its exponent
  // bits all set), which vectorises, and the element is looked for only in a block that fails.
  constexpr int64_t kBlock = 512;
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = b + kBlock < n ? b + kBlock : n;
    U bad = 0;
    for (int64_t i = b; i < e; ++i) {
      U bits;
      std::memcpy(&bits, a + i, sizeof bits);
      bad |= (bits & kExp) == kExp ? U(1) : U(0);
    }
    if (bad == 0) continue;
    for (int64_t i = b; i < e; ++i)
      if (!std::isfinite(a[i])) return i;
  }
  return -1;
}

}  // namespace

Napi::Value AddonStorage::FirstNonFinite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "firstNonFinite";
  if (storage_->device() != kCpu) throw Napi::Error::New(env, std::string(op) + ": expected host memory; read() device memory first");
  const int64_t offset = ArgInt64(info[0], op, "offset");
  const int64_t length = ArgInt64(info[1], op, "length");
  if (offset < 0 || length < 0 || offset + length > storage_->numel())
    throw Napi::RangeError::New(env, std::string(op) + ": expected 0 <= offset, 0 <= length, offset + length <= numel (" +
                                         std::to_string(storage_->numel()) + "), got " + std::to_string(offset) + " + " +
                                         std::to_string(length));
  int64_t at = -1;
  if (storage_->dtype() == DType::F32)
    at = first_non_finite(storage_->ptr<float>() + offset, length);
  else if (storage_->dtype() == DType::F64)
    at = first_non_finite(storage_->ptr<double>() + offset, length);
  else
    throw Napi::TypeError::New(env, std::string(op) + ": expected a float32 or float64 storage, got " + dtype_name(storage_->dtype()));
  return Napi::Number::New(env, static_cast<double>(at));
}

}  // namespace gmeta
