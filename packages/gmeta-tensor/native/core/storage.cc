#include "storage.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "alloc_stats.h"
#include "cuda_api.h"
#include "device.h"
#include "host_cache.h"

namespace gmeta {

Buffer::Buffer(size_t bytes, int device, bool zero) : bytes_(bytes), device_(device) {
  if (device != kCpu) {
    data_ = cuda::alloc(device, bytes);
    if (zero) {
      try {
        cuda::zero(device, data_, bytes);
      } catch (...) {
        // The constructor fails, so no destructor will return the block: return it here.
        cuda::free(device, data_, bytes);
        throw;
      }
    }
    alloc_stats_add(device_, static_cast<int64_t>(bytes_));
    return;
  }
  try {
    data_ = host_alloc(bytes, zero);
  } catch (const std::bad_alloc&) {
    throw std::runtime_error("Storage: could not allocate " + std::to_string(bytes) + " bytes on " +
                             device_name(device));
  }
  alloc_stats_add(device_, static_cast<int64_t>(bytes_));
}

Buffer::Buffer(std::shared_ptr<Buffer> parent, size_t offset, size_t bytes)
    : data_(static_cast<char*>(parent->data()) + offset), bytes_(bytes), device_(parent->device_),
      parent_(std::move(parent)) {}

void Buffer::retarget(std::shared_ptr<Buffer> parent, size_t offset) {
  if (!parent_) throw std::logic_error("Buffer::retarget: only a window can be pointed elsewhere");
  if (parent->device_ != device_ || offset + bytes_ > parent->bytes_)
    throw std::logic_error("Buffer::retarget: the window does not fit its new parent");
  data_ = static_cast<char*>(parent->data()) + offset;
  parent_ = std::move(parent);
}

Buffer::~Buffer() {
  if (parent_) return;
  if (device_ != kCpu)
    cuda::free(device_, data_, bytes_);
  else
    host_free(data_, bytes_);
  alloc_stats_add(device_, -static_cast<int64_t>(bytes_));
}

Storage::Storage(DType dtype, int64_t numel, int device, bool zero)
    : dtype_(dtype), numel_(numel), device_(device) {
  if (numel < 0) throw std::invalid_argument("Storage: expected numel >= 0");
  // Far above any real memory; keeps numel * element size and the padding from overflowing.
  if (numel > (int64_t{1} << 56))
    throw std::invalid_argument("Storage: numel " + std::to_string(numel) + " is too large");
  buffer_ = std::make_shared<Buffer>(byte_length(), device, zero);
}

void* Storage::data() const {
  if (!buffer_) throw std::runtime_error("storage used after dispose");
  return buffer_->data();
}

std::shared_ptr<Buffer> Storage::buffer() const {
  if (!buffer_) throw std::runtime_error("storage used after dispose");
  return buffer_;
}

void copy_storage(Storage& dst, const Storage& src) {
  if (dst.dtype() != src.dtype() || dst.numel() != src.numel())
    throw std::invalid_argument("copy: expected dst and src of one dtype and numel");
  const size_t bytes = dst.byte_length();
  if (bytes == 0) return;
  void* d = dst.data();
  const void* s = src.data();
  if (dst.device() == kCpu && src.device() == kCpu) {
    std::memmove(d, s, bytes);
  } else if (dst.device() == kCpu) {
    cuda::copy_to_host(src.device(), d, s, bytes);
  } else if (src.device() == kCpu) {
    cuda::copy_from_host(dst.device(), d, s, bytes);
  } else {
    cuda::copy_device(dst.device(), d, src.device(), s, bytes);
  }
}

}  // namespace gmeta
