#include "row_index.h"

#include <algorithm>
#include <vector>

namespace gmeta {

uint64_t mixId(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t mapIds(const int64_t* ids, int64_t n, int64_t rows, bool hash, int32_t* out) {
  if (hash) {
    const uint64_t r = static_cast<uint64_t>(rows);
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(mixId(static_cast<uint64_t>(ids[i])) % r);
    return -1;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (ids[i] < 0 || ids[i] >= rows) return i;
    out[i] = static_cast<int32_t>(ids[i]);
  }
  return -1;
}

int64_t uniqueInverse(const int32_t* rows, int64_t n, int32_t* unique, int32_t* inverse) {
  // Open addressing at load <= 1/2: a batch's ids fit in cache, std::unordered_map does not.
  uint64_t cap = 16;
  while (cap < static_cast<uint64_t>(n) * 2) cap <<= 1;
  std::vector<int32_t> keys(cap, -1);
  std::vector<int32_t> slots(cap);
  const uint64_t mask = cap - 1;
  int64_t u = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t key = rows[i];
    uint64_t h = mixId(static_cast<uint64_t>(key)) & mask;
    while (keys[h] != -1 && keys[h] != key) h = (h + 1) & mask;
    if (keys[h] == -1) {
      keys[h] = key;
      slots[h] = static_cast<int32_t>(u);
      unique[u++] = key;
    }
    inverse[i] = slots[h];
  }
  return u;
}

bool dedupedValid(const int32_t* unique, int64_t u, const int32_t* inverse, int64_t n, int64_t rows, bool dedup) {
  for (int64_t k = 0; k < u; ++k)
    if (unique[k] < 0 || unique[k] >= rows) return false;
  for (int64_t i = 0; i < n; ++i)
    if (inverse[i] < 0 || inverse[i] >= u) return false;
  if (!dedup) {
    if (u != n) return false;
    for (int64_t i = 0; i < n; ++i)
      if (inverse[i] != i) return false;
    return true;
  }
  // Distinct: open addressing at load <= 1/2, in a table kept between calls (no allocation
  // per lookup) and cleared over the part this call uses.
  thread_local std::vector<int32_t> keys;
  uint64_t cap = 16;
  while (cap < static_cast<uint64_t>(u) * 2) cap <<= 1;
  if (keys.size() < cap) keys.resize(cap);
  std::fill(keys.begin(), keys.begin() + static_cast<int64_t>(cap), -1);
  const uint64_t mask = cap - 1;
  bool distinct = true;
  for (int64_t k = 0; k < u && distinct; ++k) {
    uint64_t h = mixId(static_cast<uint64_t>(unique[k])) & mask;
    while (keys[h] != -1 && keys[h] != unique[k]) h = (h + 1) & mask;
    distinct = keys[h] == -1;
    keys[h] = unique[k];
  }
  return distinct;
}

}  // namespace gmeta
