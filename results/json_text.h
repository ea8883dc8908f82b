// JSON as text: the one serialisation used by every JSON file commsim writes (run records,
// comparisons, explanations, bench results, sweeps, baselines, Chrome traces).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace commsim::results {

// `json` serialised (indented by `indent` spaces, on one line when negative). Strings are escaped
// as JSON requires (quotes, backslashes, every control character as \uXXXX); a byte that is not
// part of valid UTF-8 becomes U+FFFD, so any text a scenario holds gives a valid file instead of
// an exception.
std::string json_text(const nlohmann::json& json, int indent = -1);

// json_text with a final line feed, as a file holds it.
std::string json_file_text(const nlohmann::json& json, int indent = 2);

}  // namespace commsim::results
