// Text made safe for gnuplot: the one escaping used for every text that reaches a gnuplot script
// or data file (a sweep's plots). gnuplot runs a script line by line and a line starting with '!'
// is a shell command, so no text from a sweep file may end a line or leave its string.
#pragma once

#include <string>
#include <string_view>

namespace commsim::results {

// `text` as a gnuplot string expression: single-quoted strings (where gnuplot expands no escape,
// backquote or macro) joined by "'" where `text` has a quote ('it'."'".'s'; gnuplot reads a
// doubled quote at a string's start as an empty string). A control character (line feed,
// carriage return, NUL, ...) or a byte that is not part of valid UTF-8 becomes '?', so the
// expression never ends the script's line.
std::string gnuplot_string(std::string_view text);

// `text` as a double-quoted column of a gnuplot data file (one row per line, columns split at
// blanks): '"' becomes '\'', a backslash, control character or invalid UTF-8 byte becomes '?'.
std::string gnuplot_data_string(std::string_view text);

}  // namespace commsim::results
