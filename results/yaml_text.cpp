#include "results/yaml_text.h"

#include <cstdio>

#include "results/xml_text.h"

namespace commsim::results {

std::string yaml_quoted(std::string_view text) {
  std::string out = "\"";
  const auto escaped = [&](unsigned code) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02X", code);
    out += buffer;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = utf8_sequence_length(text.substr(i));
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      escaped(c);
    } else if (c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      escaped(static_cast<unsigned char>(text[i + 1]));  // U+0080 to U+009F
    } else {
      out += text.substr(i, length);
    }
    i += length;
  }
  return out + "\"";
}

}  // namespace commsim::results
