#include "alloc_stats.h"

#include <mutex>

namespace gmeta {

namespace {
std::mutex g_mutex;
std::map<int, int64_t> g_bytes;
}  // namespace

void alloc_stats_add(int device, int64_t bytes) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_bytes[device] += bytes;
}

std::map<int, int64_t> alloc_stats_snapshot() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_bytes;
}

}  // namespace gmeta
