// A dtype-tagged block of memory. The bytes live in a shared Buffer so zero-copy views can
// outlive dispose(): the memory goes back when the last owner lets go.
#pragma once
#include <cstdint>
#include <memory>

#include "dtype.h"

namespace gmeta {

class Buffer {
 public:
  // Memory is zeroed when `zero` is set; kernels that overwrite every element skip it.
  Buffer(size_t bytes, int device, bool zero);
  // A window of `bytes` at `offset` into `parent`'s memory (a program's arena): frees nothing.
  Buffer(std::shared_ptr<Buffer> parent, size_t offset, size_t bytes);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  // Points a window at `offset` into another parent (an arena that was replaced by a larger one).
  void retarget(std::shared_ptr<Buffer> parent, size_t offset);
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  int device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  int device_;
  std::shared_ptr<Buffer> parent_;
};

class Storage {
 public:
  Storage(DType dtype, int64_t numel, int device, bool zero = true);
  // A storage over existing memory (a program rebinding a temporary into its arena).
  Storage(DType dtype, int64_t numel, int device, std::shared_ptr<Buffer> buffer)
      : dtype_(dtype), numel_(numel), device_(device), buffer_(std::move(buffer)) {}

  DType dtype() const { return dtype_; }
  int64_t numel() const { return numel_; }
  size_t byte_length() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }
  int device() const { return device_; }
  bool disposed() const { return !buffer_; }

  // Throws "storage used after dispose" once disposed.
  void* data() const;
  template <typename T>
  T* ptr() const { return static_cast<T*>(data()); }
  std::shared_ptr<Buffer> buffer() const;
  void dispose() { buffer_.reset(); }

 private:
  DType dtype_;
  int64_t numel_;
  int device_;
  std::shared_ptr<Buffer> buffer_;
};

// dst = src across any two devices (host <-> device copies return once the bytes landed).
void copy_storage(Storage& dst, const Storage& src);

}  // namespace gmeta
