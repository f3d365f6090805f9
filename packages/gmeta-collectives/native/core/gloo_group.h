// One Gloo context (TCP transport) and the collectives G-Meta uses, on raw host memory.
// No Node-API here: the binding copies JS arguments into plain values and calls these from
// a worker thread. Calls on one group must be issued in the same order on every rank and one
// at a time (the TypeScript side queues them).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gloo/context.h>
#include <gloo/rendezvous/store.h>

#include "dtype.h"

namespace gmeta {

class TcpStore;

struct GroupOptions {
  int rank = 0;
  int size = 1;
  std::chrono::milliseconds timeout{120000};
  // Address this rank's Gloo device listens on (loopback for single-host jobs).
  std::string hostname = "127.0.0.1";
  // Exactly one store: TCP (storeHost non-empty) or file (filePath non-empty).
  std::string storeHost;
  int storePort = 0;
  std::string token;
  std::string filePath;
  // Keys of this job live under this prefix, so one store can serve successive jobs.
  std::string jobId = "job";
};

class GlooGroup {
 public:
  explicit GlooGroup(const GroupOptions& opts);
  ~GlooGroup();

  int rank() const { return rank_; }
  int size() const { return size_; }
  static constexpr bool kHasTimeout = true;
  void setTimeout(std::chrono::milliseconds t) { timeout_ = t; }

  void allReduce(void* data, size_t n, DType t, ReduceOp op);
  // Each rank's send count per destination in, its receive count per source out.
  std::vector<int64_t> exchangeCounts(const std::vector<int64_t>& sendCounts);
  void allToAllV(const void* send, const std::vector<int64_t>& sendCounts, void* recv,
                 const std::vector<int64_t>& recvCounts, DType t);
  // Every rank's element count, in rank order; op names the caller's operation in errors.
  std::vector<int64_t> gatherCounts(int64_t n, const std::string& op);
  void allGatherV(const void* send, size_t n, void* recv, const std::vector<int64_t>& counts,
                  DType t);
  void broadcast(void* data, size_t n, DType t, int root);
  void barrier();

 private:
  // Runs a collective; on failure rethrows with the operation and the likely dead peer.
  template <typename F>
  void guarded(const char* op, F&& f);
  std::string peerReport();
  uint32_t nextTag() { return tag_++; }

  int rank_;
  int size_;
  std::chrono::milliseconds timeout_;
  uint32_t tag_ = 1;
  std::shared_ptr<TcpStore> tcpStore_;
  std::unique_ptr<gloo::rendezvous::Store> baseStore_;
  std::unique_ptr<gloo::rendezvous::Store> store_;
  std::shared_ptr<gloo::Context> context_;
};

}  // namespace gmeta
