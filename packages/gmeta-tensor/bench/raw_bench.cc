// Raw ceilings for the TypeScript benchmarks to compare against: plain cblas_sgemm and
// memcpy, no addon, no JavaScript. Prints one JSON line.
//   gmeta_raw_bench sgemm M N K batch iters threads
//   gmeta_raw_bench memcpy bytes iters
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../native/kernels/matmul/small_gemm.h"

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
               "       gmeta_raw_bench memcpy bytes iters\n"
               "       gmeta_raw_bench small M N K ta tb batch iters\n");
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

// One batch of op(A)·op(B) through OpenBLAS and through the small-GEMM kernel, one thread,
// with the largest difference between the two; how the threshold in matmul_cpu.cc is chosen.
int small(char** argv) {
  const long m = std::atol(argv[2]), n = std::atol(argv[3]), k = std::atol(argv[4]);
  const bool ta = std::atoi(argv[5]) != 0, tb = std::atoi(argv[6]) != 0;
  const long batch = std::atol(argv[7]);
  const int iters = std::atoi(argv[8]);
  if (m <= 0 || n <= 0 || k <= 0 || batch <= 0 || iters <= 0) return usage();
  openblas_set_num_threads(1);
  std::vector<float> a(m * k * batch), b(k * n * batch), c1(m * n * batch), c2(m * n * batch);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 13) * 0.01f - 0.05f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i % 7) * 0.02f - 0.06f;
  std::vector<float> scratch(static_cast<size_t>(gmeta::small_sgemm_scratch(m, n, k)));
  const double blas = median_seconds(iters, [&] {
    for (long i = 0; i < batch; ++i)
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                  a.data() + i * m * k, ta ? m : k, b.data() + i * k * n, tb ? k : n, 0.0f, c1.data() + i * m * n, n);
  });
  const double mine = median_seconds(iters, [&] {
    for (long i = 0; i < batch; ++i)
      gmeta::small_sgemm(m, n, k, ta, tb, a.data() + i * m * k, ta ? m : k, b.data() + i * k * n, c2.data() + i * m * n, false,
                         scratch.data());
  });
  double diff = 0;
  for (size_t i = 0; i < c1.size(); ++i) diff = std::max(diff, static_cast<double>(std::abs(c1[i] - c2[i])));
  const double f = 2.0 * m * n * k * batch / 1e9;
  std::printf("{\"openblas_gflops\":%.4g,\"small_gflops\":%.4g,\"ratio\":%.3g,\"max_abs_diff\":%.3g}\n", f / blas,
              f / mine, blas / mine, diff);
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
  if (argc >= 9 && std::string(argv[1]) == "small") return small(argv);
  return usage();
}
