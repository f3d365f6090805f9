// The one error style of G-Meta's native packages (@gmeta/tensor, collectives, embedding):
// every failure is a C++ exception carrying its source position, which the bindings turn
// into a JS Error; nothing here may terminate the process. Argument errors share one shape,
// "<op>: expected <what> for <name>, got <what>", the same as TypeScript's argError.
// Shipped with @gmeta/tensor; the other packages' builds find it through node's resolution.
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

// "<op>: expected <what> for <name>, got <got>".
inline std::string argMessage(const std::string& op, const std::string& what, const std::string& name,
                              const std::string& got) {
  return op + ": expected " + what + " for " + name + ", got " + got;
}

}  // namespace gmeta

// Streams the message so callers can write GMETA_CHECK(n >= 0, "bad count " << n).
#define GMETA_CHECK(cond, msg)                               \
  do {                                                       \
    if (!(cond)) {                                           \
      std::ostringstream gmeta_os_;                          \
      gmeta_os_ << msg;                                      \
      ::gmeta::throwAt(__FILE__, __LINE__, gmeta_os_.str()); \
    }                                                        \
  } while (0)
