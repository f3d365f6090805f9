// The GPU side of a program replay.
//
// Index errors are deferred (index_errors.h): each checking op writes into a device word of
// its own, and the replay reads the words once at its end. With that, nothing in a replay
// waits for the device, so the first replay captures the ops on the device's stream as a CUDA
// graph, and later replays launch that graph: one launch instead of one per kernel. A program
// whose ops cannot be captured (an op on host memory, a host sync, a copy from host memory)
// replays op by op, and its stats say why. Inputs written before a replay are queued on the
// same stream, so the graph sees them.
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "cuda_api.h"
#include "cuda_graph.h"
#include "device.h"
#include "index_errors.h"
#include "program.h"

namespace gmeta {

struct ProgramCuda {
  cuda::ErrorWords words;
  DeferredIndexErrors errors;
  cuda::Graph* graph = nullptr;
  // The capture was tried (and the graph made or refused) since the last memory plan.
  bool tried = false;

  ProgramCuda(int device, int64_t ops) : words(cuda::alloc_error_words(device, ops)) {
    errors.bind(words.words, words.count);
  }
  ~ProgramCuda() {
    cuda::destroy_graph(graph);
    cuda::free_error_words(words);
  }
  ProgramCuda(const ProgramCuda&) = delete;
  ProgramCuda& operator=(const ProgramCuda&) = delete;
};

namespace {

bool graphs_from_env() {
  const char* v = std::getenv("GMETA_CUDA_GRAPHS");
  return !(v && (std::strcmp(v, "0") == 0 || std::strcmp(v, "false") == 0 || std::strcmp(v, "off") == 0));
}

}  // namespace

Program::Program(int device) : device_(device), cuda_graphs_(graphs_from_env()) {
  stats_.cuda_graph_reason = device == kCpu ? "the program runs on the CPU"
                             : cuda_graphs_ ? "not replayed yet"
                                            : "CUDA graphs are off (GMETA_CUDA_GRAPHS=0)";
}

Program::~Program() = default;

void Program::set_cuda_graphs(bool enabled) {
  if (device_ == kCpu || enabled == cuda_graphs_) return;
  reset_cuda();
  cuda_graphs_ = enabled;
  stats_.cuda_graph_reason = enabled ? "not replayed yet" : "CUDA graphs are off for this program";
}

void Program::reset_cuda() {
  cuda_.reset();
  stats_.cuda_graph = false;
  if (device_ != kCpu && cuda_graphs_) stats_.cuda_graph_reason = "not replayed yet";
}

std::string Program::graph_blocker() const {
  // A graph replays device work only: host work inside an op would run once, at capture.
  for (const ProgramOp& op : ops_)
    for (const Storage& s : op.storages)
      if (s.device() != device_)
        return std::string(op.name) + " uses memory on " + device_name(s.device()) + ", not " + device_name(device_);
  return "";
}

void Program::replay_cuda() {
  if (!cuda_) cuda_ = std::make_unique<ProgramCuda>(device_, static_cast<int64_t>(ops_.size()));
  ProgramCuda& c = *cuda_;
  if (cuda_graphs_ && !c.tried) {
    c.tried = true;
    std::string why = graph_blocker();
    if (why.empty()) c.graph = cuda::capture_graph(device_, [&] { run_deferred(c); }, why);
    stats_.cuda_graph = c.graph != nullptr;
    stats_.cuda_graph_reason = c.graph ? "" : "replays op by op: " + why;
  }
  if (c.graph)
    cuda::launch_graph(c.graph);
  else
    run_deferred(c);
  check_deferred(c);
}

void Program::run_deferred(ProgramCuda& c) {
  cuda::reset_error_words(c.words);
  c.errors.clear();
  DeferIndexErrors scope(&c.errors);
  for (size_t i = 0; i < ops_.size(); i++) {
    c.errors.set_op(static_cast<int64_t>(i));
    const int64_t status = run_recorded(ops_[i]);
    // Kernels that still check on the host report at once, as on the CPU.
    if (status >= 0)
      throw std::out_of_range(std::string("replay: ") + ops_[i].name + " met an index out of range at position " +
                              std::to_string(status) + " (the inputs differ from what the program was captured for)");
  }
  cuda::fetch_error_words(c.words, static_cast<int64_t>(c.errors.owners().size()));
}

void Program::check_deferred(ProgramCuda& c) {
  const std::vector<int64_t>& owners = c.errors.owners();
  if (owners.empty()) return;
  cuda::synchronize(device_);
  for (size_t k = 0; k < owners.size(); k++) {
    const unsigned long long v = c.words.host[k];
    if (v == ~0ULL) continue;
    const size_t op = static_cast<size_t>(owners[k]);
    throw std::out_of_range(std::string("replay: ") + ops_[op].name + " met an index out of range at position " +
                            std::to_string(v) + " (op " + std::to_string(op) + " of " + std::to_string(ops_.size()) +
                            ", on " + device_name(device_) + (c.graph ? " in a CUDA graph" : "") +
                            "; the inputs differ from what the program was captured for)");
  }
}

}  // namespace gmeta
