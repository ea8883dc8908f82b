#include "results/gnuplot_text.h"

#include "results/xml_text.h"

namespace commsim::results {

namespace {

// `text` with every control character and every byte outside valid UTF-8 replaced by '?'.
std::string printable(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c >= 0x80 ? utf8_sequence_length(text.substr(i)) : 1;
    if (length == 0 || c < 0x20 || c == 0x7F) {
      out += '?';
      ++i;
    } else {
      out += text.substr(i, length);
      i += length;
    }
  }
  return out;
}

}  // namespace

std::string gnuplot_string(std::string_view text) {
  std::string quoted = "'";
  for (char c : printable(text)) {
    if (c == '\'') {
      quoted += "'.\"'\".'";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string gnuplot_data_string(std::string_view text) {
  std::string quoted = "\"";
  for (char c : printable(text)) quoted += c == '"' ? '\'' : c == '\\' ? '?' : c;
  return quoted + "\"";
}

}  // namespace commsim::results
