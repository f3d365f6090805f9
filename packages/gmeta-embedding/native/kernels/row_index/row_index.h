// Id → row mapping and deduplication, the per-lookup bookkeeping that runs on every id.
#pragma once

#include <cstdint>

namespace gmeta {

// The documented 64-bit mix (SplitMix64's finaliser) of an id; rows = mix(id) mod rows.
uint64_t mixId(uint64_t id);

// Fixed vocabulary: rows[i] = ids[i], or returns the position of the first id outside
// [0, rows). Hashed: rows[i] = mixId(ids[i]) mod rows. Returns -1 on success.
int64_t mapIds(const int64_t* ids, int64_t n, int64_t rows, bool hash, int32_t* out);

// unique in first-occurrence order and inverse[i] = position of rows[i] in unique;
// returns the unique count. Rows must be non-negative (mapIds guarantees it).
int64_t uniqueInverse(const int32_t* rows, int64_t n, int32_t* unique, int32_t* inverse);

// Whether a deduplicated input is sound: every unique[k] in [0, rows), every inverse[i] in
// [0, u), and, with `dedup`, the unique rows distinct; without it, one row per id in order
// (u == n and inverse the identity). Only says yes or no: the caller names what is wrong.
bool dedupedValid(const int32_t* unique, int64_t u, const int32_t* inverse, int64_t n, int64_t rows, bool dedup);

}  // namespace gmeta
