#include "scenarios/printable.h"

#include <cstdint>
#include <cstdio>

namespace commsim::scenario {

namespace {

// Decodes the UTF-8 sequence at `text[i]`: its code point and length, or length 0 when the bytes
// there are not a well-formed sequence (overlong forms, surrogates and values past U+10FFFF
// included).
struct Decoded {
  std::uint32_t code = 0;
  std::size_t length = 0;
};

Decoded decode(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 0;
  std::uint32_t code = 0;
  std::uint32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07, minimum = 0x10000;
  } else {
    return {};
  }
  if (i + length > text.size()) return {};
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  return {code, length};
}

// YAML 1.2's printable set (c-printable), without tab, line feed and carriage return.
bool is_control(std::uint32_t code) {
  if (code < 0x20 || code == 0x7F) return true;
  if (code >= 0x80 && code <= 0x9F) return code != 0x85;
  return code == 0xFFFE || code == 0xFFFF;
}

// Line breaks beyond line feed and carriage return: NEL (YAML's own), and Unicode's line and
// paragraph separators. A terminal or a report may break the line at each.
bool is_other_line_break(std::uint32_t code) {
  return code == 0x85 || code == 0x2028 || code == 0x2029;
}

std::optional<std::size_t> first_unprintable(std::string_view text, bool allow_line_breaks) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < text.size()) {
    const Decoded decoded = decode(text, i);
    if (decoded.length == 0) return i;
    const bool layout = decoded.code == '\t' || decoded.code == '\n' || decoded.code == '\r';
    if (is_control(decoded.code) && !(layout && allow_line_breaks)) return i;
    if (is_other_line_break(decoded.code) && !allow_line_breaks) return i;
    i += decoded.length;
  }
  return std::nullopt;
}

}  // namespace

std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const Decoded decoded = decode(text, i);
    if (decoded.length == 0 || is_control(decoded.code) || is_other_line_break(decoded.code) ||
        decoded.code == '\\') {
      if (decoded.code == '\n' && decoded.length == 1) {
        out += "\\n";
      } else if (decoded.code == '\t' && decoded.length == 1) {
        out += "\\t";
      } else if (decoded.code == '\r' && decoded.length == 1) {
        out += "\\r";
      } else if (decoded.code == '\\' && decoded.length == 1) {
        out += "\\\\";
      } else {
        // An invalid byte, or each byte of a control character's sequence.
        const std::size_t length = decoded.length == 0 ? 1 : decoded.length;
        for (std::size_t k = 0; k < length; ++k) {
          const auto byte = static_cast<unsigned char>(text[i + k]);
          out += "\\x";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xF];
        }
      }
      i += decoded.length == 0 ? 1 : decoded.length;
      continue;
    }
    out.append(text.substr(i, decoded.length));
    i += decoded.length;
  }
  return out;
}

std::optional<std::size_t> first_unprintable(std::string_view text) {
  return first_unprintable(text, /*allow_line_breaks=*/true);
}

std::optional<std::size_t> first_unprintable_in_line(std::string_view text) {
  return first_unprintable(text, /*allow_line_breaks=*/false);
}

std::string character_name(std::string_view text, std::size_t offset) {
  char name[16];
  const Decoded decoded = decode(text, offset);
  if (decoded.length == 0) {
    std::snprintf(name, sizeof name, "byte 0x%02X", static_cast<unsigned char>(text[offset]));
  } else {
    std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(decoded.code));
  }
  return name;
}

LineColumn line_column(std::string_view text, std::size_t offset) {
  LineColumn where;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      ++where.line;
      where.column = 1;
    } else if ((byte & 0xC0) != 0x80) {
      ++where.column;  // a character's first byte
    }
  }
  return where;
}

}  // namespace commsim::scenario
