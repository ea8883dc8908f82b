#include "results/json_text.h"

namespace commsim::results {

std::string json_text(const nlohmann::json& json, int indent) {
  return json.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

std::string json_file_text(const nlohmann::json& json, int indent) {
  return json_text(json, indent) + "\n";
}

}  // namespace commsim::results
