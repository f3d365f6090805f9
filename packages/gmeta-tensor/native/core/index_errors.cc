#include "index_errors.h"

#include <stdexcept>

namespace gmeta {

namespace {
thread_local DeferredIndexErrors* t_errors = nullptr;
}  // namespace

unsigned long long* DeferredIndexErrors::word() {
  if (owners_.empty() || owners_.back() != op_) {
    // One word per op at most, and the capacity is the op count.
    if (static_cast<int64_t>(owners_.size()) >= capacity_)
      throw std::logic_error("replay: more index checks than the program has ops");
    owners_.push_back(op_);
  }
  return words_ + (owners_.size() - 1);
}

DeferredIndexErrors* deferred_index_errors() { return t_errors; }

DeferIndexErrors::DeferIndexErrors(DeferredIndexErrors* errors) : prev_(t_errors) { t_errors = errors; }
DeferIndexErrors::~DeferIndexErrors() { t_errors = prev_; }

}  // namespace gmeta
