// MPI twin of gloo_raw_bench: run as  mpirun -np N mpi_raw_bench <iters> <n>...
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int iters = argc > 1 ? std::atoi(argv[1]) : 5;
  auto fastest = [&](auto&& f) {
    std::vector<double> t;
    for (int i = 0; i < iters + 2; i++) {
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = MPI_Wtime();
      f();
      if (i >= 2) t.push_back(MPI_Wtime() - t0);
    }
    std::sort(t.begin(), t.end());
    return t.front();  // the fastest round: least disturbed by other load on the host
  };
  for (int a = 2; a < argc; a++) {
    int n = std::atoi(argv[a]);
    std::vector<float> data(n, 1.0f);
    double ar = fastest([&] { MPI_Allreduce(MPI_IN_PLACE, data.data(), n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); });
    std::vector<int> counts(size), displs(size);
    for (int r = 0, off = 0; r < size; r++) {
      counts[r] = n / size + (r < n % size);
      displs[r] = off;
      off += counts[r];
    }
    // Like the Node allToAllV: exchange counts, then move the data into an output allocated
    // per call (fresh) or kept between calls (keep).
    std::vector<float> kept(n);
    auto a2a = [&](bool keep) {
      std::vector<long long> sc(counts.begin(), counts.end()), rc(size);
      MPI_Alltoall(sc.data(), 1, MPI_LONG_LONG, rc.data(), 1, MPI_LONG_LONG, MPI_COMM_WORLD);
      std::vector<int> rcounts(size), rdispls(size);
      int total = 0;
      for (int r = 0; r < size; r++) {
        rcounts[r] = static_cast<int>(rc[r]);
        rdispls[r] = total;
        total += rcounts[r];
      }
      std::vector<float> fresh(keep ? 0 : total);
      MPI_Alltoallv(data.data(), counts.data(), displs.data(), MPI_FLOAT, keep ? kept.data() : fresh.data(),
                    rcounts.data(), rdispls.data(), MPI_FLOAT, MPI_COMM_WORLD);
    };
    double a2aFresh = fastest([&] { a2a(false); });
    double a2aKeep = fastest([&] { a2a(true); });
    if (rank == 0) {
      std::printf("allReduce %d %.9f\nallToAllV %d %.9f\nallToAllV+keep %d %.9f\n", n, ar, n, a2aFresh, n, a2aKeep);
      std::fflush(stdout);
    }
  }
  MPI_Finalize();
  return 0;
}
