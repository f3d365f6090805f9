// Runs on the host the index arithmetic the CUDA kernels use (StridedIndex, the Philox draw
// and unit conversions, the deferred index errors' word table of a replay), against the CPU
// kernels' own walkers. A GPU is not needed: the
// functions are __host__ __device__, compiled here by the host compiler.
// Exit 0 and "ok <checks>" on success; otherwise prints the first mismatch and exits 1.
#include <cstdint>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <vector>

#include "../kernels/common/strided.h"
#include "../kernels/common/strided_index.h"
#include "../core/index_errors.h"
#include "../kernels/random/philox.h"

using namespace gmeta;

namespace {

int64_t checks = 0;

bool check_strided(std::mt19937_64& rng) {
  const int nd = 1 + static_cast<int>(rng() % 5);
  std::vector<int64_t> shape(nd), sa(nd), sb(nd);
  for (int d = 0; d < nd; ++d) shape[d] = 1 + static_cast<int64_t>(rng() % 4);
  // Operand a: a random permutation of contiguous strides (a transpose); b: broadcasts.
  int64_t stride = 1;
  std::vector<int> perm(nd);
  for (int d = 0; d < nd; ++d) perm[d] = d;
  std::shuffle(perm.begin(), perm.end(), rng);
  for (int d : perm) {
    sa[d] = stride;
    stride *= shape[d];
  }
  stride = 1;
  for (int d = nd; d-- > 0;) {
    sb[d] = rng() % 3 == 0 ? 0 : stride;
    stride *= shape[d];
  }
  StridedPlan<2> plan(shape, {&sa, &sb});
  const StridedIndex<2> ix = make_strided_index("test", plan);
  bool ok = true;
  plan.runs(0, plan.numel(), {0, 0}, [&](int64_t flat, int64_t len, const auto& off) {
    for (int64_t j = 0; j < len && ok; ++j) {
      int64_t got[2];
      ix.offsets(flat + j, got);
      const int64_t want0 = off[0] + j * plan.inner_stride(0), want1 = off[1] + j * plan.inner_stride(1);
      ++checks;
      if (got[0] != want0 || got[1] != want1) {
        std::printf("StridedIndex mismatch at flat %lld: got (%lld, %lld), want (%lld, %lld)\n",
                    static_cast<long long>(flat + j), static_cast<long long>(got[0]),
                    static_cast<long long>(got[1]), static_cast<long long>(want0), static_cast<long long>(want1));
        ok = false;
      }
    }
  });
  return ok;
}

bool check_philox() {
  // Known-answer test from the Random123 distribution (philox4x32-10, zero counter and key
  // in the low words): 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
  const Philox4 w = philox4x32_10(0, 0);
  ++checks;
  if (w[0] != 0x6627e8d5u || w[1] != 0xe169c58du || w[2] != 0xbc57ac4cu || w[3] != 0x9b00dbd8u) {
    std::printf("philox4x32_10(0, 0) = %08x %08x %08x %08x, want 6627e8d5 e169c58d bc57ac4c 9b00dbd8\n",
                w[0], w[1], w[2], w[3]);
    return false;
  }
  ++checks;
  if (unit_float(0xffffffffu) >= 1.0f || unit_double(0xffffffffu, 0xffffffffu) >= 1.0) {
    std::printf("unit conversions reach 1\n");
    return false;
  }
  return true;
}

}  // namespace

// A replay's ops get one word each, in order, the first time they check (twice in one op:
// the same word), and never more words than ops.
bool check_deferred_words() {
  unsigned long long words[3];
  DeferredIndexErrors e;
  e.bind(words, 3);
  unsigned long long* got[4];
  const int64_t ops[4] = {0, 2, 2, 5};
  for (int k = 0; k < 4; ++k) {
    e.set_op(ops[k]);
    got[k] = e.word();
  }
  checks++;
  if (got[0] != words || got[1] != words + 1 || got[2] != words + 1 || got[3] != words + 2 ||
      e.owners() != std::vector<int64_t>{0, 2, 5}) {
    std::printf("deferred words: wrong word table\n");
    return false;
  }
  e.set_op(6);
  try {
    e.word();
    std::printf("deferred words: a fourth word was handed out of three\n");
    return false;
  } catch (const std::logic_error&) {
  }
  e.clear();
  e.set_op(1);
  checks++;
  if (e.word() != words || e.owners() != std::vector<int64_t>{1}) {
    std::printf("deferred words: clear() did not start over\n");
    return false;
  }
  DeferIndexErrors scope(&e);
  checks++;
  if (deferred_index_errors() != &e) {
    std::printf("deferred words: the scope did not install the table\n");
    return false;
  }
  return true;
}

int main() {
  std::mt19937_64 rng(12345);
  for (int t = 0; t < 2000; ++t)
    if (!check_strided(rng)) return 1;
  if (!check_philox()) return 1;
  if (!check_deferred_words()) return 1;
  if (deferred_index_errors() != nullptr) {
    std::printf("deferred words: the scope left its table installed\n");
    return 1;
  }
  std::printf("ok %lld\n", static_cast<long long>(checks));
  return 0;
}
