// Deferred index errors of a CUDA program replay. Eagerly, an index-checking CUDA kernel
// reads its "first bad position" back at once (one small host sync), because the call
// returns it. A replay cannot: a CUDA graph holds no host sync, and one sync per op would
// undo what replaying buys. So while a replay runs, each op that checks indices writes into a
// device word of its own (atomicMin of the bad position), and the replay reads all the words
// once at its end, naming the first op whose word is set.
#pragma once
#include <cstdint>
#include <vector>

namespace gmeta {

class DeferredIndexErrors {
 public:
  // `words`: device memory of `capacity` 64-bit words, set to ~0 by the replay before its ops run.
  void bind(unsigned long long* words, int64_t capacity) {
    words_ = words;
    capacity_ = capacity;
  }
  void set_op(int64_t op) { op_ = op; }
  // The current op's word (the same one for every check the op makes); hands out the next
  // free word the first time an op asks.
  unsigned long long* word();
  // The op that owns each word handed out, in order.
  const std::vector<int64_t>& owners() const { return owners_; }
  void clear() { owners_.clear(); }

 private:
  unsigned long long* words_ = nullptr;
  int64_t capacity_ = 0;
  int64_t op_ = -1;
  std::vector<int64_t> owners_;
};

// The errors of the replay running on this thread, or null (eager: report at once).
DeferredIndexErrors* deferred_index_errors();

// Installs `errors` for the scope (kernels called inside report into it).
class DeferIndexErrors {
 public:
  explicit DeferIndexErrors(DeferredIndexErrors* errors);
  ~DeferIndexErrors();
  DeferIndexErrors(const DeferIndexErrors&) = delete;
  DeferIndexErrors& operator=(const DeferIndexErrors&) = delete;

 private:
  DeferredIndexErrors* prev_;
};

}  // namespace gmeta
