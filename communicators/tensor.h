// A minimal contiguous tensor: a dtype, a shape and bytes.
//
// Storage is shared between a tensor and the views made from it (reshape, row slices), as torch's
// views share storage: writing through a view is visible in the base. A tensor may instead be
// *phantom*: it has a dtype and a shape but no bytes, so that large runs cost only what the model
// charges. Copying a Tensor copies the handle, never the bytes; use clone() for a deep copy.
// Not thread-safe; a tensor belongs to one rank.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "communicators/dtype.h"

namespace commsim::comm {

using Shape = std::vector<std::int64_t>;

// Product of the dimensions; 1 for a 0-d shape.
std::int64_t shape_numel(const Shape& shape);

// "[4, 64]"
std::string shape_to_string(const Shape& shape);

class Tensor {
 public:
  // A 0-element float32 tensor of shape [0].
  Tensor();

  // Zero-filled real tensor. REQUIRES: every dimension >= 0.
  static Tensor zeros(DType dtype, Shape shape);
  // Size-only tensor: numel() and nbytes() are real, bytes() is empty.
  static Tensor phantom(DType dtype, Shape shape);
  // Real tensor holding a copy of `bytes`. REQUIRES: bytes.size() == numel * element_size.
  static Tensor from_bytes(DType dtype, Shape shape, std::span<const std::byte> bytes);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::int64_t dim() const { return static_cast<std::int64_t>(shape_.size()); }
  std::int64_t numel() const { return shape_numel(shape_); }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * element_size(dtype_); }
  bool is_phantom() const { return storage_ == nullptr; }

  // The tensor's bytes (empty for phantom tensors).
  std::span<const std::byte> bytes() const;
  std::span<std::byte> mutable_bytes();

  // Typed element access. REQUIRES: !is_phantom() and sizeof(T) == element_size(dtype()).
  template <typename T>
  std::span<T> data() {
    auto raw = mutable_bytes();
    return {reinterpret_cast<T*>(raw.data()), raw.size() / sizeof(T)};
  }
  template <typename T>
  std::span<const T> data() const {
    auto raw = bytes();
    return {reinterpret_cast<const T*>(raw.data()), raw.size() / sizeof(T)};
  }

  // A view with another shape over the same storage; one dimension may be -1.
  // Throws RuntimeError with torch's wording when the element counts do not match.
  Tensor reshape(const Shape& shape) const;
  // torch's t.reshape(parts, -1)[index]: the index-th of `parts` equal row blocks, as a view.
  // Throws RuntimeError when numel() is not divisible by `parts`.
  Tensor row_block(std::int64_t parts, std::int64_t index) const;

  // Elements [begin, begin + count) of the flattened tensor, as a 1-D view.
  // REQUIRES: 0 <= begin, begin + count <= numel().
  Tensor slice(std::int64_t begin, std::int64_t count) const;

  // Deep copy with its own storage (phantom stays phantom).
  Tensor clone() const;
  // Copies src's bytes into this tensor. REQUIRES: same dtype and numel.
  void copy_from(const Tensor& src);

 private:
  Tensor(DType dtype, Shape shape, std::shared_ptr<std::vector<std::byte>> storage,
         std::size_t offset);

  DType dtype_;
  Shape shape_;
  std::shared_ptr<std::vector<std::byte>> storage_;  // null for phantom tensors
  std::size_t offset_ = 0;                           // byte offset of element 0 in storage_
};

// Same dtype, same shape, and (for real tensors) the same bytes.
bool bit_identical(const Tensor& a, const Tensor& b);

}  // namespace commsim::comm
