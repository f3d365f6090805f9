#include "storage.h"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "alloc_stats.h"
#include "device.h"

namespace gmeta {

namespace {
// 64 bytes: one cache line and a full AVX-512 vector, so kernels never split a line.
constexpr size_t kAlign = 64;
}  // namespace

Buffer::Buffer(size_t bytes, int device) : bytes_(bytes), device_(device) {
  require_cpu("Storage", device);
  // calloc rather than aligned_alloc + memset: large blocks come straight from the kernel
  // already zeroed, so a big storage costs no page faults until it is used. Over-allocate
  // by one alignment and round the pointer up.
  raw_ = std::calloc(1, bytes + kAlign);
  if (!raw_)
    throw std::runtime_error("Storage: could not allocate " + std::to_string(bytes) +
                             " bytes on " + device_name(device));
  const uintptr_t p = reinterpret_cast<uintptr_t>(raw_);
  data_ = reinterpret_cast<void*>((p + kAlign - 1) / kAlign * kAlign);
  alloc_stats_add(device_, static_cast<int64_t>(bytes_));
}

Buffer::~Buffer() {
  std::free(raw_);
  alloc_stats_add(device_, -static_cast<int64_t>(bytes_));
}

Storage::Storage(DType dtype, int64_t numel, int device)
    : dtype_(dtype), numel_(numel), device_(device) {
  if (numel < 0) throw std::invalid_argument("Storage: expected numel >= 0");
  // Far above any real memory; keeps numel * element size and the padding from overflowing.
  if (numel > (int64_t{1} << 56))
    throw std::invalid_argument("Storage: numel " + std::to_string(numel) + " is too large");
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
