#include "AddonKernels.h"

#include <string>

#include "../kernels/bce_with_logits/bce_with_logits.h"
#include "../kernels/binary/binary.h"
#include "../kernels/cast/cast.h"
#include "../kernels/fill/fill.h"
#include "../kernels/gather_rows/gather_rows.h"
#include "../kernels/matmul/matmul.h"
#include "../kernels/optim/optim.h"
#include "../kernels/random/random.h"
#include "../kernels/reduce/reduce.h"
#include "../kernels/scatter_add_rows/scatter_add_rows.h"
#include "../kernels/segment_reduce/segment_reduce.h"
#include "../kernels/strided_copy/strided_copy.h"
#include "../kernels/unary/unary.h"
#include "../kernels/where/where.h"
#include "AddonArgs.h"
#include "AddonStorage.h"

namespace gmeta {

namespace {

using Info = Napi::CallbackInfo;

Storage& S(const Info& info, size_t i, const char* op, const char* name) {
  return AddonStorage::From(info[i], op, name);
}

int64_t I(const Info& info, size_t i, const char* op, const char* name) {
  return ArgInt64(info[i], op, name);
}

double D(const Info& info, size_t i, const char* op, const char* name) {
  return ArgDouble(info[i], op, name);
}

bool B(const Info& info, size_t i, const char* op, const char* name) {
  return ArgBool(info[i], op, name);
}

std::vector<int64_t> V(const Info& info, size_t i, const char* op, const char* name) {
  return ArgInt64Array(info[i], op, name);
}

void Fill(const Info& info) {
  fill(S(info, 0, "fill", "out"), D(info, 1, "fill", "value"));
}

void Copy(const Info& info) {
  copy_storage(S(info, 0, "copy", "dst"), S(info, 1, "copy", "src"));
}

void Cast(const Info& info) {
  cast(S(info, 0, "cast", "out"), S(info, 1, "cast", "src"));
}

void StridedCopy(const Info& info) {
  const char* op = "stridedCopy";
  strided_copy(S(info, 0, op, "dst"), I(info, 1, op, "dstOffset"), V(info, 2, op, "dstStrides"),
               S(info, 3, op, "src"), I(info, 4, op, "srcOffset"), V(info, 5, op, "srcStrides"),
               V(info, 6, op, "shape"));
}

void Binary(const Info& info) {
  const char* op = "binary";
  binary(static_cast<BinaryOp>(I(info, 0, op, "op")), S(info, 1, op, "out"), S(info, 2, op, "a"),
         S(info, 3, op, "b"), V(info, 4, op, "shape"), V(info, 5, op, "aStrides"),
         V(info, 6, op, "bStrides"));
}

void Unary(const Info& info) {
  const char* op = "unary";
  unary(static_cast<UnaryOp>(I(info, 0, op, "op")), S(info, 1, op, "out"), S(info, 2, op, "a"),
        D(info, 3, op, "p1"), D(info, 4, op, "p2"));
}

void Where(const Info& info) {
  const char* op = "where";
  where(S(info, 0, op, "out"), S(info, 1, op, "cond"), S(info, 2, op, "a"), S(info, 3, op, "b"),
        V(info, 4, op, "shape"), V(info, 5, op, "condStrides"), V(info, 6, op, "aStrides"),
        V(info, 7, op, "bStrides"));
}

void Reduce(const Info& info) {
  const char* op = "reduce";
  reduce(static_cast<ReduceOp>(I(info, 0, op, "op")), S(info, 1, op, "out"), S(info, 2, op, "a"),
         I(info, 3, op, "outer"), I(info, 4, op, "axisLen"), I(info, 5, op, "inner"));
}

void Matmul(const Info& info) {
  const char* op = "matmul";
  MatmulArgs args{I(info, 3, op, "batch"),         I(info, 4, op, "M"),
                  I(info, 5, op, "N"),             I(info, 6, op, "K"),
                  B(info, 7, op, "transA"),        B(info, 8, op, "transB"),
                  I(info, 9, op, "aBatchStride"),  I(info, 10, op, "bBatchStride"),
                  B(info, 11, op, "accumulate")};
  matmul(S(info, 0, op, "out"), S(info, 1, op, "a"), S(info, 2, op, "b"), args);
}

Napi::Value GatherRows(const Info& info) {
  const char* op = "gatherRows";
  int64_t r = gather_rows(S(info, 0, op, "out"), S(info, 1, op, "src"), S(info, 2, op, "idx"),
                          I(info, 3, op, "srcRows"), I(info, 4, op, "dim"));
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

Napi::Value ScatterAddRows(const Info& info) {
  const char* op = "scatterAddRows";
  int64_t r = scatter_add_rows(S(info, 0, op, "out"), S(info, 1, op, "src"), S(info, 2, op, "idx"),
                               I(info, 3, op, "outRows"), I(info, 4, op, "dim"));
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

Napi::Value SegmentReduce(const Info& info) {
  const char* op = "segmentReduce";
  int64_t r = segment_reduce(static_cast<SegmentMode>(I(info, 0, op, "mode")),
                             S(info, 1, op, "out"), S(info, 2, op, "src"),
                             S(info, 3, op, "offsets"), I(info, 4, op, "numSegments"),
                             I(info, 5, op, "srcRows"), I(info, 6, op, "dim"));
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

void BceWithLogits(const Info& info) {
  const char* op = "bceWithLogits";
  bce_with_logits(S(info, 0, op, "out"), S(info, 1, op, "x"), S(info, 2, op, "y"));
}

void Random(const Info& info) {
  const char* op = "random";
  random(static_cast<RandomKind>(I(info, 0, op, "kind")), S(info, 1, op, "out"),
         ArgBigUint64(info[2], op, "seed"), ArgBigUint64(info[3], op, "offset"),
         D(info, 4, op, "a"), D(info, 5, op, "b"));
}

void AdamStep(const Info& info) {
  const char* op = "adamStep";
  AdamArgs args{D(info, 4, op, "lr"),          D(info, 5, op, "beta1"),
                D(info, 6, op, "beta2"),       D(info, 7, op, "eps"),
                D(info, 8, op, "weightDecay"), D(info, 9, op, "biasCorrection1"),
                D(info, 10, op, "biasCorrection2"), B(info, 11, op, "decoupled")};
  adam_step(S(info, 0, op, "param"), S(info, 1, op, "grad"), S(info, 2, op, "m"),
            S(info, 3, op, "v"), args);
}

void SgdStep(const Info& info) {
  const char* op = "sgdStep";
  SgdArgs args{D(info, 3, op, "lr"),          D(info, 4, op, "momentum"),
               D(info, 5, op, "dampening"),   D(info, 6, op, "weightDecay"),
               B(info, 7, op, "nesterov"),    B(info, 8, op, "firstStep")};
  Storage* buf = info[2].IsNull() || info[2].IsUndefined() ? nullptr : &S(info, 2, op, "momentumBuf");
  sgd_step(S(info, 0, op, "param"), S(info, 1, op, "grad"), buf, args);
}

}  // namespace

void RegisterKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("fill", Napi::Function::New<Fill>(env, "fill"));
  exports.Set("copy", Napi::Function::New<Copy>(env, "copy"));
  exports.Set("cast", Napi::Function::New<Cast>(env, "cast"));
  exports.Set("stridedCopy", Napi::Function::New<StridedCopy>(env, "stridedCopy"));
  exports.Set("binary", Napi::Function::New<Binary>(env, "binary"));
  exports.Set("unary", Napi::Function::New<Unary>(env, "unary"));
  exports.Set("where", Napi::Function::New<Where>(env, "where"));
  exports.Set("reduce", Napi::Function::New<Reduce>(env, "reduce"));
  exports.Set("matmul", Napi::Function::New<Matmul>(env, "matmul"));
  exports.Set("gatherRows", Napi::Function::New<GatherRows>(env, "gatherRows"));
  exports.Set("scatterAddRows", Napi::Function::New<ScatterAddRows>(env, "scatterAddRows"));
  exports.Set("segmentReduce", Napi::Function::New<SegmentReduce>(env, "segmentReduce"));
  exports.Set("bceWithLogits", Napi::Function::New<BceWithLogits>(env, "bceWithLogits"));
  exports.Set("random", Napi::Function::New<Random>(env, "random"));
  exports.Set("adamStep", Napi::Function::New<AdamStep>(env, "adamStep"));
  exports.Set("sgdStep", Napi::Function::New<SgdStep>(env, "sgdStep"));
}

}  // namespace gmeta
