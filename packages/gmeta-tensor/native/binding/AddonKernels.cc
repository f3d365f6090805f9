#include "AddonKernels.h"

#include <functional>
#include <string>
#include <vector>

#include "../core/program.h"

#include "../kernels/bce_with_logits/bce_with_logits.h"
#include "../kernels/binary/binary.h"
#include "../kernels/cast/cast.h"
#include "../kernels/embedding_bag/embedding_bag.h"
#include "../kernels/fill/fill.h"
#include "../kernels/gather_rows/gather_rows.h"
#include "../kernels/matmul/matmul.h"
#include "../kernels/optim/optim.h"
#include "../kernels/pair_dot/pair_dot.h"
#include "../kernels/random/random.h"
#include "../kernels/reduce/reduce.h"
#include "../kernels/scatter_add_rows/scatter_add_rows.h"
#include "../kernels/segment_expand/segment_expand.h"
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

// Every kernel goes through run_op, so an open capture records it with its storages.

// "[a,b,c]", for profiles that tell one shape of an op from another.
std::string Dims(const std::vector<int64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); i++) out += (i ? "," : "") + std::to_string(v[i]);
  return out + "]";
}

double Numel(const std::vector<int64_t>& shape) {
  double n = 1;
  for (int64_t d : shape) n *= static_cast<double>(d);
  return n;
}

double Bytes(const Storage& s) { return static_cast<double>(s.byte_length()); }

void Fill(const Info& info) {
  Storage& out = S(info, 0, "fill", "out");
  const double value = D(info, 1, "fill", "value");
  run_op("fill", {&out}, 0, Bytes(out), [value](Storage* const* s) {
    fill(*s[0], value);
    return int64_t{-1};
  });
}

void Copy(const Info& info) {
  Storage& dst = S(info, 0, "copy", "dst");
  Storage& src = S(info, 1, "copy", "src");
  run_op("copy", {&dst, &src}, 0, 2 * Bytes(dst), [](Storage* const* s) {
    copy_storage(*s[0], *s[1]);
    return int64_t{-1};
  });
}

void Cast(const Info& info) {
  Storage& out = S(info, 0, "cast", "out");
  Storage& src = S(info, 1, "cast", "src");
  run_op("cast", {&out, &src}, 0, Bytes(out) + Bytes(src), [](Storage* const* s) {
    cast(*s[0], *s[1]);
    return int64_t{-1};
  });
}

void StridedCopy(const Info& info) {
  const char* op = "stridedCopy";
  Storage& dst = S(info, 0, op, "dst");
  const int64_t dst_offset = I(info, 1, op, "dstOffset");
  std::vector<int64_t> dst_strides = V(info, 2, op, "dstStrides");
  Storage& src = S(info, 3, op, "src");
  const int64_t src_offset = I(info, 4, op, "srcOffset");
  std::vector<int64_t> src_strides = V(info, 5, op, "srcStrides");
  std::vector<int64_t> shape = V(info, 6, op, "shape");
  const double moved = 2 * Numel(shape) * static_cast<double>(dtype_size(dst.dtype()));
  std::string detail;
  if (current_capture()) detail = Dims(shape) + " from strides " + Dims(src_strides) + " to " + Dims(dst_strides);
  run_op(op, {&dst, &src}, 0, moved,
         [dst_offset, dst_strides = std::move(dst_strides), src_offset, src_strides = std::move(src_strides), shape = std::move(shape)](Storage* const* s) {
           strided_copy(*s[0], dst_offset, dst_strides, *s[1], src_offset, src_strides, shape);
           return int64_t{-1};
         }, std::move(detail));
}

