#pragma once
#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void cast_cpu(Storage& out, const Storage& src);
void cast_cuda(Storage& out, const Storage& src);

inline void cast(Storage& out, const Storage& src) {
  const int device = common_device("cast", {out.device(), src.device()});
  GMETA_ON_DEVICE("cast", device, cast_cpu(out, src), cast_cuda(out, src));
}

}  // namespace gmeta
