#pragma once
#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void bce_with_logits_cpu(Storage& out, const Storage& x, const Storage& y);

inline void bce_with_logits(Storage& out, const Storage& x, const Storage& y) {
  require_cpu("bceWithLogits", out.device());
  require_cpu("bceWithLogits", x.device());
  require_cpu("bceWithLogits", y.device());
  bce_with_logits_cpu(out, x, y);
}

}  // namespace gmeta
