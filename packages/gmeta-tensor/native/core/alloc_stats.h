// Live-allocation counters per device, so info() can show what storages hold right now.
#pragma once
#include <cstdint>
#include <map>

namespace gmeta {

void alloc_stats_add(int device, int64_t bytes);
std::map<int, int64_t> alloc_stats_snapshot();

}  // namespace gmeta
