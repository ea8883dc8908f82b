// TensorDict: the ordered dict vLLM passes between pipeline stages.
//
// Values are tensors or plain Python values (None, bool, int, float, str). The generic
// (torch.distributed) path carries plain values in its metadata; the SHM fast path rejects them.
// Keys keep insertion order, as Python dicts do.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "communicators/tensor.h"

namespace commsim::comm {

struct None {
  bool operator==(const None&) const = default;
};

using PlainValue = std::variant<None, bool, std::int64_t, double, std::string>;
using Value = std::variant<Tensor, None, bool, std::int64_t, double, std::string>;

bool is_tensor(const Value& value);
// The plain value held by `value`. REQUIRES: !is_tensor(value).
PlainValue to_plain(const Value& value);
Value from_plain(const PlainValue& value);

// Python repr of a plain value: None, True, 3, 0.5, 'text'.
std::string plain_repr(const PlainValue& value);

class TensorDict {
 public:
  using Entry = std::pair<std::string, Value>;

  TensorDict() = default;
  TensorDict(std::initializer_list<Entry> entries);

  // Inserts or replaces; a new key goes last.
  void set(const std::string& key, Value value);
  // nullptr when absent.
  const Value* find(const std::string& key) const;

  const std::vector<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace commsim::comm
