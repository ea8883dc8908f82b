#include "results/text_format.h"

#include <algorithm>
#include <cstdio>

namespace commsim::results::text {
namespace {

// printf("%.*f") of `value`, with "-0.000" normalised to "0.000".
std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string result(buffer);
  if (result.front() == '-' && result.find_first_not_of("0.", 1) == std::string::npos) {
    result.erase(0, 1);
  }
  return result;
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string ms_fixed(double seconds, int decimals) {
  return fixed(seconds * 1e3, decimals) + " ms";
}

std::string ms_short(double seconds) {
  std::string number = fixed(seconds * 1e3, 6);
  if (number.find('.') != std::string::npos) {
    number.erase(number.find_last_not_of('0') + 1);
    if (number.back() == '.') number.pop_back();
  }
  return number + " ms";
}

std::string bool_text(bool value) { return value ? "true" : "false"; }

std::string int_list(const std::vector<int>& values) {
  std::string result = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) result += ", ";
    result += std::to_string(values[i]);
  }
  return result + "]";
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string result;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) result += separator;
    result += parts[i];
  }
  return result;
}

std::string quoted(std::string_view text) {
  std::string result = "\"";
  result += text;
  return result + "\"";
}

std::string pos_text(const scenario::SourcePos& pos) {
  if (pos.line <= 0) return pos.file;
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation_byte(c); }));
}

std::string shorten(std::string_view text, std::size_t max_width) {
  if (display_width(text) <= max_width) return std::string(text);
  const std::size_t keep = max_width - 3;  // code points kept before "..."
  std::size_t points = 0;
  std::size_t end = 0;
  for (; end < text.size(); ++end) {
    if (!is_continuation_byte(text[end])) {
      if (points == keep) break;
      ++points;
    }
  }
  return std::string(text.substr(0, end)) + "...";
}

void write_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 std::string_view indent) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (row.size() > widths.size()) widths.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  }
  for (const auto& row : rows) {
    std::string line(indent);
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - display_width(row[c]), ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }
}

}  // namespace commsim::results::text
