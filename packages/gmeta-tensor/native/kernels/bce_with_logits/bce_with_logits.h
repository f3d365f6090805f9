#pragma once
#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void bce_with_logits_cpu(Storage& out, const Storage& x, const Storage& y);
void bce_with_logits_cuda(Storage& out, const Storage& x, const Storage& y);

inline void bce_with_logits(Storage& out, const Storage& x, const Storage& y) {
  const int device = common_device("bceWithLogits", {out.device(), x.device(), y.device()});
  GMETA_ON_DEVICE("bceWithLogits", device, bce_with_logits_cpu(out, x, y), bce_with_logits_cuda(out, x, y));
}

}  // namespace gmeta
