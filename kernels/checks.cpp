#include "kernels/checks.h"

#include "kernels/onednn_runtime.h"

namespace commsim::kernels {

std::string describe(const comm::Tensor& t) {
  return std::string(t.is_phantom() ? "phantom " : "") + std::string(comm::dtype_name(t.dtype())) +
         comm::shape_to_string(t.shape());
}

void require(bool ok, std::string_view kernel, const std::string& message) {
  if (!ok) throw KernelError(std::string(kernel) + ": " + message);
}

namespace {

std::string size_text(std::int64_t size, char wildcard) {
  return size == kAnySize ? std::string(1, wildcard) : std::to_string(size);
}

}  // namespace

void require_matrix(const comm::Tensor& t, std::string_view kernel, std::string_view role,
                    std::int64_t rows, std::int64_t cols, comm::DType dtype) {
  const bool ok = !t.is_phantom() && t.dtype() == dtype && t.dim() == 2 &&
                  (rows == kAnySize || t.shape()[0] == rows) &&
                  (cols == kAnySize || t.shape()[1] == cols);
  if (ok) return;  // build the message only on failure: this runs on every kernel call
  require(false, kernel,
          std::string(role) + " is " + describe(t) + ", expected " +
              std::string(comm::dtype_name(dtype)) + "[" + size_text(rows, 'M') + ", " +
              size_text(cols, 'N') + "]");
}

void require_tensor(const comm::Tensor& t, std::string_view kernel, std::string_view role,
                    const comm::Shape& shape, comm::DType dtype) {
  if (!t.is_phantom() && t.dtype() == dtype && t.shape() == shape) return;
  require(false, kernel,
          std::string(role) + " is " + describe(t) + ", expected " +
              std::string(comm::dtype_name(dtype)) + comm::shape_to_string(shape));
}

}  // namespace commsim::kernels
