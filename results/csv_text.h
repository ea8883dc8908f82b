// Text made safe for CSV: the one escaping used by every CSV commsim writes (commsim bench --csv,
// a sweep's sweep.csv).
#pragma once

#include <string>
#include <string_view>

namespace commsim::results {

// `text` as one RFC 4180 field: as it is when it holds no comma, quote, line break or other
// control character and does not begin or end with a space; otherwise in double quotes with
// every quote doubled. Every byte survives: a reader that follows RFC 4180 gets `text` back.
std::string csv_field(std::string_view text);

}  // namespace commsim::results
