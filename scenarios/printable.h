// Text from input files, made safe to print and checked to be text.
//
// Whatever a file holds may reach a terminal, a log or a report in an error message; control
// characters there (ANSI escapes, carriage returns) could repaint or hide what the user reads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace commsim::scenario {

// `text` with every byte that is not printable UTF-8 shown as an escape: \n, \t, \r, \\ for the
// common ones, \xNN for the other control characters (C0, DEL, C1) and for bytes that are not
// part of a well-formed UTF-8 sequence, and for the line breaks NEL, U+2028 and U+2029. Printable
// UTF-8 (ASCII and beyond) is kept as it is.
std::string printable(std::string_view text);

// Where `text` stops being YAML-printable text: the offset of the first byte that is not
// well-formed UTF-8, or that starts a control character other than tab, line feed and carriage
// return (C0, DEL, C1 but NEL, U+FFFE/U+FFFF, surrogates). nullopt when all of it is.
// A byte-order mark at offset 0 is allowed.
std::optional<std::size_t> first_unprintable(std::string_view text);

// The same for one line of text (a name): tab, line feed, carriage return and the other line
// breaks (NEL, U+2028, U+2029) count as control characters too.
std::optional<std::size_t> first_unprintable_in_line(std::string_view text);

// The character at byte `offset` of `text` named for a message without any escape: "U+001B", or
// "byte 0xFF" where the bytes there are not well-formed UTF-8.
std::string character_name(std::string_view text, std::size_t offset);

// 1-based line and column (in characters) of byte `offset` of `text`.
struct LineColumn {
  int line = 1;
  int column = 1;
};
LineColumn line_column(std::string_view text, std::size_t offset);

}  // namespace commsim::scenario
