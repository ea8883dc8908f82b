#include "communicators/tensor.h"

#include <algorithm>
#include <cstring>

#include "communicators/errors.h"

namespace commsim::comm {

std::int64_t shape_numel(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

Tensor::Tensor() : Tensor(DType::kF32, Shape{0}, std::make_shared<std::vector<std::byte>>(), 0) {}

Tensor::Tensor(DType dtype, Shape shape, std::shared_ptr<std::vector<std::byte>> storage,
               std::size_t offset)
    : dtype_(dtype), shape_(std::move(shape)), storage_(std::move(storage)), offset_(offset) {}

Tensor Tensor::zeros(DType dtype, Shape shape) {
  const auto bytes = static_cast<std::size_t>(shape_numel(shape)) * element_size(dtype);
  return Tensor(dtype, std::move(shape), std::make_shared<std::vector<std::byte>>(bytes), 0);
}

Tensor Tensor::phantom(DType dtype, Shape shape) {
  return Tensor(dtype, std::move(shape), nullptr, 0);
}

Tensor Tensor::from_bytes(DType dtype, Shape shape, std::span<const std::byte> bytes) {
  Tensor t = zeros(dtype, std::move(shape));
  COMMSIM_CHECK(bytes.size() == t.nbytes(), "from_bytes: byte count does not match the shape");
  std::copy(bytes.begin(), bytes.end(), t.mutable_bytes().begin());
  return t;
}

std::span<const std::byte> Tensor::bytes() const {
  if (!storage_) return {};
  return {storage_->data() + offset_, nbytes()};
}

std::span<std::byte> Tensor::mutable_bytes() {
  if (!storage_) return {};
  return {storage_->data() + offset_, nbytes()};
}

Tensor Tensor::reshape(const Shape& shape) const {
  Shape resolved = shape;
  std::int64_t known = 1;
  int inferred = -1;
  for (std::size_t i = 0; i < resolved.size(); ++i) {
    if (resolved[i] == -1 && inferred < 0) {
      inferred = static_cast<int>(i);
    } else {
      known *= resolved[i];
    }
  }
  const std::int64_t n = numel();
  if (inferred >= 0 && known != 0 && n % known == 0) resolved[inferred] = n / known;
  if ((inferred >= 0 && (known == 0 || n % known != 0)) || shape_numel(resolved) != n) {
    throw RuntimeError("shape '" + shape_to_string(shape) + "' is invalid for input of size " +
                       std::to_string(n));
  }
  return Tensor(dtype_, std::move(resolved), storage_, offset_);
}

Tensor Tensor::row_block(std::int64_t parts, std::int64_t index) const {
  const std::int64_t cols = reshape({parts, -1}).shape()[1];
  return slice(index * cols, cols);
}

Tensor Tensor::slice(std::int64_t begin, std::int64_t count) const {
  COMMSIM_CHECK(begin >= 0 && count >= 0 && begin + count <= numel(), "slice out of range");
  const auto offset = static_cast<std::size_t>(begin) * element_size(dtype_);
  return Tensor(dtype_, Shape{count}, storage_, storage_ ? offset_ + offset : 0);
}

Tensor Tensor::clone() const {
  if (is_phantom()) return phantom(dtype_, shape_);
  return from_bytes(dtype_, shape_, bytes());
}

void Tensor::copy_from(const Tensor& src) {
  COMMSIM_CHECK(src.dtype() == dtype_ && src.numel() == numel(),
                "copy_from: shape or dtype differ");
  if (is_phantom() || src.is_phantom()) return;
  auto from = src.bytes();
  std::copy(from.begin(), from.end(), mutable_bytes().begin());
}

bool bit_identical(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape() || a.is_phantom() != b.is_phantom()) {
    return false;
  }
  auto x = a.bytes();
  auto y = b.bytes();
  return std::equal(x.begin(), x.end(), y.begin(), y.end());
}

}  // namespace commsim::comm
