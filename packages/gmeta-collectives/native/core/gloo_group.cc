#include "gloo_group.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <thread>

#include <gloo/allgather.h>
#include <gloo/allgatherv.h>
#include <gloo/allreduce.h>
#include <gloo/alltoall.h>
#include <gloo/alltoallv.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/transport/tcp/device.h>

#include "check.h"
#include "tcp_store.h"

namespace gmeta {
namespace {

// Gloo wants a real address even for empty buffers; zero-length transfers never touch it.
char gEmpty[8];
void* orEmpty(void* p, size_t bytes) { return bytes == 0 || p == nullptr ? gEmpty : p; }

void mkdirs(const std::string& path) {
  std::string cur;
  std::stringstream ss(path);
  std::string part;
  if (!path.empty() && path[0] == '/') cur = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    cur += part + "/";
    if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) {
      throwAt(__FILE__, __LINE__, "FileStore: cannot create " + cur + ": " + std::strerror(errno));
    }
  }
}

// A FileStore directory left by an earlier job with the same id makes Gloo read stale
// addresses and abort the process; claim this rank's slot with O_EXCL first so reuse turns
// into an ordinary error instead.
void claimFileSlot(const std::string& dir, int rank) {
  std::string marker = dir + "/.gmeta-rank-" + std::to_string(rank);
  int fd = ::open(marker.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    throwAt(__FILE__, __LINE__,
            "FileStore: " + dir + " already holds rank " + std::to_string(rank) +
                " of an earlier job; give each job a fresh jobId (or remove the folder)");
  }
  GMETA_CHECK(fd >= 0, "FileStore: cannot create " << marker << ": " << std::strerror(errno));
  ::close(fd);
}

template <typename T>
void divideInPlace(void* data, size_t n, int by) {
  T* p = static_cast<T*>(data);
  for (size_t i = 0; i < n; i++) p[i] /= static_cast<T>(by);
}

}  // namespace

GlooGroup::GlooGroup(const GroupOptions& o) : rank_(o.rank), size_(o.size), timeout_(o.timeout) {
  GMETA_CHECK(o.size >= 1, "world size must be at least 1, got " << o.size);
  GMETA_CHECK(o.rank >= 0 && o.rank < o.size, "rank " << o.rank << " outside [0, " << o.size << ")");
  if (!o.storeHost.empty()) {
    tcpStore_ = std::make_shared<TcpStore>(o.storeHost, o.storePort, o.token, o.rank, o.timeout);
    store_ = std::make_unique<gloo::rendezvous::PrefixStore>(o.jobId, *tcpStore_);
  } else {
    GMETA_CHECK(!o.filePath.empty(), "no store given (TCP host or FileStore path)");
    std::string dir = o.filePath + "/" + o.jobId;
    mkdirs(dir);
    claimFileSlot(dir, o.rank);
    GMETA_GLOO_CALL("FileStore", baseStore_ = std::make_unique<gloo::rendezvous::FileStore>(dir));
    store_ = std::make_unique<gloo::rendezvous::PrefixStore>("gloo", *baseStore_);
  }
  gloo::transport::tcp::attr attr;
  attr.hostname = o.hostname;
  std::shared_ptr<gloo::transport::Device> dev;
  GMETA_GLOO_CALL("init (tcp device on " + o.hostname + ")",
                  dev = gloo::transport::tcp::CreateDevice(attr));
  auto ctx = std::make_shared<gloo::rendezvous::Context>(o.rank, o.size);
  ctx->setTimeout(o.timeout);
  GMETA_GLOO_CALL("init (rendezvous of " + std::to_string(o.size) + " ranks)",
                  ctx->connectFullMesh(*store_, dev));
  context_ = ctx;
}

GlooGroup::~GlooGroup() = default;

