// Synchronous exports: each call is proportional to one batch's rows and finishes in well
// under a millisecond per thousand rows, so a worker thread would cost more than it saves.
#include "AddonSparse.h"

#include "../kernels/row_index/row_index.h"
#include "../kernels/sparse_optim/sparse_optim.h"
#include "AddonArgs.h"

namespace gmeta {

namespace {

Napi::Value num(Napi::Env env, int64_t v) { return Napi::Number::New(env, static_cast<double>(v)); }

// Checks a [rows, dim] table against dim and returns rows.
int64_t tableRows(const Napi::CallbackInfo& info, const char* op, const char* name, int64_t length, int64_t dim) {
  if (length % dim != 0) {
    throw argError(info.Env(), op, "a length divisible by dim (" + std::to_string(dim) + ")", name, std::to_string(length));
  }
  return length / dim;
}

Napi::Value MapIds(const Napi::CallbackInfo& info) {
  const char* op = "mapIds";
  auto ids = i64Arg(info, 0, op, "ids");
  int64_t rows = positiveIntArg(info, 1, op, "rows");
  if (rows > INT32_MAX) throw argError(info.Env(), op, "rows <= 2^31 - 1", "rows", std::to_string(rows));
  bool hash = info.Length() > 2 && info[2].ToBoolean().Value();
  auto out = i32Arg(info, 3, op, "out");
  requireLength(info, op, "out", out.length, ids.length);
  return num(info.Env(), mapIds(ids.data, ids.length, rows, hash, out.data));
}

Napi::Value MixId(const Napi::CallbackInfo& info) {
  bool lossless = false;
  if (info.Length() < 1 || !info[0].IsBigInt()) throw argError(info.Env(), "mixId", "a bigint", "id", info.Length() < 1 ? "nothing" : describe(info[0]));
  uint64_t id = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  return Napi::BigInt::New(info.Env(), mixId(id));
}

Napi::Value UniqueInverse(const Napi::CallbackInfo& info) {
  const char* op = "uniqueInverse";
  auto rows = i32Arg(info, 0, op, "rows");
  auto unique = i32Arg(info, 1, op, "unique");
  auto inverse = i32Arg(info, 2, op, "inverse");
  requireLength(info, op, "unique", unique.length, rows.length);
  requireLength(info, op, "inverse", inverse.length, rows.length);
  for (int64_t i = 0; i < rows.length; ++i) {
    if (rows.data[i] < 0) throw argError(info.Env(), op, "non-negative rows", "rows", std::to_string(rows.data[i]) + " at position " + std::to_string(i));
  }
  return num(info.Env(), uniqueInverse(rows.data, rows.length, unique.data, inverse.data));
}

Napi::Value DedupedValid(const Napi::CallbackInfo& info) {
  const char* op = "dedupedValid";
  auto unique = i32Arg(info, 0, op, "unique");
  auto inverse = i32Arg(info, 1, op, "inverse");
  const int64_t rows = positiveIntArg(info, 2, op, "rows");
  const bool dedup = info.Length() > 3 && info[3].ToBoolean().Value();
  return Napi::Boolean::New(info.Env(), dedupedValid(unique.data, unique.length, inverse.data, inverse.length, rows, dedup));
}

SparseRows sparseRows(const Napi::CallbackInfo& info, const char* op) {
  auto w = f32Arg(info, 0, op, "weights");
  int64_t dim = positiveIntArg(info, 1, op, "dim");
  auto index = i32Arg(info, 2, op, "index");
  auto grads = f32Arg(info, 3, op, "grads");
  int64_t rows = tableRows(info, op, "weights", w.length, dim);
  requireLength(info, op, "grads", grads.length, index.length * dim);
  return {w.data, rows, dim, index.data, grads.data, index.length};
}

Napi::Value SparseSgd(const Napi::CallbackInfo& info) {
  SparseRows r = sparseRows(info, "sparseSgd");
  float lr = static_cast<float>(numberArg(info, 4, "sparseSgd", "lr"));
  return num(info.Env(), sparseSgd(r, lr));
}

Napi::Value SparseAdagrad(const Napi::CallbackInfo& info) {
  const char* op = "sparseAdagrad";
  SparseRows r = sparseRows(info, op);
  auto state = f32Arg(info, 4, op, "state");
  bool rowWise = info.Length() > 5 && info[5].ToBoolean().Value();
  requireLength(info, op, "state", state.length, rowWise ? r.rows : r.rows * r.dim);
  float lr = static_cast<float>(numberArg(info, 6, op, "lr"));
  float eps = static_cast<float>(numberArg(info, 7, op, "eps"));
  return num(info.Env(), sparseAdagrad(r, state.data, rowWise, lr, eps));
}

Napi::Value SparseAdam(const Napi::CallbackInfo& info) {
  const char* op = "sparseAdam";
  SparseRows r = sparseRows(info, op);
  auto m = f32Arg(info, 4, op, "m");
  auto v = f32Arg(info, 5, op, "v");
  requireLength(info, op, "m", m.length, r.rows * r.dim);
  requireLength(info, op, "v", v.length, r.rows * r.dim);
  float lr = static_cast<float>(numberArg(info, 6, op, "lr"));
  float b1 = static_cast<float>(numberArg(info, 7, op, "beta1"));
  float b2 = static_cast<float>(numberArg(info, 8, op, "beta2"));
  float eps = static_cast<float>(numberArg(info, 9, op, "eps"));
  int64_t step = positiveIntArg(info, 10, op, "step");
  return num(info.Env(), sparseAdam(r, m.data, v.data, lr, b1, b2, eps, step));
}

}  // namespace

void RegisterSparse(Napi::Env env, Napi::Object exports) {
  exports.Set("mapIds", Napi::Function::New(env, MapIds));
  exports.Set("mixId", Napi::Function::New(env, MixId));
  exports.Set("uniqueInverse", Napi::Function::New(env, UniqueInverse));
  exports.Set("dedupedValid", Napi::Function::New(env, DedupedValid));
  exports.Set("sparseSgd", Napi::Function::New(env, SparseSgd));
  exports.Set("sparseAdagrad", Napi::Function::New(env, SparseAdagrad));
  exports.Set("sparseAdam", Napi::Function::New(env, SparseAdam));
}

}  // namespace gmeta
