// Text made safe for XML: the one escaping used by every XML commsim writes (JUnit reports,
// SimGrid platform files).
#pragma once

#include <string>
#include <string_view>

namespace commsim::results {

// `text` with & < > " ' replaced by their entities: safe in element content and in attribute
// values in either kind of quotes.
std::string xml_escape(std::string_view text);

}  // namespace commsim::results
