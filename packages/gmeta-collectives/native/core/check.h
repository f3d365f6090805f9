// Error type and check macros shared by the native code. Every failure is a C++ exception
// carrying the source position, so the binding can turn it into a JS Error; nothing here
// may terminate the process.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace gmeta {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

[[noreturn]] inline void throwAt(const char* file, int line, const std::string& msg) {
  std::ostringstream os;
  os << msg << " (" << file << ":" << line << ")";
  throw Error(os.str());
}

}  // namespace gmeta

// Streams the message so callers can write GMETA_CHECK(n >= 0, "bad count " << n).
#define GMETA_CHECK(cond, msg)                                   \
  do {                                                           \
    if (!(cond)) {                                               \
      std::ostringstream gmeta_os_;                              \
      gmeta_os_ << msg;                                          \
      ::gmeta::throwAt(__FILE__, __LINE__, gmeta_os_.str());     \
    }                                                            \
  } while (0)

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