void Binary(const Info& info) {
  const char* op = "binary";
  const auto kind = static_cast<BinaryOp>(I(info, 0, op, "op"));
  Storage& out = S(info, 1, op, "out");
  Storage& a = S(info, 2, op, "a");
  Storage& b = S(info, 3, op, "b");
  std::vector<int64_t> shape = V(info, 4, op, "shape");
  std::vector<int64_t> as = V(info, 5, op, "aStrides");
  std::vector<int64_t> bs = V(info, 6, op, "bStrides");
  const double n = Numel(shape);
  std::string detail;
  if (current_capture()) detail = std::to_string(static_cast<int>(kind)) + " " + Dims(shape) + " " + Dims(as) + " " + Dims(bs);
  run_op(op, {&out, &a, &b}, n, 3 * n * static_cast<double>(dtype_size(out.dtype())),
         [kind, shape = std::move(shape), as = std::move(as), bs = std::move(bs)](Storage* const* s) {
           binary(kind, *s[0], *s[1], *s[2], shape, as, bs);
           return int64_t{-1};
         }, std::move(detail));
}

void Unary(const Info& info) {
  const char* op = "unary";
  const auto kind = static_cast<UnaryOp>(I(info, 0, op, "op"));
  Storage& out = S(info, 1, op, "out");
  Storage& a = S(info, 2, op, "a");
  const double p1 = D(info, 3, op, "p1");
  const double p2 = D(info, 4, op, "p2");
  std::string detail;
  if (current_capture()) detail = std::to_string(static_cast<int>(kind)) + " n=" + std::to_string(out.numel());
  run_op(op, {&out, &a}, static_cast<double>(out.numel()), Bytes(out) + Bytes(a),
         [kind, p1, p2](Storage* const* s) {
           unary(kind, *s[0], *s[1], p1, p2);
           return int64_t{-1};
         }, std::move(detail));
}

void Where(const Info& info) {
  const char* op = "where";
  Storage& out = S(info, 0, op, "out");
  Storage& cond = S(info, 1, op, "cond");
  Storage& a = S(info, 2, op, "a");
  Storage& b = S(info, 3, op, "b");
  std::vector<int64_t> shape = V(info, 4, op, "shape");
  std::vector<int64_t> cs = V(info, 5, op, "condStrides");
  std::vector<int64_t> as = V(info, 6, op, "aStrides");
  std::vector<int64_t> bs = V(info, 7, op, "bStrides");
  const double n = Numel(shape);
  run_op(op, {&out, &cond, &a, &b}, n, 4 * n * static_cast<double>(dtype_size(out.dtype())),
         [shape = std::move(shape), cs = std::move(cs), as = std::move(as), bs = std::move(bs)](Storage* const* s) {
           where(*s[0], *s[1], *s[2], *s[3], shape, cs, as, bs);
           return int64_t{-1};
         });
}

void Reduce(const Info& info) {
  const char* op = "reduce";
  const auto kind = static_cast<ReduceOp>(I(info, 0, op, "op"));
  Storage& out = S(info, 1, op, "out");
  Storage& a = S(info, 2, op, "a");
  const int64_t outer = I(info, 3, op, "outer");
  const int64_t axis_len = I(info, 4, op, "axisLen");
  const int64_t inner = I(info, 5, op, "inner");
  std::string detail;
  if (current_capture()) detail = std::to_string(static_cast<int>(kind)) + " " + Dims({outer, axis_len, inner});
  run_op(op, {&out, &a}, static_cast<double>(outer) * axis_len * inner, Bytes(out) + Bytes(a),
         [kind, outer, axis_len, inner](Storage* const* s) {
           reduce(kind, *s[0], *s[1], outer, axis_len, inner);
           return int64_t{-1};
         }, std::move(detail));
}

MatmulArgs MatmulArgsOf(const Info& info, const char* op, int first) {
  return MatmulArgs{I(info, first, op, "batch"),           I(info, first + 1, op, "M"),
                    I(info, first + 2, op, "N"),           I(info, first + 3, op, "K"),
                    B(info, first + 4, op, "transA"),      B(info, first + 5, op, "transB"),
                    I(info, first + 6, op, "aBatchStride"), I(info, first + 7, op, "bBatchStride"),
                    false};
}

std::string MatmulDetail(const MatmulArgs& args, const std::string& epilogue) {
  return std::to_string(args.batch) + "x[" + std::to_string(args.M) + "x" + std::to_string(args.K) + "]" +
         (args.trans_a ? "T" : "") + "*[" + std::to_string(args.K) + "x" + std::to_string(args.N) + "]" +
         (args.trans_b ? "T" : "") + (args.accumulate ? "+=" : "") + epilogue +
         (args.a_batch_stride == 0 ? " a-shared" : "") + (args.b_batch_stride == 0 ? " b-shared" : "");
}

