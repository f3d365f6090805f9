#include "host_cache.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace gmeta {

namespace {

constexpr size_t kAlign = 64;
constexpr size_t kCachedMin = size_t{64} << 10;
constexpr size_t kPage = 4096;

// Large blocks are rounded to whole pages so that nearby sizes share a free list.
size_t rounded(size_t bytes) {
  if (bytes < kCachedMin) return (bytes + kAlign - 1) / kAlign * kAlign;
  return (bytes + kPage - 1) / kPage * kPage;
}

struct Cache {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free_lists;
  size_t cached = 0;
  size_t limit = 0;

  Cache() {
    const char* env = std::getenv("GMETA_HOST_CACHE_MB");
    const long long mb = env ? std::atoll(env) : 1024;
    limit = static_cast<size_t>(mb < 0 ? 0 : mb) << 20;
  }
};

Cache& cache() {
  // Leaked on purpose: blocks may be freed by finalizers that run during process teardown.
  static Cache* c = new Cache();
  return *c;
}

void* system_alloc(size_t size, bool zero) {
  void* p = nullptr;
  if (zero) {
    // calloc of a large block maps fresh zero pages: no memset pass.
    p = std::calloc(1, size + kAlign);
    if (!p) throw std::bad_alloc();
    // Store the raw pointer just before the aligned block.
    uintptr_t a = (reinterpret_cast<uintptr_t>(p) + sizeof(void*) + kAlign - 1) / kAlign * kAlign;
    reinterpret_cast<void**>(a)[-1] = p;
    return reinterpret_cast<void*>(a);
  }
  p = std::malloc(size + kAlign);
  if (!p) throw std::bad_alloc();
  uintptr_t a = (reinterpret_cast<uintptr_t>(p) + sizeof(void*) + kAlign - 1) / kAlign * kAlign;
  reinterpret_cast<void**>(a)[-1] = p;
  return reinterpret_cast<void*>(a);
}

void system_free(void* a) { std::free(reinterpret_cast<void**>(a)[-1]); }

}  // namespace

void* host_alloc(size_t bytes, bool zero) {
  const size_t size = rounded(bytes == 0 ? 1 : bytes);
  if (size >= kCachedMin) {
    Cache& c = cache();
    void* p = nullptr;
    {
      std::lock_guard<std::mutex> lock(c.mu);
      auto it = c.free_lists.find(size);
      if (it != c.free_lists.end() && !it->second.empty()) {
        p = it->second.back();
        it->second.pop_back();
        c.cached -= size;
      }
    }
    if (p) {
      if (zero) std::memset(p, 0, size);
      return p;
    }
  }
  return system_alloc(size, zero);
}

void host_free(void* p, size_t bytes) {
  if (!p) return;
  const size_t size = rounded(bytes == 0 ? 1 : bytes);
  if (size >= kCachedMin) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.cached + size <= c.limit) {
      c.free_lists[size].push_back(p);
      c.cached += size;
      return;
    }
  }
  system_free(p);
}

size_t host_cache_release() {
  Cache& c = cache();
  std::vector<void*> blocks;
  size_t released = 0;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    for (auto& [size, list] : c.free_lists) {
      blocks.insert(blocks.end(), list.begin(), list.end());
      list.clear();
    }
    released = c.cached;
    c.cached = 0;
  }
  for (void* p : blocks) system_free(p);
  return released;
}

size_t host_cache_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.cached;
}

void host_cache_set_limit(size_t bytes) {
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    c.limit = bytes;
  }
  if (host_cache_bytes() > bytes) host_cache_release();
}

}  // namespace gmeta
