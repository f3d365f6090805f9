#include "thread_pool.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace gmeta {

namespace {

thread_local bool t_in_pool = false;

// A replay issues kernels microseconds apart: a worker that stays awake this long after a job
// takes the next one without a futex wake-up, and the caller waits for check-ins the same way.
// It yields while it waits, so a busy machine's other work still gets the core. One
// millisecond outlasts the gap between two steps' replays (the lookup, the sparse update and
// Adam run in between), so a training step does not start with a wake-up; libgomp's default
// spin is of the same order.
constexpr auto kSpin = std::chrono::microseconds(1000);

class ThreadPool {
 public:
  explicit ThreadPool(int threads) : threads_(std::max(1, threads)) {
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      stop_flag_.store(true);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

  int threads() const { return threads_; }

  void run(int64_t ntasks, const std::function<void(int64_t)>& fn) {
    std::lock_guard<std::mutex> job_lock(job_mutex_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = &fn;
      ntasks_ = ntasks;
      next_.store(0);
      error_ = nullptr;
      // Every worker checks in for every job, so no worker can still be reading this job's
      // state when the next one is installed.
      active_.store(static_cast<int>(workers_.size()));
      generation_.fetch_add(1, std::memory_order_release);
    }
    if (sleeping_.load(std::memory_order_acquire) > 0) wake_.notify_all();
    run_tasks();
    const auto t0 = std::chrono::steady_clock::now();
    while (active_.load(std::memory_order_acquire) != 0 && std::chrono::steady_clock::now() - t0 < kSpin) std::this_thread::yield();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return active_.load() == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_tasks() {
    bool was_in_pool = t_in_pool;
    t_in_pool = true;
    for (;;) {
      int64_t task = next_.fetch_add(1);
      if (task >= ntasks_) break;
      try {
        (*fn_)(task);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
    t_in_pool = was_in_pool;
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      const auto t0 = std::chrono::steady_clock::now();
      while (generation_.load(std::memory_order_acquire) == seen && !stop_flag_.load(std::memory_order_acquire) &&
             std::chrono::steady_clock::now() - t0 < kSpin)
        std::this_thread::yield();
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!stop_ && generation_.load() == seen) {
          sleeping_.fetch_add(1);
          wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
          sleeping_.fetch_sub(1);
        }
        if (stop_) return;
        seen = generation_.load();
      }
      run_tasks();
      if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  bool stop_ = false;
  std::atomic<bool> stop_flag_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> active_{0};
  // Workers blocked on wake_; a job wakes them only when some are (a spinning one sees it).
  std::atomic<int> sleeping_{0};
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t ntasks_ = 0;
  std::atomic<int64_t> next_{0};
  std::exception_ptr error_;
};

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::mutex g_pool_mutex;
// Shared so a job that is running keeps its pool alive while another thread resizes.
std::shared_ptr<ThreadPool> g_pool;

// GEMMs are spread over this pool (matmul_cpu.cc), so OpenBLAS stays on one thread: its own
// threads would spin on the same cores between calls.
std::shared_ptr<ThreadPool> make_pool(int n) {
  openblas_set_num_threads(1);
  return std::make_shared<ThreadPool>(n);
}

std::shared_ptr<ThreadPool> pool() {
  std::lock_guard<std::mutex> lock(g_pool_mutex);
  if (!g_pool) g_pool = make_pool(default_threads());
  return g_pool;
}

}  // namespace

void set_num_threads(int n) {
  n = std::max(1, n);
  {
    auto fresh = make_pool(n);
    std::lock_guard<std::mutex> lock(g_pool_mutex);
    g_pool = std::move(fresh);
  }
}

int num_threads() { return pool()->threads(); }

void parallel_tasks(int64_t ntasks, const std::function<void(int64_t)>& fn) {
  if (ntasks <= 0) return;
  std::shared_ptr<ThreadPool> p = t_in_pool ? nullptr : pool();
  if (ntasks == 1 || !p || p->threads() == 1) {
    for (int64_t t = 0; t < ntasks; ++t) fn(t);
    return;
  }
  p->run(ntasks, fn);
}

void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn) {
  int64_t n = end - begin;
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int64_t pieces = std::min<int64_t>((n + grain - 1) / grain, t_in_pool ? 1 : num_threads());
  if (pieces <= 1) {
    fn(begin, end);
    return;
  }
  parallel_tasks(pieces, [&](int64_t p) {
    int64_t lo = begin + n * p / pieces;
    int64_t hi = begin + n * (p + 1) / pieces;
    if (lo < hi) fn(lo, hi);
  });
}

}  // namespace gmeta
