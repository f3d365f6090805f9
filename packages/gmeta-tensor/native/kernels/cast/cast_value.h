// One rule for casting a value on the CPU and the GPU. Float to integer is undefined in C++
// for NaN and out-of-range values, and the two machines answer differently (x86 gives
// INT_MIN, PTX saturates and gives 0 for NaN), so both use PTX's rule: NaN → 0, values past
// the integer range → its nearest end, others truncate toward zero.
#pragma once
#include <cstdint>
#include <limits>
#include <type_traits>

#include "../common/hd.h"

namespace gmeta {

template <typename O, typename S>
GMETA_HD inline O cast_value(S x) {
  if constexpr (std::is_floating_point_v<S> && std::is_integral_v<O>) {
    if (x != x) return O(0);
    // 2^31 and 2^63 are exact in float and double; anything at or past them saturates.
    constexpr S hi = static_cast<S>(sizeof(O) == 4 ? 2147483648.0 : 9223372036854775808.0);
    if (x >= hi) return sizeof(O) == 4 ? O(INT32_MAX) : O(INT64_MAX);
    if (x < -hi) return sizeof(O) == 4 ? O(INT32_MIN) : O(INT64_MIN);
    return static_cast<O>(x);
  } else {
    return static_cast<O>(x);
  }
}

}  // namespace gmeta
