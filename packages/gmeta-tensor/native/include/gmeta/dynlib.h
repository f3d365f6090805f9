// Opening a vendor library at run time (dlopen), shared by tensor's cuBLAS loader and
// collectives' NCCL loader: the same search through an environment variable, the same
// all-or-nothing symbol binding and the same "not found: tried ..." message, so a machine without
// the library builds, loads and says which files it tried and the variable to set.
// Shipped with @gmeta/tensor (native/include); header-only, linked with ${CMAKE_DL_LIBS}.
#pragma once

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace gmeta::dynlib {

inline bool is_dir(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The files to try: with $env_var set, that file, or in that folder each of `names` then
// `unversioned`; else each of `names` through the dynamic loader's usual paths.
inline std::vector<std::string> candidates(const char* env_var, std::initializer_list<const char*> names,
                                           const char* unversioned) {
  std::vector<std::string> out;
  const char* env = std::getenv(env_var);
  if (env && *env) {
    const std::string p = env;
    if (!is_dir(p)) return {p};
    for (const char* n : names) out.push_back(p + "/" + n);
    out.push_back(p + "/" + unversioned);
    return out;
  }
  for (const char* n : names) out.emplace_back(n);
  return out;
}

// Binds entry points of one opened library, remembering the names it lacks.
class Symbols {
 public:
  explicit Symbols(void* lib) : lib_(lib) {}
  template <typename F>
  void bind(const char* name, F& fn) {
    fn = reinterpret_cast<F>(dlsym(lib_, name));
    if (!fn) missing_ += std::string(missing_.empty() ? "" : ", ") + name;
  }
  const std::string& missing() const { return missing_; }

 private:
  void* lib_;
  std::string missing_;
};

struct Opened {
  bool loaded = false;
  std::string path;    // the file that loaded
  std::string reason;  // why none did, when !loaded
};

// Opens the first of `paths` that has every symbol bind_all(Symbols&) asks for (a file lacking
// some is closed again). `what` names the library in the failure message, which lists every file
// tried, the variable to set (to `file`, or its folder) and each loader error.
template <typename BindAll>
Opened open_first(const std::vector<std::string>& paths, const char* what, const char* env_var,
                  const char* file, BindAll&& bind_all) {
  Opened r;
  std::string tried, errors;
  for (const std::string& path : paths) {
    tried += (tried.empty() ? "" : ", ") + path;
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* e = dlerror();
      if (e) errors += std::string("\n  ") + e;
      continue;
    }
    Symbols s(lib);
    bind_all(s);
    if (!s.missing().empty()) {
      errors += "\n  " + path + " lacks " + s.missing();
      dlclose(lib);
      continue;
    }
    r.loaded = true;
    r.path = path;
    return r;
  }
  r.reason = std::string(what) + " not found: tried " + tried + "; set " + env_var + " to " + file +
             " or its folder" + errors;
  return r;
}

// A library's API table and how opening it went, kept for the whole process by its loader.
template <typename Api>
struct Library {
  Opened opened;
  Api api{};
  // The API, or an exception with `prefix` and why the library did not load.
  const Api& get(const std::string& prefix) const {
    if (!opened.loaded) throw std::runtime_error(prefix + opened.reason);
    return api;
  }
};

}  // namespace gmeta::dynlib