std::string GlooGroup::peerReport() {
  if (!tcpStore_) return "peer unknown (a FileStore cannot tell which rank is gone)";
  // The store sees a dead rank's socket close at about the same time we see the collective
  // fail; give it a moment before concluding that nobody is gone.
  std::vector<int> gone;
  for (int i = 0; i < 10 && gone.empty(); i++) {
    try {
      gone = tcpStore_->goneRanks();
    } catch (const std::exception& e) {
      return std::string("peer unknown: the store is unreachable too (") + e.what() +
             "); the process hosting it (launcher or rank 0) is likely gone";
    }
    if (gone.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (gone.empty()) {
    std::vector<std::pair<int, uint32_t>> silent;
    try {
      silent = tcpStore_->silentRanks();
    } catch (const std::exception&) {
      // A store without heartbeats: nothing more to tell.
    }
    std::ostringstream os;
    for (size_t i = 0; i < silent.size(); i++) {
      if (silent[i].first == rank_) continue;
      os << (os.tellp() > 0 ? "; " : "") << "peer rank " << silent[i].first << " stopped answering (no heartbeat for "
         << (silent[i].second / 100) / 10.0 << " s: stopped, frozen or starved)";
    }
    if (os.tellp() > 0) return os.str();
    return "no peer has left the job and every peer still sends heartbeats: a peer is stuck or slow";
  }
  std::ostringstream os;
  os << "peer rank" << (gone.size() > 1 ? "s " : " ");
  for (size_t i = 0; i < gone.size(); i++) os << (i ? ", " : "") << gone[i];
  os << (gone.size() > 1 ? " are" : " is") << " gone";
  return os.str();
}

template <typename F>
void GlooGroup::guarded(const char* op, F&& f) {
  GMETA_CHECK(context_, op << ": process group is closed");
  try {
    f();
  } catch (const std::exception& e) {
    std::ostringstream os;
    os << op << " failed on rank " << rank_ << ": " << peerReport() << " (" << e.what() << ")";
    throwAt(__FILE__, __LINE__, os.str());
  }
}

void GlooGroup::allReduce(void* data, size_t n, DType t, ReduceOp op) {
  GMETA_CHECK(op != ReduceOp::Mean || isFloating(t), "allReduce: mean needs a floating dtype");
  // One rank: the sum, mean, max and min of one input are the input itself.
  if (n == 0 || size_ == 1) return;
  guarded("allReduce", [&] {
    dispatchDType(t, [&](auto zero) {
      using T = decltype(zero);
      gloo::AllreduceOptions opts(context_);
      opts.setOutput(static_cast<T*>(data), n);
      opts.setTag(nextTag());
      opts.setTimeout(timeout_);
      void (*fn)(void*, const void*, const void*, size_t) = &gloo::sum<T>;
      if (op == ReduceOp::Max) fn = &gloo::max<T>;
      if (op == ReduceOp::Min) fn = &gloo::min<T>;
      opts.setReduceFunction(fn);
      gloo::allreduce(opts);
      if (op == ReduceOp::Mean) divideInPlace<T>(data, n, size_);
      return 0;
    });
  });
}

std::vector<int64_t> GlooGroup::exchangeCounts(const std::vector<int64_t>& sendCounts) {
  GMETA_CHECK(static_cast<int>(sendCounts.size()) == size_,
              "allToAllV: expected " << size_ << " send counts, got " << sendCounts.size());
  std::vector<int64_t> in(sendCounts), out(size_, 0);
  if (size_ == 1) return in;
  guarded("allToAllV (count exchange)", [&] {
    gloo::AlltoallOptions opts(context_);
    opts.setInput(in.data(), in.size());
    opts.setOutput(out.data(), out.size());
    opts.setTag(nextTag());
    opts.setTimeout(timeout_);
    gloo::alltoall(opts);
  });
  return out;
}

void GlooGroup::allToAllV(const void* send, const std::vector<int64_t>& sendCounts, void* recv,
                          const std::vector<int64_t>& recvCounts, DType t) {
  GMETA_CHECK(static_cast<int>(sendCounts.size()) == size_ &&
                  static_cast<int>(recvCounts.size()) == size_,
              "allToAllV: expected " << size_ << " counts per side");
  const size_t es = elementSize(t);
  int64_t sendTotal = 0, recvTotal = 0;
  for (auto c : sendCounts) sendTotal += c;
  for (auto c : recvCounts) recvTotal += c;
  if (size_ == 1) {
    if (sendTotal > 0) std::memcpy(recv, send, static_cast<size_t>(sendTotal) * es);
    return;
  }
  guarded("allToAllV", [&] {
    gloo::AlltoallvOptions opts(context_);
    // Gloo's alltoallv is untyped underneath; bytes keep one code path for all dtypes.
    std::vector<int64_t> sendBytes(sendCounts), recvBytes(recvCounts);
    for (auto& c : sendBytes) c *= static_cast<int64_t>(es);
    for (auto& c : recvBytes) c *= static_cast<int64_t>(es);
    opts.setInput(static_cast<char*>(orEmpty(const_cast<void*>(send), sendTotal * es)), sendBytes);
    opts.setOutput(static_cast<char*>(orEmpty(recv, recvTotal * es)), recvBytes);
    opts.setTag(nextTag());
    opts.setTimeout(timeout_);
    gloo::alltoallv(opts);
  });
}

std::vector<int64_t> GlooGroup::gatherCounts(int64_t n, const std::string& op) {
  std::vector<int64_t> out(size_, n);
  if (size_ == 1) return out;
  guarded((op + " (count exchange)").c_str(), [&] {
    gloo::AllgatherOptions opts(context_);
    opts.setInput(&n, 1);
    opts.setOutput(out.data(), out.size());
    opts.setTag(nextTag());
    opts.setTimeout(timeout_);
    gloo::allgather(opts);
  });
  return out;
}

void GlooGroup::allGatherV(const void* send, size_t n, void* recv,
                           const std::vector<int64_t>& counts, DType t) {
  GMETA_CHECK(static_cast<int>(counts.size()) == size_, "allGatherV: expected " << size_ << " counts");
  GMETA_CHECK(counts[rank_] == static_cast<int64_t>(n), "allGatherV: own count mismatch");
  const size_t es = elementSize(t);
  size_t total = 0;
  for (auto c : counts) total += static_cast<size_t>(c);
  if (size_ == 1) {
    if (n > 0) std::memcpy(recv, send, n * es);
    return;
  }
  if (total == 0) return;
  guarded("allGatherV", [&] {
    gloo::AllgathervOptions opts(context_);
    std::vector<size_t> bytes;
    for (auto c : counts) bytes.push_back(static_cast<size_t>(c) * es);
    opts.setInput(static_cast<char*>(orEmpty(const_cast<void*>(send), n * es)), n * es);
    opts.setOutput(static_cast<char*>(recv), bytes);
    opts.setTag(nextTag());
    opts.setTimeout(timeout_);
    gloo::allgatherv(opts);
  });
}

void GlooGroup::broadcast(void* data, size_t n, DType t, int root) {
  GMETA_CHECK(root >= 0 && root < size_, "broadcast: root " << root << " outside [0, " << size_ << ")");
  if (n == 0 || size_ == 1) return;
  const size_t es = elementSize(t);
  guarded("broadcast", [&] {
    gloo::BroadcastOptions opts(context_);
    // In place: the root's output buffer doubles as its input.
    opts.setOutput(static_cast<char*>(data), n * es);
    opts.setRoot(root);
    opts.setTag(nextTag());
    opts.setTimeout(timeout_);
    gloo::broadcast(opts);
  });
}

void GlooGroup::barrier() {
  if (size_ == 1) return;
  guarded("barrier", [&] {
    gloo::BarrierOptions opts(context_);
    opts.setTag(nextTag());
    opts.setTimeout(timeout_);
    gloo::barrier(opts);
  });
}

}  // namespace gmeta
