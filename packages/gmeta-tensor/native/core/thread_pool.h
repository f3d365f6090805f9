// A small fixed pool shared by all CPU kernels. The calling thread works too, and a
// parallel_for started from inside a task runs inline, so kernels may nest freely.
#pragma once
#include <cstdint>
#include <functional>

namespace gmeta {

// The pool's size, the calling thread included; n < 1 means 1. OpenBLAS is kept on one
// thread: GEMMs are split over this pool instead.
void set_num_threads(int n);
int num_threads();

// Runs fn(lo, hi) over disjoint pieces of [begin, end), each at least `grain` long (except
// when the whole range is shorter). Exceptions from fn reach the caller.
void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn);

// Runs fn(task) for every task in [0, ntasks), spread over the pool.
void parallel_tasks(int64_t ntasks, const std::function<void(int64_t)>& fn);

}  // namespace gmeta
