#pragma once
#include <cstdint>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Codes shared with TypeScript (AddonTypes.ts: RandomKind).
enum class RandomKind : int { Uniform = 0, Normal = 1 };

// Element i is a pure function of (seed, offset + i): results never depend on threads.
void random_cpu(RandomKind kind, Storage& out, uint64_t seed, uint64_t offset, double a, double b);
void random_cuda(RandomKind kind, Storage& out, uint64_t seed, uint64_t offset, double a, double b);

inline void random(RandomKind kind, Storage& out, uint64_t seed, uint64_t offset, double a,
                   double b) {
  const int device = out.device();
  GMETA_ON_DEVICE("random", device, random_cpu(kind, out, seed, offset, a, b), random_cuda(kind, out, seed, offset, a, b));
}

}  // namespace gmeta
