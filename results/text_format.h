// Text helpers shared by the verdict and the summary writers.
//
// Every function is deterministic: the same input gives the same bytes on every run, so summaries
// of identical records are byte-identical. Widths count UTF-8 code points, not bytes.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::results::text {

// Seconds as milliseconds with exactly `decimals` decimals: 0.001234567 -> "1.234567 ms".
std::string ms_fixed(double seconds, int decimals = 6);

// Seconds as milliseconds with at most six decimals and no trailing zeros: 0.01 -> "10 ms",
// 0.0012345 -> "1.2345 ms".
std::string ms_short(double seconds);

// "true" / "false".
std::string bool_text(bool value);

// "[0, 1]"; "[]" when empty.
std::string int_list(const std::vector<int>& values);

// Joins `parts` with `separator`.
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// `text` between double quotes, unescaped (for people, not parsers).
std::string quoted(std::string_view text);

// "file:line:col"; just "file" when line is 0; "" when both are unset.
std::string pos_text(const scenario::SourcePos& pos);

// Number of UTF-8 code points in `text` (its width in a terminal for the text we print).
std::size_t display_width(std::string_view text);

// `text` unchanged if its width is at most `max_width`, else cut at a code point boundary so that
// the result including a trailing "..." is `max_width` wide. REQUIRES: max_width >= 3.
std::string shorten(std::string_view text, std::size_t max_width);

// Writes `rows` as an aligned table: each line starts with `indent`, cells are padded to their
// column's widest cell and separated by two spaces; trailing spaces are dropped. Rows may have
// fewer cells than others (missing cells are empty).
void write_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 std::string_view indent);

}  // namespace commsim::results::text
