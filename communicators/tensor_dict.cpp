#include "communicators/tensor_dict.h"

#include <sstream>
#include <type_traits>

namespace commsim::comm {

bool is_tensor(const Value& value) { return std::holds_alternative<Tensor>(value); }

PlainValue to_plain(const Value& value) {
  return std::visit(
      [](const auto& v) -> PlainValue {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Tensor>) {
          return None{};  // unreachable by contract
        } else {
          return v;
        }
      },
      value);
}

Value from_plain(const PlainValue& value) {
  return std::visit([](const auto& v) -> Value { return v; }, value);
}

std::string plain_repr(const PlainValue& value) {
  struct Repr {
    std::string operator()(const None&) const { return "None"; }
    std::string operator()(bool b) const { return b ? "True" : "False"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      std::ostringstream out;
      out.precision(17);
      out << d;
      return out.str();
    }
    std::string operator()(const std::string& s) const { return "'" + s + "'"; }
  };
  return std::visit(Repr{}, value);
}

TensorDict::TensorDict(std::initializer_list<Entry> entries) {
  for (const Entry& entry : entries) set(entry.first, entry.second);
}

void TensorDict::set(const std::string& key, Value value) {
  for (Entry& entry : entries_) {
    if (entry.first == key) {
      entry.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(key, std::move(value));
}

const Value* TensorDict::find(const std::string& key) const {
  for (const Entry& entry : entries_) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

}  // namespace commsim::comm
