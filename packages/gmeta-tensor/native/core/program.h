// A captured program: the kernel calls one run of a function made, in order, over the
// storages they touched, replayed in one native call. Temporaries (storages made during the
// capture that nothing outside the program holds any more) are packed into one arena by
// liveness, so a replay allocates nothing.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage.h"

namespace gmeta {

// A kernel call over its storages, in the order they were given; returns the kernel's status:
// -1 when it succeeded, else the offending index (gather and scatter kernels report an index
// out of range that way).
using OpFn = std::function<int64_t(Storage* const*)>;

// One recorded kernel call, with copies of its storages (they keep the buffers alive).
struct ProgramOp {
  const char* name;
  std::vector<Storage> storages;
  double flops;
  double bytes;
  OpFn run;
  // Shapes and flags, for profiles that tell one GEMM shape from another.
  std::string detail = {};
};

struct ProgramStats {
  int64_t ops = 0;
  double flops = 0;
  double bytes = 0;
  int64_t temporaries = 0;
  // Bytes of the arena holding the temporaries, and what they would take one buffer each.
  int64_t arena_bytes = 0;
  int64_t unplanned_bytes = 0;
  int64_t replays = 0;
  // Recorded ops dropped by the memory plan: they wrote only temporaries nothing read.
  int64_t dead_ops = 0;
  // On a GPU: whether replays launch one CUDA graph, and why not when they do not.
  bool cuda_graph = false;
  std::string cuda_graph_reason;
};

struct ProgramCuda;

// One arena for the temporaries of several programs that never run at the same time (the
// programs of one compiled function, one per shape signature): they take turns over the same
// memory, so the one that runs finds its temporaries warm in cache and memory does not grow
// with the number of signatures. It grows to the largest program's need; each program points
// its temporaries at the new block at its next run.
struct SharedArena {
  explicit SharedArena(int device) : device(device) {}
  int device;
  std::shared_ptr<Buffer> buffer;
  // Bumped whenever `buffer` is replaced.
  uint64_t generation = 0;
};

class Program {
 public:
  explicit Program(int device);
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  void add(ProgramOp op) {
    stats_.ops++;
    stats_.flops += op.flops;
    stats_.bytes += op.bytes;
    ops_.push_back(std::move(op));
  }
  // Drops ops whose results nothing reads, then packs temporaries into one arena by liveness
  // (first to last use in the op list), shared with the programs planned against `shared`
  // (null: an arena of its own).
  void plan_memory(std::shared_ptr<SharedArena> shared = nullptr);
  // The arena this program's temporaries live in (null before plan_memory or without temporaries).
  const std::shared_ptr<SharedArena>& arena() const { return shared_; }
  // Bytes of that arena now: the largest need of the programs sharing it (0 without one).
  int64_t shared_arena_bytes() const { return shared_ && shared_->buffer ? static_cast<int64_t>(shared_->buffer->bytes()) : 0; }
  // Runs every op in order; throws naming the op when a kernel reports an error. On a GPU
  // the first replay captures the ops as a CUDA graph where they allow it (program_cuda.cc).
  void replay();
  // CUDA graphs for this program's replays (default: on unless GMETA_CUDA_GRAPHS=0).
  void set_cuda_graphs(bool enabled);
  // One replay with each op timed; per op name: calls, seconds, flops and bytes.
  struct OpProfile {
    std::string name;
    int64_t calls = 0;
    // Wall time, and the calling thread's CPU time (all of an op's work on one thread).
    double seconds = 0, cpu_seconds = 0, flops = 0, bytes = 0;
  };
  std::vector<OpProfile> profile(bool by_detail);
  const ProgramStats& stats() const { return stats_; }
  int device() const { return device_; }

  // Buffers allocated while this program was being recorded (candidates for the arena).
  void note_allocation(const std::shared_ptr<Buffer>& b) { allocated_[b.get()] = b; }

 private:
  int device_;
  std::vector<ProgramOp> ops_;
  std::unordered_map<Buffer*, std::weak_ptr<Buffer>> allocated_;
  // The temporaries' windows into the arena, and their offsets.
  std::vector<std::pair<std::shared_ptr<Buffer>, size_t>> windows_;
  std::shared_ptr<SharedArena> shared_;
  uint64_t bound_generation_ = 0;
  ProgramStats stats_;
  // Points the windows at the shared arena's block when it was replaced since they were.
  void bind_arena();
  // Drops the ops whose results nothing reads (plan_memory's first pass).
  void drop_dead_ops();
  // A buffer made during the capture that only the ops' `refs` storages hold: nothing outside
  // the program reads it.
  bool is_temporary(Buffer* b, int64_t refs) const;

  // The GPU replay (program_cuda.cc): deferred index errors and the graph, if any.
  void replay_cuda();
  void run_deferred(ProgramCuda& c);
  void check_deferred(ProgramCuda& c);
  std::string graph_blocker() const;
  // Drops the graph (the memory plan rebinds storages the graph's nodes point at).
  void reset_cuda();
  bool cuda_graphs_ = true;
  std::unique_ptr<ProgramCuda> cuda_;
};

// Runs a recorded op over its own storages; returns its status.
int64_t run_recorded(ProgramOp& op);

// The capture in progress on this process's JS thread. Kernels run as usual while it is
// open and are also appended to it; anything that cannot be replayed records a reason, and
// the capture is then refused at its end with that reason.
struct Capture {
  std::unique_ptr<Program> program;
  std::string refused;
};

// Null when no capture is open.
Capture* current_capture();
void begin_capture(int device);
// The program, or null with `reason` set when it cannot be replayed.
std::unique_ptr<Program> end_capture(std::string& reason);
// Marks the open capture (if any) as not replayable; the first reason wins.
void refuse_capture(const std::string& reason);

// Appends a call to the open capture (when there is one that has not been refused).
void record_op(const char* name, std::initializer_list<Storage*> storages, double flops, double bytes, OpFn fn,
               std::string detail);

// Runs `fn` over `storages` now and, when a capture is open, records it. The eager path makes
// no copy of the storages and no std::function.
template <typename F>
int64_t run_op(const char* name, std::initializer_list<Storage*> storages, double flops, double bytes, F&& fn,
               std::string detail = {}) {
  const int64_t status = fn(storages.begin());
  Capture* c = current_capture();
  if (c && c->refused.empty()) record_op(name, storages, flops, bytes, OpFn(std::forward<F>(fn)), std::move(detail));
  return status;
}

}  // namespace gmeta
