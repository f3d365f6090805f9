// Gloo and MPI calls wrapped in the native packages' one error style (gmeta/check.h from
// @gmeta/tensor: gmeta::Error with the source position, GMETA_CHECK); nothing here may
// terminate the process.
#pragma once

#include <gmeta/check.h>

#include <sstream>
#include <string>

// Wraps a Gloo / MPI call: any exception it raises is re-thrown with the call site and the
// operation name prepended, so "Connection closed by peer" says which collective it hit.
#define GMETA_GLOO_CALL(opname, expr)                                              \
  do {                                                                             \
    try {                                                                          \
      expr;                                                                        \
    } catch (const std::exception& gmeta_e_) {                                     \
      std::ostringstream gmeta_os_;                                                \
      gmeta_os_ << opname << ": " << gmeta_e_.what();                              \
      ::gmeta::throwAt(__FILE__, __LINE__, gmeta_os_.str());                       \
    }                                                                              \
  } while (0)