double MatmulFlops(const MatmulArgs& args) { return 2.0 * static_cast<double>(args.batch) * args.M * args.N * args.K; }

double MatmulBytes(const MatmulArgs& args, const Storage& out) {
  const double elems = static_cast<double>(args.batch) * (args.M * args.K + args.K * args.N + args.M * args.N);
  return elems * static_cast<double>(dtype_size(out.dtype()));
}

void Matmul(const Info& info) {
  const char* op = "matmul";
  MatmulArgs args = MatmulArgsOf(info, op, 3);
  args.accumulate = B(info, 11, op, "accumulate");
  Storage& out = S(info, 0, op, "out");
  Storage& a = S(info, 1, op, "a");
  Storage& b = S(info, 2, op, "b");
  std::string detail;
  if (current_capture()) detail = MatmulDetail(args, "");
  run_op(op, {&out, &a, &b}, MatmulFlops(args), MatmulBytes(args, out),
         [args](Storage* const* s) {
           matmul(*s[0], *s[1], *s[2], args);
           return int64_t{-1};
         }, std::move(detail));
}

// matmulBias(out, a, b, bias, batch, M, N, K, transA, transB, aBatchStride, bBatchStride, biasRows, relu):
// out = act(op(a)·op(b) + bias), the bias and activation applied as the GEMM's epilogue.
void MatmulBias(const Info& info) {
  const char* op = "matmul";
  const MatmulArgs args = MatmulArgsOf(info, op, 4);
  const MatmulEpilogue e{I(info, 12, op, "biasRows"), B(info, 13, op, "relu")};
  Storage& out = S(info, 0, op, "out");
  Storage& a = S(info, 1, op, "a");
  Storage& b = S(info, 2, op, "b");
  Storage& bias = S(info, 3, op, "bias");
  std::string detail;
  if (current_capture()) detail = MatmulDetail(args, e.relu ? "+bias,relu" : "+bias");
  // The epilogue's adds and maxima count as the unfused ops would count them.
  const double epilogue = static_cast<double>(args.batch) * args.M * args.N * (e.relu ? 2 : 1);
  run_op(op, {&out, &a, &b, &bias}, MatmulFlops(args) + epilogue, MatmulBytes(args, out) + Bytes(bias),
         [args, e](Storage* const* s) {
           matmul_bias(*s[0], *s[1], *s[2], *s[3], args, e);
           return int64_t{-1};
         }, std::move(detail));
}

