#include "program.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <stdexcept>
#include <string>

#include "device.h"

namespace gmeta {

namespace {

// One JS thread drives the tensor core; a capture belongs to it.
Capture* g_capture = nullptr;

constexpr size_t kArenaAlign = 64;

// The calling thread's CPU time: unlike wall time, it does not count the time a shared
// machine gave to other processes, so one-thread profiles stay comparable under load.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

size_t align_up(size_t n) { return (n + kArenaAlign - 1) / kArenaAlign * kArenaAlign; }

struct Temp {
  Buffer* buffer;
  size_t bytes;
  int64_t first;
  int64_t last;
  size_t offset = 0;
};

}  // namespace

int64_t run_recorded(ProgramOp& op) {
  Storage* ptrs[8];
  std::vector<Storage*> more;
  Storage** p = ptrs;
  if (op.storages.size() > 8) {
    more.resize(op.storages.size());
    p = more.data();
  }
  for (size_t i = 0; i < op.storages.size(); i++) p[i] = &op.storages[i];
  return op.run(p);
}

Capture* current_capture() { return g_capture; }

void begin_capture(int device) {
  if (g_capture) throw std::runtime_error("capture: a capture is already open (captures do not nest)");
  g_capture = new Capture{std::make_unique<Program>(device), ""};
}

std::unique_ptr<Program> end_capture(std::string& reason) {
  if (!g_capture) throw std::runtime_error("capture: no capture is open");
  std::unique_ptr<Capture> c(g_capture);
  g_capture = nullptr;
  reason = c->refused;
  if (!reason.empty()) return nullptr;
  return std::move(c->program);
}

void refuse_capture(const std::string& reason) {
  if (g_capture && g_capture->refused.empty()) g_capture->refused = reason;
}

void record_op(const char* name, std::initializer_list<Storage*> storages, double flops, double bytes, OpFn fn,
               std::string detail) {
  if (!g_capture || !g_capture->refused.empty()) return;
  std::vector<Storage> copies;
  copies.reserve(storages.size());
  for (Storage* st : storages) copies.push_back(*st);
  g_capture->program->add(ProgramOp{name, std::move(copies), flops, bytes, std::move(fn), std::move(detail)});
}

namespace {

// Kernels whose first storage is the only one they write (the rest they only read).
bool writes_first_only(const char* name) {
  static const char* const kinds[] = {"fill", "copy", "cast", "stridedCopy", "binary", "unary", "where", "reduce",
                                      "matmul", "gatherRows", "scatterAddRows", "segmentReduce", "segmentExpand",
                                      "pairDot", "pairSpread", "bceWithLogits", "zero", "write", "embeddingBag",
                                      "embeddingBagBackward"};
  for (const char* k : kinds)
    if (std::strcmp(name, k) == 0) return true;
  return false;
}

}  // namespace

bool Program::is_temporary(Buffer* b, int64_t refs) const {
  auto a = allocated_.find(b);
  if (a == allocated_.end()) return false;  // made before the capture: an input or a parameter
  std::shared_ptr<Buffer> held = a->second.lock();
  // Held by the ops' storages (`refs` of them) and the lock above only.
  return held && held.use_count() == refs + 1;
}

void Program::drop_dead_ops() {
  std::unordered_map<Buffer*, int64_t> refs;
  for (const ProgramOp& op : ops_)
    for (const Storage& s : op.storages)
      if (!s.disposed()) refs[s.buffer().get()]++;
  std::unordered_map<Buffer*, bool> temporary;
  for (const auto& [b, n] : refs) temporary[b] = is_temporary(b, n);
  // Last op first: an op that writes only a temporary no other op touches computes nothing
  // anyone reads; dropping it may leave its own inputs' producers dead in turn.
  std::vector<bool> dead(ops_.size(), false);
  int64_t dropped = 0;
  for (size_t i = ops_.size(); i-- > 0;) {
    const ProgramOp& op = ops_[i];
    if (op.storages.empty() || op.storages[0].disposed() || !writes_first_only(op.name)) continue;
    Buffer* out = op.storages[0].buffer().get();
    if (!temporary[out]) continue;
    int64_t here = 0;
    for (const Storage& s : op.storages)
      if (!s.disposed() && s.buffer().get() == out) here++;
    if (refs[out] != here) continue;
    dead[i] = true;
    dropped++;
    for (const Storage& s : op.storages)
      if (!s.disposed()) refs[s.buffer().get()]--;
  }
  if (dropped == 0) return;
  std::vector<ProgramOp> kept;
  kept.reserve(ops_.size() - static_cast<size_t>(dropped));
  for (size_t i = 0; i < ops_.size(); i++) {
    if (!dead[i]) {
      kept.push_back(std::move(ops_[i]));
      continue;
    }
    stats_.ops--;
    stats_.flops -= ops_[i].flops;
    stats_.bytes -= ops_[i].bytes;
  }
  ops_ = std::move(kept);
  stats_.dead_ops += dropped;
}

void Program::plan_memory(std::shared_ptr<SharedArena> shared) {
  reset_cuda();
  windows_.clear();
  shared_.reset();
  drop_dead_ops();
  // A temporary is a buffer made during the capture that only the program still holds.
  std::unordered_map<Buffer*, int64_t> refs;
  std::unordered_map<Buffer*, size_t> index;
  std::vector<Temp> temps;
  for (size_t i = 0; i < ops_.size(); i++) {
    for (const Storage& s : ops_[i].storages) {
      if (s.disposed()) continue;
      Buffer* b = s.buffer().get();
      refs[b]++;
      auto it = index.find(b);
      if (it == index.end()) {
        index[b] = temps.size();
        temps.push_back(Temp{b, b->bytes(), static_cast<int64_t>(i), static_cast<int64_t>(i)});
      } else {
        temps[it->second].last = static_cast<int64_t>(i);
      }
    }
  }
  std::vector<Temp> planned;
  for (const Temp& t : temps) {
    if (is_temporary(t.buffer, refs[t.buffer]) && t.bytes > 0 && t.buffer->device() == device_) planned.push_back(t);
  }
  // Largest first, each at the lowest offset clear of every placed temporary it overlaps in time.
  std::sort(planned.begin(), planned.end(), [](const Temp& x, const Temp& y) {
    return x.bytes != y.bytes ? x.bytes > y.bytes : x.first < y.first;
  });
  std::vector<const Temp*> placed;
  size_t total = 0;
  int64_t unplanned = 0;
  for (Temp& t : planned) {
    std::vector<std::pair<size_t, size_t>> busy;
    for (const Temp* p : placed)
      if (p->first <= t.last && t.first <= p->last) busy.emplace_back(p->offset, p->offset + align_up(p->bytes));
    std::sort(busy.begin(), busy.end());
    size_t off = 0;
    for (const auto& [lo, hi] : busy) {
      if (off + t.bytes <= lo) break;
      off = std::max(off, hi);
    }
    t.offset = off;
    total = std::max(total, off + align_up(t.bytes));
    unplanned += static_cast<int64_t>(align_up(t.bytes));
    placed.push_back(&t);
  }
  stats_.temporaries = static_cast<int64_t>(planned.size());
  stats_.unplanned_bytes = unplanned;
  stats_.arena_bytes = static_cast<int64_t>(total);
  allocated_.clear();
  if (planned.empty()) return;
  if (!shared || shared->device != device_) shared = std::make_shared<SharedArena>(device_);
  if (!shared->buffer || shared->buffer->bytes() < total) {
    shared->buffer = std::make_shared<Buffer>(total, device_, false);
    shared->generation++;
  }
  shared_ = std::move(shared);
  bound_generation_ = shared_->generation;
  std::unordered_map<Buffer*, std::shared_ptr<Buffer>> window;
  for (const Temp& t : planned) {
    auto w = std::make_shared<Buffer>(shared_->buffer, t.offset, t.bytes);
    windows_.emplace_back(w, t.offset);
    window[t.buffer] = std::move(w);
  }
  for (ProgramOp& op : ops_) {
    for (Storage& s : op.storages) {
      if (s.disposed()) continue;
      auto w = window.find(s.buffer().get());
      if (w != window.end()) s = Storage(s.dtype(), s.numel(), s.device(), w->second);
    }
  }
}

void Program::bind_arena() {
  if (!shared_ || bound_generation_ == shared_->generation) return;
  // A CUDA graph holds the old addresses.
  reset_cuda();
  for (auto& [w, offset] : windows_) w->retarget(shared_->buffer, offset);
  bound_generation_ = shared_->generation;
}

void Program::replay() {
  bind_arena();
  if (device_ != kCpu) {
    replay_cuda();
    stats_.replays++;
    return;
  }
  for (ProgramOp& op : ops_) {
    const int64_t status = run_recorded(op);
    if (status >= 0)
      throw std::out_of_range(std::string("replay: ") + op.name + " met an index out of range at position " +
                              std::to_string(status) + " (the inputs differ from what the program was captured for)");
  }
  stats_.replays++;
}

std::vector<Program::OpProfile> Program::profile(bool by_detail) {
  // Device work is queued, so per-op times are only meaningful on the CPU.
  bind_arena();
  std::map<std::string, OpProfile> by_name;
  for (ProgramOp& op : ops_) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_seconds();
    const int64_t status = run_recorded(op);
    const double dc = thread_cpu_seconds() - c0;
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (status >= 0) throw std::out_of_range(std::string("profile: ") + op.name + " met an index out of range");
    const std::string key = by_detail && !op.detail.empty() ? std::string(op.name) + " " + op.detail : std::string(op.name);
    OpProfile& p = by_name[key];
    p.name = key;
    p.calls++;
    p.seconds += dt;
    p.cpu_seconds += dc;
    p.flops += op.flops;
    p.bytes += op.bytes;
  }
  stats_.replays++;
  std::vector<OpProfile> out;
  for (auto& [_, p] : by_name) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const OpProfile& a, const OpProfile& b) { return a.seconds > b.seconds; });
  return out;
}

}  // namespace gmeta
