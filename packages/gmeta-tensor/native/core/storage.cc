#include "storage.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "alloc_stats.h"
#include "device.h"

namespace gmeta {

namespace {
// 64 bytes: one cache line and a full AVX-512 vector, so kernels never split a line.
constexpr size_t kAlign = 64;
}  // namespace

Buffer::Buffer(size_t bytes, int device) : bytes_(bytes), device_(device) {
  require_cpu("Storage", device);
  size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
  if (rounded == 0) rounded = kAlign;
  data_ = std::aligned_alloc(kAlign, rounded);
  if (!data_) throw std::bad_alloc();
  std::memset(data_, 0, rounded);
  alloc_stats_add(device_, static_cast<int64_t>(bytes_));
}

Buffer::~Buffer() {
  std::free(data_);
  alloc_stats_add(device_, -static_cast<int64_t>(bytes_));
}

Storage::Storage(DType dtype, int64_t numel, int device)
    : dtype_(dtype), numel_(numel), device_(device) {
  if (numel < 0) throw std::invalid_argument("Storage: expected numel >= 0");
  buffer_ = std::make_shared<Buffer>(byte_length(), device);
}

void* Storage::data() const {
  if (!buffer_) throw std::runtime_error("storage used after dispose");
  return buffer_->data();
}

std::shared_ptr<Buffer> Storage::buffer() const {
  if (!buffer_) throw std::runtime_error("storage used after dispose");
  return buffer_;
}

}  // namespace gmeta
