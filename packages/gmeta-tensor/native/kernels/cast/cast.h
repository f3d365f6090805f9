#pragma once
#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

void cast_cpu(Storage& out, const Storage& src);

inline void cast(Storage& out, const Storage& src) {
  require_cpu("cast", out.device());
  require_cpu("cast", src.device());
  cast_cpu(out, src);
}

}  // namespace gmeta
