#pragma once
#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void fill_cpu(Storage& out, double value);

inline void fill(Storage& out, double value) {
  require_cpu("fill", out.device());
  fill_cpu(out, value);
}

}  // namespace gmeta
