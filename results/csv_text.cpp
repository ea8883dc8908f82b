#include "results/csv_text.h"

#include <algorithm>

namespace commsim::results {

std::string csv_field(std::string_view text) {
  const bool plain = std::none_of(text.begin(), text.end(),
                                  [](char c) {
                                    const auto byte = static_cast<unsigned char>(c);
                                    return c == ',' || c == '"' || byte < 0x20 || byte == 0x7F;
                                  }) &&
                     (text.empty() || (text.front() != ' ' && text.back() != ' '));
  if (plain) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace commsim::results
