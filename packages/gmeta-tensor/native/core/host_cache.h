// A caching allocator for host memory. Freed blocks of 64 KiB and more are kept in per-size
// free lists and handed out again, so the steady state of a training loop (the same shapes
// every step) makes no system calls and takes no page faults. Small blocks go to malloc,
// which already recycles them well.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gmeta {

// Returns a 64-byte aligned block of at least `bytes`; zeroed when `zero` is true.
void* host_alloc(size_t bytes, bool zero);
// Gives a block from host_alloc back (to the cache, or to the system past the cache limit).
void host_free(void* p, size_t bytes);
// Frees every cached block; returns the bytes released.
size_t host_cache_release();
// Bytes currently held in the cache (not in use).
size_t host_cache_bytes();
// Upper bound on cached bytes (default 1 GiB, or GMETA_HOST_CACHE_MB).
void host_cache_set_limit(size_t bytes);

}  // namespace gmeta
