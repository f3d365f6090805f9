// Float exp, sigmoid, tanh and BCE-with-logits loops compiled once per instruction set
// (AVX-512, AVX2, and the baseline) and picked at load time by the CPU, so a portable build
// still runs 8 or 16 lanes wide where the machine has them. These ops are bound by
// arithmetic, not memory.
#pragma once
#include <cstdint>

namespace gmeta {

void exp_f32(float* out, const float* a, int64_t n);
void sigmoid_f32(float* out, const float* a, int64_t n);
void tanh_f32(float* out, const float* a, int64_t n);
// max(x, 0) - x·y + log(1 + e^-|x|), finite for logits of any size.
void bce_with_logits_f32(float* out, const float* x, const float* y, int64_t n);

}  // namespace gmeta
