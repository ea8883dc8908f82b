#include "results/record_json.h"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "results/verdict.h"
#include "scenarios/outcome.h"

namespace commsim::results {
namespace {

using nlohmann::json;

// Always all three parts, even for "no position" (":0:0"), so the file name may contain ':'.
std::string at_text(const scenario::SourcePos& pos) {
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

int parse_int(const std::string& text, const std::string& whole) {
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = std::string::npos;
  }
  if (text.empty() || used != text.size()) {
    throw std::invalid_argument("record JSON: 'at' is not file:line:col: \"" + whole + "\"");
  }
  return value;
}

scenario::SourcePos parse_at(const std::string& text) {
  const std::size_t last = text.rfind(':');
  const std::size_t middle =
      last == std::string::npos || last == 0 ? std::string::npos : text.rfind(':', last - 1);
  if (middle == std::string::npos) {
    throw std::invalid_argument("record JSON: 'at' is not file:line:col: \"" + text + "\"");
  }
  scenario::SourcePos pos;
  pos.file = text.substr(0, middle);
  pos.line = parse_int(text.substr(middle + 1, last - middle - 1), text);
  pos.column = parse_int(text.substr(last + 1), text);
  return pos;
}

// value[key], which must be an array.
const json& array_at(const json& value, const char* key) {
  const json& items = value.at(key);
  if (!items.is_array()) {
    throw std::invalid_argument(std::string("record JSON: '") + key + "' is not an array");
  }
  return items;
}

scenario::Outcome outcome_from(const json& value) {
  const auto name = value.get<std::string>();
  const auto outcome = scenario::parse_recorded_outcome(name);
  if (!outcome) throw std::invalid_argument("record JSON: unknown outcome \"" + name + "\"");
  return *outcome;
}

json error_json(const ErrorInfo& error) {
  return {{"type", error.type},
          {"message", error.message},
          {"op", error.op},
          {"group", error.group},
          {"where", error.where}};
}

ErrorInfo error_from(const json& value) {
  ErrorInfo error;
  error.type = value.at("type").get<std::string>();
  error.message = value.at("message").get<std::string>();
  error.op = value.at("op").get<std::string>();
  error.group = value.at("group").get<std::string>();
  error.where = value.at("where").get<std::string>();
  return error;
}

json probe_json(const ProbeRecord& probe) {
  json result = {
      {"op", probe.op}, {"group", probe.group}, {"outcome", outcome_name(probe.outcome)}};
  if (probe.error) result["error"] = error_json(*probe.error);
  return result;
}

ProbeRecord probe_from(const json& value) {
  ProbeRecord probe;
  probe.op = value.at("op").get<std::string>();
  probe.group = value.at("group").get<std::string>();
  probe.outcome = outcome_from(value.at("outcome"));
  if (value.contains("error")) probe.error = error_from(value.at("error"));
  return probe;
}

json log_json(const LogRecord& log) {
  return {{"time_s", log.time}, {"level", log.level}, {"logger", log.logger}, {"text", log.text}};
}

LogRecord log_from(const json& value) {
  LogRecord log;
  log.time = value.at("time_s").get<double>();
  log.level = value.at("level").get<std::string>();
  log.logger = value.at("logger").get<std::string>();
  log.text = value.at("text").get<std::string>();
  return log;
}

json rank_json(const RankRecord& rank) {
  json result = {{"rank", rank.rank},
                 {"node", rank.node},
                 {"outcome", outcome_name(rank.outcome)},
                 {"end_time_s", rank.end_time}};
  if (rank.error) result["error"] = error_json(*rank.error);
  if (rank.waiting) {
    result["waiting"] = {
        {"op", rank.waiting->op}, {"group", rank.waiting->group}, {"peer", rank.waiting->peer}};
  }
  json probes = json::array();
  for (const auto& probe : rank.probes) probes.push_back(probe_json(probe));
  result["probes"] = std::move(probes);
  json logs = json::array();
  for (const auto& log : rank.logs) logs.push_back(log_json(log));
  result["logs"] = std::move(logs);
  return result;
}

RankRecord rank_from(const json& value) {
  RankRecord rank;
  rank.rank = value.at("rank").get<int>();
  rank.node = value.at("node").get<int>();
  rank.outcome = outcome_from(value.at("outcome"));
  if (value.contains("error")) rank.error = error_from(value.at("error"));
  if (value.contains("waiting")) {
    const json& waiting = value.at("waiting");
    WaitInfo info;
    info.op = waiting.at("op").get<std::string>();
    info.group = waiting.at("group").get<std::string>();
    info.peer = waiting.at("peer").get<int>();
    rank.waiting = std::move(info);
  }
  rank.end_time = value.at("end_time_s").get<double>();
  for (const auto& probe : array_at(value, "probes")) rank.probes.push_back(probe_from(probe));
  for (const auto& log : array_at(value, "logs")) rank.logs.push_back(log_from(log));
  return rank;
}

json group_json(const GroupRecord& group) {
  return {{"name", group.name},
          {"ranks", group.ranks},
          {"backend", group.backend},
          {"reason", group.reason},
          {"supports_tensor_dict", group.supports_tensor_dict},
          {"use_cpu_custom_send_recv", group.use_cpu_custom_send_recv},
          {"logs", group.logs}};
}

GroupRecord group_from(const json& value) {
  GroupRecord group;
  group.name = value.at("name").get<std::string>();
  group.ranks = value.at("ranks").get<std::vector<int>>();
  group.backend = value.at("backend").get<std::string>();
  group.reason = value.at("reason").get<std::string>();
  group.supports_tensor_dict = value.at("supports_tensor_dict").get<bool>();
  group.use_cpu_custom_send_recv = value.at("use_cpu_custom_send_recv").get<bool>();
  group.logs = value.at("logs").get<std::vector<std::string>>();
  return group;
}

json mismatch_json(const Mismatch& mismatch) {
  return {{"what", mismatch.what},
          {"expected", mismatch.expected},
          {"actual", mismatch.actual},
          {"at", at_text(mismatch.pos)}};
}

Mismatch mismatch_from(const json& value) {
  Mismatch mismatch;
  mismatch.what = value.at("what").get<std::string>();
  mismatch.expected = value.at("expected").get<std::string>();
  mismatch.actual = value.at("actual").get<std::string>();
  mismatch.pos = parse_at(value.at("at").get<std::string>());
  return mismatch;
}

}  // namespace

json to_json(const RunRecord& record) {
  json result = {{"scenario", record.scenario},     {"scenario_path", record.scenario_path},
                 {"policy", record.policy},         {"verdict", verdict_name(record.verdict)},
                 {"sim_time_s", record.sim_time_s}, {"deadlock", record.deadlock}};
  if (!record.simulation_failure.empty()) {
    result["simulation_failure"] = record.simulation_failure;
  }
  json mismatches = json::array();
  for (const auto& mismatch : record.mismatches) mismatches.push_back(mismatch_json(mismatch));
  result["mismatches"] = std::move(mismatches);
  json groups = json::array();
  for (const auto& group : record.groups) groups.push_back(group_json(group));
  result["groups"] = std::move(groups);
  json ranks = json::array();
  for (const auto& rank : record.ranks) ranks.push_back(rank_json(rank));
  result["ranks"] = std::move(ranks);
  result["data"] = {{"dicts_sent", record.data.dicts_sent},
                    {"dicts_delivered", record.data.dicts_delivered},
                    {"dicts_mismatched", record.data.dicts_mismatched},
                    {"collectives", record.data.collectives},
                    {"collectives_mismatched", record.data.collectives_mismatched},
                    {"wrong_elements", record.data.wrong_elements},
                    {"collective_time_s", record.data.collective_time_s},
                    {"max_rel_l2", record.data.max_rel_l2},
                    {"max_abs_error", record.data.max_abs_error}};
  if (record.data.model_steps > 0) {
    result["data"]["model"] = {{"steps", record.data.model_steps},
                               {"token_mismatches", record.data.token_mismatches},
                               {"reference_checked", record.data.reference_checked},
                               {"step_times_s", record.data.step_times_s},
                               {"tokens", record.data.tokens}};
  }
  return result;
}

RunRecord record_from_json(const json& value) {
  RunRecord record;
  record.scenario = value.at("scenario").get<std::string>();
  record.scenario_path = value.at("scenario_path").get<std::string>();
  record.policy = value.at("policy").get<std::string>();
  const auto verdict_text = value.at("verdict").get<std::string>();
  const auto verdict = parse_verdict(verdict_text);
  if (!verdict)
    throw std::invalid_argument("record JSON: unknown verdict \"" + verdict_text + "\"");
  record.verdict = *verdict;
  for (const auto& mismatch : array_at(value, "mismatches")) {
    record.mismatches.push_back(mismatch_from(mismatch));
  }
  record.sim_time_s = value.at("sim_time_s").get<double>();
  record.deadlock = value.at("deadlock").get<bool>();
  record.simulation_failure = value.value("simulation_failure", std::string());
  for (const auto& group : array_at(value, "groups")) record.groups.push_back(group_from(group));
  for (const auto& rank : array_at(value, "ranks")) record.ranks.push_back(rank_from(rank));
  const json& data = value.at("data");
  record.data.dicts_sent = data.at("dicts_sent").get<int>();
  record.data.dicts_delivered = data.at("dicts_delivered").get<int>();
  record.data.dicts_mismatched = data.at("dicts_mismatched").get<int>();
  record.data.collectives = data.at("collectives").get<int>();
  record.data.collectives_mismatched = data.at("collectives_mismatched").get<int>();
  record.data.wrong_elements = data.value("wrong_elements", std::int64_t{0});
  record.data.collective_time_s = data.at("collective_time_s").get<double>();
  record.data.max_rel_l2 = data.at("max_rel_l2").get<double>();
  record.data.max_abs_error = data.at("max_abs_error").get<double>();
  if (const auto model = data.find("model"); model != data.end()) {
    record.data.model_steps = model->at("steps").get<int>();
    record.data.token_mismatches = model->at("token_mismatches").get<int>();
    record.data.reference_checked = model->at("reference_checked").get<bool>();
    record.data.step_times_s = model->at("step_times_s").get<std::vector<double>>();
    record.data.tokens = model->at("tokens").get<std::vector<std::vector<std::int64_t>>>();
  }
  return record;
}

}  // namespace commsim::results
