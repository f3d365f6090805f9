#pragma once
#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void fill_cpu(Storage& out, double value);
void fill_cuda(Storage& out, double value);

inline void fill(Storage& out, double value) {
  const int device = out.device();
  GMETA_ON_DEVICE("fill", device, fill_cpu(out, value), fill_cuda(out, value));
}

}  // namespace gmeta