Napi::Value GatherRows(const Info& info) {
  const char* op = "gatherRows";
  Storage& out = S(info, 0, op, "out");
  Storage& src = S(info, 1, op, "src");
  Storage& idx = S(info, 2, op, "idx");
  const int64_t src_rows = I(info, 3, op, "srcRows");
  const int64_t dim = I(info, 4, op, "dim");
  int64_t r = run_op(op, {&out, &src, &idx}, 0, 2 * Bytes(out) + Bytes(idx),
                     [src_rows, dim](Storage* const* s) { return gather_rows(*s[0], *s[1], *s[2], src_rows, dim); });
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

Napi::Value ScatterAddRows(const Info& info) {
  const char* op = "scatterAddRows";
  Storage& out = S(info, 0, op, "out");
  Storage& src = S(info, 1, op, "src");
  Storage& idx = S(info, 2, op, "idx");
  const int64_t out_rows = I(info, 3, op, "outRows");
  const int64_t dim = I(info, 4, op, "dim");
  int64_t r = run_op(op, {&out, &src, &idx}, static_cast<double>(src.numel()), 2 * Bytes(src) + Bytes(idx),
                     [out_rows, dim](Storage* const* s) { return scatter_add_rows(*s[0], *s[1], *s[2], out_rows, dim); });
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

Napi::Value SegmentReduce(const Info& info) {
  const char* op = "segmentReduce";
  const auto mode = static_cast<SegmentMode>(I(info, 0, op, "mode"));
  Storage& out = S(info, 1, op, "out");
  Storage& src = S(info, 2, op, "src");
  Storage& offsets = S(info, 3, op, "offsets");
  const int64_t segments = I(info, 4, op, "numSegments");
  const int64_t src_rows = I(info, 5, op, "srcRows");
  const int64_t dim = I(info, 6, op, "dim");
  int64_t r = run_op(op, {&out, &src, &offsets}, static_cast<double>(src_rows) * dim, Bytes(out) + Bytes(src),
                     [mode, segments, src_rows, dim](Storage* const* s) {
                       return segment_reduce(mode, *s[0], *s[1], *s[2], segments, src_rows, dim);
                     });
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

Napi::Value SegmentExpand(const Info& info) {
  const char* op = "segmentExpand";
  Storage& out = S(info, 0, op, "out");
  Storage& src = S(info, 1, op, "src");
  Storage& offsets = S(info, 2, op, "offsets");
  const int64_t segments = I(info, 3, op, "numSegments");
  const int64_t out_rows = I(info, 4, op, "outRows");
  const int64_t dim = I(info, 5, op, "dim");
  int64_t r = run_op(op, {&out, &src, &offsets}, 0, 2 * Bytes(out),
                     [segments, out_rows, dim](Storage* const* s) {
                       return segment_expand(*s[0], *s[1], *s[2], segments, out_rows, dim);
                     });
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

// embeddingBag(mode, out, src, idx, offsets, bags, ids, rows, dim) and
// embeddingBagBackward(mode, out, g, idx, offsets, bags, ids, rows, dim).
BagArgs Bags(const Info& info, const char* op) {
  return BagArgs{static_cast<SegmentMode>(I(info, 0, op, "mode")), I(info, 5, op, "bags"), I(info, 6, op, "ids"),
                 I(info, 7, op, "rows"), I(info, 8, op, "dim")};
}

// `passes`: how many times the op moves ids x dim values (the picked rows, or the scattered ones read and written).
template <int64_t (*Kernel)(Storage&, const Storage&, const Storage&, const Storage&, const BagArgs&)>
Napi::Value BagOp(const Info& info, const char* op, const char* src_name, double passes) {
  const BagArgs a = Bags(info, op);
  Storage& out = S(info, 1, op, "out");
  Storage& src = S(info, 2, op, src_name);
  Storage& idx = S(info, 3, op, "idx");
  Storage& offsets = S(info, 4, op, "offsets");
  const double moved = static_cast<double>(a.ids * a.dim) * static_cast<double>(dtype_size(src.dtype()));
  int64_t r = run_op(op, {&out, &src, &idx, &offsets}, static_cast<double>(a.ids) * a.dim, Bytes(out) + passes * moved + Bytes(idx),
                     [a](Storage* const* s) { return Kernel(*s[0], *s[1], *s[2], *s[3], a); });
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

Napi::Value EmbeddingBag(const Info& info) { return BagOp<bag_pool>(info, "embeddingBag", "src", 1); }
Napi::Value EmbeddingBagBackward(const Info& info) { return BagOp<bag_scatter>(info, "embeddingBagBackward", "g", 2); }

// pairDot(out, x, y, batch, fx, fy, dim, i, j) and pairSpread(out, g, y, batch, fx, fy, dim, i, j).
PairArgs Pairs(const Info& info, const char* op) {
  PairArgs a{I(info, 3, op, "batch"), I(info, 4, op, "fx"), I(info, 5, op, "fy"), I(info, 6, op, "dim"), {}, {}};
  for (int64_t v : V(info, 7, op, "i")) a.i.push_back(static_cast<int32_t>(v));
  for (int64_t v : V(info, 8, op, "j")) a.j.push_back(static_cast<int32_t>(v));
  return a;
}

// Both pair kernels take (out, a, b) and the pair arguments, and do batch·pairs·dim multiply-adds.
template <void (*Kernel)(Storage&, const Storage&, const Storage&, const PairArgs&)>
void PairOp(const Info& info, const char* op, const char* a_name) {
  Storage& out = S(info, 0, op, "out");
  Storage& x = S(info, 1, op, a_name);
  Storage& y = S(info, 2, op, "y");
  PairArgs a = Pairs(info, op);
  const double macs = static_cast<double>(a.batch) * static_cast<double>(a.i.size()) * a.dim;
  run_op(op, {&out, &x, &y}, 2 * macs, Bytes(out) + Bytes(x) + Bytes(y),
         [a = std::move(a)](Storage* const* s) {
           Kernel(*s[0], *s[1], *s[2], a);
           return int64_t{-1};
         });
}

void PairDot(const Info& info) { PairOp<pair_dot>(info, "pairDot", "x"); }
void PairSpread(const Info& info) { PairOp<pair_spread>(info, "pairSpread", "g"); }

void BceWithLogits(const Info& info) {
  const char* op = "bceWithLogits";
  Storage& out = S(info, 0, op, "out");
  Storage& x = S(info, 1, op, "x");
  Storage& y = S(info, 2, op, "y");
  run_op(op, {&out, &x, &y}, 8.0 * static_cast<double>(x.numel()), Bytes(out) + Bytes(x) + Bytes(y),
         [](Storage* const* s) {
           bce_with_logits(*s[0], *s[1], *s[2]);
           return int64_t{-1};
         });
}

void Random(const Info& info) {
  const char* op = "random";
  // The seed and offset are the caller's state: a replay would draw the same numbers again.
  refuse_capture("random: a random draw cannot be replayed (draw outside the captured function and pass it in)");
  random(static_cast<RandomKind>(I(info, 0, op, "kind")), S(info, 1, op, "out"),
         ArgBigUint64(info[2], op, "seed"), ArgBigUint64(info[3], op, "offset"),
         D(info, 4, op, "a"), D(info, 5, op, "b"));
}

void AdamStep(const Info& info) {
  const char* op = "adamStep";
  // Bias corrections change every step: the optimizer runs outside captured programs.
  refuse_capture("adamStep: an optimizer step cannot be replayed (its bias corrections change every step)");
  AdamArgs args{D(info, 4, op, "lr"),          D(info, 5, op, "beta1"),
                D(info, 6, op, "beta2"),       D(info, 7, op, "eps"),
                D(info, 8, op, "weightDecay"), D(info, 9, op, "biasCorrection1"),
                D(info, 10, op, "biasCorrection2"), B(info, 11, op, "decoupled"),
                {I(info, 12, op, "gradOffset"), D(info, 13, op, "gradScale")}};
  adam_step(S(info, 0, op, "param"), S(info, 1, op, "grad"), S(info, 2, op, "m"),
            S(info, 3, op, "v"), args);
}

void SgdStep(const Info& info) {
  const char* op = "sgdStep";
  SgdArgs args{D(info, 3, op, "lr"),          D(info, 4, op, "momentum"),
               D(info, 5, op, "dampening"),   D(info, 6, op, "weightDecay"),
               B(info, 7, op, "nesterov"),    B(info, 8, op, "firstStep"),
               {I(info, 9, op, "gradOffset"), D(info, 10, op, "gradScale")}};
  refuse_capture("sgdStep: an optimizer step cannot be replayed (its first step differs from the rest)");
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
  exports.Set("matmulBias", Napi::Function::New<MatmulBias>(env, "matmulBias"));
  exports.Set("embeddingBag", Napi::Function::New<EmbeddingBag>(env, "embeddingBag"));
  exports.Set("embeddingBagBackward", Napi::Function::New<EmbeddingBagBackward>(env, "embeddingBagBackward"));
  exports.Set("segmentExpand", Napi::Function::New<SegmentExpand>(env, "segmentExpand"));
  exports.Set("bceWithLogits", Napi::Function::New<BceWithLogits>(env, "bceWithLogits"));
  exports.Set("pairDot", Napi::Function::New<PairDot>(env, "pairDot"));
  exports.Set("pairSpread", Napi::Function::New<PairSpread>(env, "pairSpread"));
  exports.Set("random", Napi::Function::New<Random>(env, "random"));
  exports.Set("adamStep", Napi::Function::New<AdamStep>(env, "adamStep"));
  exports.Set("sgdStep", Napi::Function::New<SgdStep>(env, "sgdStep"));
}

}  // namespace gmeta
