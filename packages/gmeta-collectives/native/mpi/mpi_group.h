// The MPI process group: MPI_COMM_WORLD of a job started by mpirun. Same operations and
// calling rules as GlooGroup (one call at a time, same order on every rank). MPI has no
// per-call timeout; under mpirun a dead rank makes mpirun stop the job instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../core/dtype.h"

namespace gmeta {

class MpiGroup {
 public:
  // Initialises MPI once per process (thread level SERIALIZED: calls come from worker threads).
  MpiGroup();
  // Finalises MPI; without it OpenMPI reports a clean exit as a failure.
  static void finalize();

  static constexpr bool kHasTimeout = false;
  int rank() const { return rank_; }
  int size() const { return size_; }

  void allReduce(void* data, size_t n, DType t, ReduceOp op);
  std::vector<int64_t> exchangeCounts(const std::vector<int64_t>& sendCounts);
  void allToAllV(const void* send, const std::vector<int64_t>& sendCounts, void* recv,
                 const std::vector<int64_t>& recvCounts, DType t);
  std::vector<int64_t> gatherCounts(int64_t n, const std::string& op);
  void allGatherV(const void* send, size_t n, void* recv, const std::vector<int64_t>& counts,
                  DType t);
  void broadcast(void* data, size_t n, DType t, int root);
  void barrier();

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace gmeta
