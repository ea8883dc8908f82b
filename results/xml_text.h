// Text made safe for XML: the one escaping used by every XML commsim writes (JUnit reports,
// SimGrid platform files).
#pragma once

#include <string>
#include <string_view>

namespace commsim::results {

// `text` as XML 1.0 character data, safe in element content and in attribute values in either
// kind of quotes: & < > " ' become entities; tab, line feed and carriage return become character
// references (so attribute values keep them); every other byte that XML 1.0 cannot carry (a
// control character, a byte that is not part of valid UTF-8) becomes U+FFFD. The result is
// always valid UTF-8 and never contains "]]>".
std::string xml_escape(std::string_view text);

// `text` as the inside of an XML comment: xml_escape'd, with no "--" and no trailing '-'.
std::string xml_comment_text(std::string_view text);

// The length of the valid UTF-8 sequence (1 to 4 bytes) starting `text`, or 0 when `text` does
// not start with one (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF,
// or a truncated sequence).
std::size_t utf8_sequence_length(std::string_view text);

}  // namespace commsim::results
