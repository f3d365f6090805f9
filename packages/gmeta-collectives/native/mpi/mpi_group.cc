#include "mpi_group.h"

#include <mpi.h>

#include <climits>
#include <cstring>
#include <string>

#include "../core/check.h"

// MPI returns codes (we set MPI_ERRORS_RETURN); this turns one into an exception naming the
// call, the file and the line.
#define GMETA_MPI_CHECK(op, expr)                                            \
  do {                                                                       \
    int gmeta_rc_ = (expr);                                                  \
    if (gmeta_rc_ != MPI_SUCCESS) {                                          \
      char gmeta_msg_[MPI_MAX_ERROR_STRING];                                 \
      int gmeta_len_ = 0;                                                    \
      MPI_Error_string(gmeta_rc_, gmeta_msg_, &gmeta_len_);                  \
      ::gmeta::throwAt(__FILE__, __LINE__,                                   \
                       std::string(op) + ": " + std::string(gmeta_msg_, gmeta_len_)); \
    }                                                                        \
  } while (0)

namespace gmeta {
namespace {

MPI_Datatype mpiType(DType t) {
  switch (t) {
    case DType::Float32: return MPI_FLOAT;
    case DType::Float64: return MPI_DOUBLE;
    case DType::Int32: return MPI_INT32_T;
    case DType::Int64: return MPI_INT64_T;
  }
  return MPI_BYTE;
}

MPI_Op mpiOp(ReduceOp op) {
  switch (op) {
    case ReduceOp::Max: return MPI_MAX;
    case ReduceOp::Min: return MPI_MIN;
    default: return MPI_SUM;
  }
}

// MPI counts and displacements are int: refuse what does not fit instead of truncating.
int toInt(int64_t v, const char* what) {
  GMETA_CHECK(v >= 0 && v <= INT_MAX, what << ": " << v << " elements exceed MPI's int counts");
  return static_cast<int>(v);
}

void countsAndDispls(const std::vector<int64_t>& c, std::vector<int>& counts,
                     std::vector<int>& displs, const char* what) {
  int64_t off = 0;
  for (auto v : c) {
    counts.push_back(toInt(v, what));
    displs.push_back(toInt(off, what));
    off += v;
  }
}

char gEmpty[8];
void* orEmpty(void* p) { return p == nullptr ? gEmpty : p; }

}  // namespace

MpiGroup::MpiGroup() {
  int inited = 0;
  MPI_Initialized(&inited);
  if (!inited) {
    int provided = 0;
    GMETA_MPI_CHECK("MPI_Init_thread", MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided));
    GMETA_CHECK(provided >= MPI_THREAD_SERIALIZED,
                "MPI: the library gives thread level " << provided << ", SERIALIZED is needed");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

void MpiGroup::finalize() {
  int inited = 0, finalized = 0;
  MPI_Initialized(&inited);
  MPI_Finalized(&finalized);
  if (inited && !finalized) MPI_Finalize();
}

void MpiGroup::allReduce(void* data, size_t n, DType t, ReduceOp op) {
  GMETA_CHECK(op != ReduceOp::Mean || isFloating(t), "allReduce: mean needs a floating dtype");
  if (n == 0) return;
  GMETA_MPI_CHECK("allReduce", MPI_Allreduce(MPI_IN_PLACE, data, toInt(n, "allReduce"),
                                             mpiType(t), mpiOp(op), MPI_COMM_WORLD));
  if (op == ReduceOp::Mean) {
    dispatchDType(t, [&](auto zero) {
      using T = decltype(zero);
      T* p = static_cast<T*>(data);
      for (size_t i = 0; i < n; i++) p[i] /= static_cast<T>(size_);
      return 0;
    });
  }
}

std::vector<int64_t> MpiGroup::exchangeCounts(const std::vector<int64_t>& sendCounts) {
  GMETA_CHECK(static_cast<int>(sendCounts.size()) == size_, "allToAllV: expected " << size_ << " send counts");
  std::vector<int64_t> out(size_);
  GMETA_MPI_CHECK("allToAllV (count exchange)",
                  MPI_Alltoall(sendCounts.data(), 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, MPI_COMM_WORLD));
  return out;
}

void MpiGroup::allToAllV(const void* send, const std::vector<int64_t>& sendCounts, void* recv,
                         const std::vector<int64_t>& recvCounts, DType t) {
  std::vector<int> sc, sd, rc, rd;
  countsAndDispls(sendCounts, sc, sd, "allToAllV");
  countsAndDispls(recvCounts, rc, rd, "allToAllV");
  GMETA_MPI_CHECK("allToAllV",
                  MPI_Alltoallv(orEmpty(const_cast<void*>(send)), sc.data(), sd.data(), mpiType(t),
                                orEmpty(recv), rc.data(), rd.data(), mpiType(t), MPI_COMM_WORLD));
}

std::vector<int64_t> MpiGroup::gatherCounts(int64_t n, const std::string& op) {
  std::vector<int64_t> out(size_);
  GMETA_MPI_CHECK(op + " (count exchange)",
                  MPI_Allgather(&n, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, MPI_COMM_WORLD));
  return out;
}

void MpiGroup::allGatherV(const void* send, size_t n, void* recv, const std::vector<int64_t>& counts,
                          DType t) {
  std::vector<int> rc, rd;
  countsAndDispls(counts, rc, rd, "allGatherV");
  GMETA_MPI_CHECK("allGatherV",
                  MPI_Allgatherv(orEmpty(const_cast<void*>(send)), toInt(n, "allGatherV"), mpiType(t),
                                 orEmpty(recv), rc.data(), rd.data(), mpiType(t), MPI_COMM_WORLD));
}

void MpiGroup::broadcast(void* data, size_t n, DType t, int root) {
  GMETA_CHECK(root >= 0 && root < size_, "broadcast: root " << root << " outside [0, " << size_ << ")");
  if (n == 0) return;
  GMETA_MPI_CHECK("broadcast", MPI_Bcast(data, toInt(n, "broadcast"), mpiType(t), root, MPI_COMM_WORLD));
}

void MpiGroup::barrier() { GMETA_MPI_CHECK("barrier", MPI_Barrier(MPI_COMM_WORLD)); }

}  // namespace gmeta
