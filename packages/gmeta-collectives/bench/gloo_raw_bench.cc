// Reference for bench/collectives.bench.ts: the same allReduce (sum) and allToAllV (even
// split, counts exchanged, output allocated per call) written directly against Gloo, no Node. Usage:
//   gloo_raw_bench <rank> <size> <fileStoreDir> <iters> <n>...
// prints "<op> <n> <fastest-round seconds>" for allReduce, allToAllV and allToAllV+keep.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include <gloo/allreduce.h>
#include <gloo/alltoall.h>
#include <gloo/alltoallv.h>
#include <gloo/barrier.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/transport/tcp/device.h>

namespace {

template <typename F>
double fastestSeconds(int iters, const std::shared_ptr<gloo::Context>& ctx, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < iters + 2; i++) {
    gloo::BarrierOptions b(ctx);
    gloo::barrier(b);
    auto t0 = std::chrono::steady_clock::now();
    f();
    auto dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (i >= 2) t.push_back(dt);  // the first two warm up the connections
  }
  std::sort(t.begin(), t.end());
  return t.front();  // the fastest round: least disturbed by other load on the host
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s rank size storeDir iters n...\n", argv[0]);
    return 2;
  }
  try {
    int rank = std::atoi(argv[1]), size = std::atoi(argv[2]), iters = std::atoi(argv[4]);
    gloo::rendezvous::FileStore store(argv[3]);
    gloo::transport::tcp::attr attr;
    attr.hostname = "127.0.0.1";
    auto dev = gloo::transport::tcp::CreateDevice(attr);
    auto ctx = std::make_shared<gloo::rendezvous::Context>(rank, size);
    ctx->connectFullMesh(store, dev);
    std::shared_ptr<gloo::Context> c = ctx;
    uint32_t tag = 1;
    for (int a = 5; a < argc; a++) {
      size_t n = std::strtoull(argv[a], nullptr, 10);
      std::vector<float> data(n, 1.0f);
      double ar = fastestSeconds(iters, c, [&] {
        gloo::AllreduceOptions o(c);
        o.setOutput(data.data(), n);
        o.setReduceFunction(
            static_cast<void (*)(void*, const void*, const void*, size_t)>(&gloo::sum<float>));
        o.setTag(tag++);
        gloo::allreduce(o);
      });
      std::vector<int64_t> counts(size, 0);
      for (int r = 0; r < size; r++) counts[r] = static_cast<int64_t>(n / size + (static_cast<size_t>(r) < n % size));
      // The same work as the Node allToAllV: receivers do not know their counts, so they are
      // exchanged first; the output is allocated per call (fresh) or kept between calls (keep).
      std::vector<float> kept(n);
      auto a2a = [&](bool keep) {
        std::vector<int64_t> recvCounts(size);
        gloo::AlltoallOptions co(c);
        co.setInput(counts.data(), counts.size());
        co.setOutput(recvCounts.data(), recvCounts.size());
        co.setTag(tag++);
        gloo::alltoall(co);
        int64_t total = 0;
        for (auto v : recvCounts) total += v;
        std::vector<float> fresh(keep ? 0 : static_cast<size_t>(total));
        gloo::AlltoallvOptions o(c);
        o.setInput(data.data(), counts);
        o.setOutput(keep ? kept.data() : fresh.data(), recvCounts);
        o.setTag(tag++);
        gloo::alltoallv(o);
      };
      double a2aFresh = fastestSeconds(iters, c, [&] { a2a(false); });
      double a2aKeep = fastestSeconds(iters, c, [&] { a2a(true); });
      if (rank == 0) {
        std::printf("allReduce %zu %.9f\nallToAllV %zu %.9f\nallToAllV+keep %zu %.9f\n", n, ar, n, a2aFresh, n, a2aKeep);
        std::fflush(stdout);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gloo_raw_bench: %s\n", e.what());
    return 1;
  }
}
