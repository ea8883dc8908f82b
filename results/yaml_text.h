// Text made safe for YAML: the one escaping used for text commsim writes into YAML (the node
// preset file of commsim calibrate).
#pragma once

#include <string>
#include <string_view>

namespace commsim::results {

// `text` as a YAML double-quoted scalar: '"' and '\' escaped, every control character (C0, DEL,
// C1) as a \x escape, every byte that is not part of valid UTF-8 as U+FFFD. A YAML reader gets
// `text` back when it is valid UTF-8.
std::string yaml_quoted(std::string_view text);

}  // namespace commsim::results
