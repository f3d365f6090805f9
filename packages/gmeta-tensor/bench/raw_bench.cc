// Raw ceilings for the TypeScript benchmarks to compare against: plain cblas_sgemm and
// memcpy, no addon, no JavaScript. Prints one JSON line.
//   gmeta_raw_bench sgemm M N K batch iters threads
//   gmeta_raw_bench memcpy bytes iters
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

constexpr int kWarmup = 2;

double median_seconds(int iters, const std::function<void()>& fn) {
  for (int i = 0; i < kWarmup; ++i) fn();
  std::vector<double> t(static_cast<size_t>(std::max(1, iters)));
  for (double& s : t) {
    auto start = std::chrono::steady_clock::now();
    fn();
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::sort(t.begin(), t.end());
  const size_t n = t.size();
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

int usage() {
  std::fprintf(stderr,
               "usage: gmeta_raw_bench sgemm M N K batch iters threads\n"
               "       gmeta_raw_bench memcpy bytes iters\n");
  return 2;
}

int sgemm(char** argv) {
  const long m = std::atol(argv[2]), n = std::atol(argv[3]), k = std::atol(argv[4]);
  const long batch = std::atol(argv[5]);
  const int iters = std::atoi(argv[6]), threads = std::atoi(argv[7]);
  if (m <= 0 || n <= 0 || k <= 0 || batch <= 0 || iters <= 0 || threads <= 0) return usage();
  openblas_set_num_threads(threads);
  std::vector<float> a(m * k * batch), b(k * n * batch), c(m * n * batch);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 13) * 0.01f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i % 7) * 0.02f;
  const double s = median_seconds(iters, [&] {
    for (long i = 0; i < batch; ++i)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a.data() + i * m * k,
                  k, b.data() + i * k * n, n, 0.0f, c.data() + i * m * n, n);
  });
  const double gflops = 2.0 * m * n * k * batch / s / 1e9;
  std::printf("{\"seconds_median\":%.9g,\"gflops\":%.6g}\n", s, gflops);
  return 0;
}

int memcpy_bench(char** argv) {
  const long bytes = std::atol(argv[2]);
  const int iters = std::atoi(argv[3]);
  if (bytes <= 0 || iters <= 0) return usage();
  std::vector<char> src(bytes, 1), dst(bytes, 0);
  const double s = median_seconds(iters, [&] { std::memcpy(dst.data(), src.data(), bytes); });
  // A copy reads and writes every byte.
  const double gbps = 2.0 * bytes / s / 1e9;
  std::printf("{\"seconds_median\":%.9g,\"gbps\":%.6g}\n", s, gbps);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 8 && std::string(argv[1]) == "sgemm") return sgemm(argv);
  if (argc >= 4 && std::string(argv[1]) == "memcpy") return memcpy_bench(argv);
  return usage();
}
