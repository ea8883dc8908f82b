#include "sim/runtime.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <simgrid/Exception.hpp>
#include <simgrid/kernel/resource/NetworkModelIntf.hpp>
#include <simgrid/s4u.hpp>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "communicators/errors.h"
#include "communicators/parallel_state.h"
#include "results/json_text.h"
#include "scenarios/rank_facts.h"
#include "sim/chrome_trace.h"
#include "sim/engine.h"
#include "sim/platform.h"
#include "sim/simgrid_rank_env.h"
#include "sim/workloads/collective.h"
#include "sim/workloads/failure.h"
#include "sim/workloads/model_workload.h"
#include "sim/workloads/pp_handoff.h"
#include "sim/workloads/tp_allreduce.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;
using scenario::Outcome;
using scenario::rank_facts;

namespace {

// Everything one rank owns. Lives on the heap for the whole run so that it can be read after
// SimGrid stops, including for ranks that never finished.
struct RankContext {
  int rank = 0;
  int node = 0;
  std::unique_ptr<SimGridRankEnv> env;
  comm::ParallelState state;
  workloads::WorkloadReport report;
  RankTrace trace;  // filled only when the run is traced
  sg4::Host* host = nullptr;
  bool finished = false;
  bool killed = false;  // its host failed (a host-crash fault)
  Outcome outcome = Outcome::kOk;
  std::optional<results::ErrorInfo> error;
  double end_time = 0;
};

// Seconds each message of `rank` is held back (its message-delay faults, added up).
double send_delay(const scenario::Scenario& scenario, int rank) {
  double delay = 0;
  for (const scenario::Fault& fault : scenario.faults) {
    if (fault.kind == scenario::Fault::Kind::kMessageDelay && fault.rank == rank) {
      delay += fault.delay;
    }
  }
  return delay;
}

std::string level_name(comm::LogLevel level) {
  switch (level) {
    case comm::LogLevel::kDebug:
      return "DEBUG";
    case comm::LogLevel::kInfo:
      return "INFO";
    case comm::LogLevel::kWarning:
      return "WARNING";
    case comm::LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

// CM02 with LV08's correction factors (x13.01 latency, x0.97 bandwidth) on messages between nodes
// and none on a node's loopback, which carries TCP between ranks of one node: no TCP slow-start
// to correct for there.
void use_lv08_factors_between_nodes_only(sg4::Engine& engine) {
  auto* model = engine.get_netzone_root()->get_network_model();
  model->set_lat_factor_cb(
      [](double, const sg4::Host* src, const sg4::Host* dst, const std::vector<sg4::Link*>&,
         const std::unordered_set<sg4::NetZone*>&) { return src == dst ? 1.0 : 13.01; });
  model->set_bw_factor_cb(
      [](double, const sg4::Host* src, const sg4::Host* dst, const std::vector<sg4::Link*>&,
         const std::unordered_set<sg4::NetZone*>&) { return src == dst ? 1.0 : 0.97; });
}

void rank_main(RankContext& context, const scenario::Scenario& scenario, const comm::Policy& policy,
               const std::vector<comm::GroupKindLayout>& layout) {
  comm::RankEnv& env = *context.env;
  try {
    context.state.initialize(env, policy, layout);
    if (scenario.workload.kind == "tp_allreduce") {
      workloads::run_tp_allreduce(env, context.state, scenario.workload, context.report);
    } else if (scenario.workload.kind == "collective") {
      workloads::run_collective(env, context.state, scenario.workload, context.report);
    } else if (scenario.workload.kind == "model") {
      workloads::run_model(env, context.state, scenario.workload, context.report);
    } else {
      workloads::run_pp_handoff(env, context.state, scenario, context.report);
    }
  } catch (const comm::ProcessGroupTimeout& error) {
    context.outcome = Outcome::kTimeout;
    context.error = workloads::describe_failure(error, env.take_failure_stack());
  } catch (const comm::PyError& error) {
    context.outcome = Outcome::kError;
    context.error = workloads::describe_failure(error, env.take_failure_stack());
  } catch (const simgrid::ForcefulKillException&) {
    throw;  // this rank's host failed: SimGrid ends the actor
  } catch (const std::exception& error) {
    context.outcome = Outcome::kError;
    context.error = results::ErrorInfo{"HarnessError", error.what(), "", "", ""};
  }
  // The process exits (normally or by a Python exception): the SHM managers unlink their names.
  context.state.shutdown();
  context.env->process_ended();
  context.finished = true;
  context.end_time = sg4::Engine::get_clock();
}

// What the members of one group decided. The flags are those of the first member to decide; the
// backend is "mixed" when members differ or only some decided, "undecided" when none did.
results::GroupRecord group_record(const std::string& name, const std::vector<int>& ranks,
                                  const std::vector<std::unique_ptr<RankContext>>& contexts,
                                  const comm::Policy& policy) {
  results::GroupRecord record{name, ranks, "undecided", "", false, false, {}};
  std::set<std::string> backends;
  std::size_t decided = 0;
  for (int rank : ranks) {
    const RankContext& context = *contexts[static_cast<std::size_t>(rank)];
    for (const comm::DecidedGroup& group : context.state.decided()) {
      if (group.unique_name != name || group.ranks != ranks) continue;
      const comm::BackendDecision& decision = group.decision;
      ++decided;
      backends.insert(std::string(comm::backend_name(decision.backend)));
      if (backends.size() == 1 && decided == 1) {
        record.reason = decision.failed ? std::string(comm::check_name(*decision.failed)) : "";
        record.supports_tensor_dict = comm::supports_tensor_dict(policy, decision.backend);
        record.use_cpu_custom_send_recv = comm::custom_send_recv(
            policy, context.env->node().has_init_shm_manager, record.supports_tensor_dict);
      }
      if (decision.info_log && std::find(record.logs.begin(), record.logs.end(),
                                         *decision.info_log) == record.logs.end()) {
        record.logs.push_back(*decision.info_log);
      }
    }
  }
  if (backends.size() == 1 && decided == ranks.size()) record.backend = *backends.begin();
  if (backends.size() > 1 || (!backends.empty() && decided < ranks.size())) {
    record.backend = "mixed";
  }
  return record;
}

// Bytes delivered over each link, cumulated in time order: every message that reached its
// receiver adds its bytes to each link of its route, at the time it finished arriving. Messages
// still in flight when the run ended (a hang) delivered nothing.
std::vector<LinkSample> link_samples(const std::vector<std::unique_ptr<RankContext>>& contexts) {
  struct Delivery {
    double time;
    std::size_t link;  // index into names
    std::uint64_t bytes;
  };
  std::vector<std::string> names;
  std::map<std::string, std::size_t> index_of;
  std::vector<Delivery> deliveries;
  std::map<std::pair<sg4::Host*, sg4::Host*>, std::vector<std::size_t>> routes;
  for (const auto& context : contexts) {
    for (const SimGridRankEnv::TracedSend& send : context->env->traced_sends()) {
      if (send.comm->get_state() != sg4::Activity::State::FINISHED) continue;
      sg4::Host* to = contexts[static_cast<std::size_t>(send.dst)]->host;
      auto [route, fresh] = routes.try_emplace({context->host, to});
      if (fresh) {
        std::vector<sg4::Link*> links;
        double latency = 0;
        context->host->route_to(to, links, &latency);
        for (const sg4::Link* link : links) {
          const auto [found, added] = index_of.try_emplace(link->get_name(), names.size());
          if (added) names.push_back(link->get_name());
          route->second.push_back(found->second);
        }
      }
      for (std::size_t link : route->second) {
        deliveries.push_back(Delivery{send.comm->get_finish_time(), link, send.bytes});
      }
    }
  }
  std::stable_sort(deliveries.begin(), deliveries.end(),
                   [&names](const Delivery& a, const Delivery& b) {
                     return a.time != b.time ? a.time < b.time : names[a.link] < names[b.link];
                   });
  std::vector<LinkSample> samples;
  std::vector<std::uint64_t> totals(names.size(), 0);
  for (const Delivery& delivery : deliveries) {
    const std::uint64_t total = totals[delivery.link] += delivery.bytes;
    if (!samples.empty() && samples.back().time == delivery.time &&
        samples.back().link == names[delivery.link]) {
      samples.back().total_bytes = total;
    } else {
      samples.push_back(LinkSample{delivery.time, names[delivery.link], total});
    }
  }
  return samples;
}

// The run's Chrome trace as JSON text.
std::string trace_json(const scenario::Scenario& scenario, const comm::Policy& policy,
                       const std::vector<std::unique_ptr<RankContext>>& contexts) {
  std::vector<TracedRank> ranks;
  const double end = sg4::Engine::get_clock();
  for (const auto& context : contexts) {
    TracedRank rank{context->rank,
                    context->node,
                    scenario.node_name(context->node),
                    context->finished || context->killed ? context->end_time : end,
                    &context->trace,
                    {}};
    for (const comm::DecidedGroup& group : context->state.decided()) {
      rank.backends[group.unique_name] = std::string(comm::backend_name(group.decision.backend));
    }
    ranks.push_back(std::move(rank));
  }
  return results::json_file_text(chrome_trace(scenario.name, policy.name, ranks,
                                              link_samples(contexts), scenario.topology.nodes),
                                 1);
}

}  // namespace

results::RunRecord run_scenario(const scenario::Scenario& scenario,
                                const comm::Policy& named_policy, const RunOptions& run_options) {
  // The profile with the scenario's single switches applied; the record keeps the profile's name.
  const comm::Policy policy = scenario.policy_switches.apply(named_policy);
  std::vector<std::string> options = {
      // Deadlocks and failures become outcomes in the record; SimGrid's own report of a
      // deadlock (to the ker_engine category) is discarded.
      "--log=ker_engine.app:file:/dev/null",
      "--log=ker_engine.add:no",
      "--cfg=network/model:" + scenario.topology.network.model,
  };
  if (!scenario.topology.network.crosstraffic) options.emplace_back("--cfg=network/crosstraffic:0");
  sg4::Engine& engine = start_engine(options);
  const Platform platform = build_platform(scenario);
  if (scenario.topology.network.model == "CM02") use_lv08_factors_between_nodes_only(engine);

  const int world = scenario.parallel.world();
  const std::vector<comm::GroupKindLayout> layout = comm::model_parallel_layout(
      scenario.parallel.tensor, scenario.parallel.pipeline, scenario.parallel.data);

  std::vector<NodeMemory> memories(platform.node_hosts.size());
  for (std::size_t node = 0; node < memories.size(); ++node) {
    memories[node].bus = platform.memory_buses[node];
    memories[node].latency = scenario.node(static_cast<int>(node)).hardware.memory_latency;
    memories[node].mutex = sg4::Mutex::create();
    memories[node].changed = sg4::ConditionVariable::create();
    // Segments a killed run left behind on this node.
    for (const std::string& name : scenario.node(static_cast<int>(node)).stale_shm_segments) {
      memories[node].regions.emplace(name, std::make_shared<comm::HeapRegion>(64));
    }
  }

  const std::vector<int> ranks_on_node = scenario.ranks_per_node();
  const std::vector<scenario::LaunchIdent> idents = scenario::launch_idents(scenario);
  std::vector<sg4::ActorPtr> actors(static_cast<std::size_t>(world));
  std::vector<std::unique_ptr<RankContext>> contexts;
  for (int rank = 0; rank < world; ++rank) {
    auto context = std::make_unique<RankContext>();
    context->rank = rank;
    context->node = scenario.node_of_rank(rank);
    context->env = std::make_unique<SimGridRankEnv>(
        rank,
        rank_facts(scenario, rank, context->node,
                   ranks_on_node[static_cast<std::size_t>(context->node)], idents),
        memories[static_cast<std::size_t>(context->node)], actors, send_delay(scenario, rank));
    context->env->set_kernel_model(scenario.node(context->node).hardware.kernels);
    contexts.push_back(std::move(context));
  }
  std::vector<int> placed_on_node(platform.node_hosts.size(), 0);
  for (int rank = 0; rank < world; ++rank) {
    RankContext* context = contexts[static_cast<std::size_t>(rank)].get();
    const int local_rank = placed_on_node[static_cast<std::size_t>(context->node)]++;
    context->host = platform.host_of(context->node, local_rank);
    if (run_options.trace_json != nullptr) context->env->set_trace(&context->trace);
    actors[static_cast<std::size_t>(rank)] = sg4::Actor::create(
        "rank" + std::to_string(rank), context->host,
        [context, &scenario, &policy, &layout] { rank_main(*context, scenario, policy, layout); });
  }

  // A host that goes off (a host-crash fault) kills every rank on it that has not ended, at that
  // moment. Noted here rather than when SimGrid ends each actor: a rank blocked on a transfer with
  // a rank of the same host is marked dying by SimGrid as the transfer fails, and then never ended
  // (SimGrid 3.32 ignores the kill of an actor already dying), so it would look like a hang.
  sg4::Host::on_state_change_cb([&contexts](const sg4::Host& host) {
    if (host.is_on()) return;
    for (const auto& context : contexts) {
      if (context->host != &host) continue;
      context->env->host_failed();
      if (context->finished || context->killed) continue;
      context->killed = true;
      context->end_time = sg4::Engine::get_clock();
    }
  });
  bool deadlock = false;
  sg4::Engine::on_deadlock_cb([&deadlock] {
    deadlock = true;
    SimGridRankEnv::run_is_over();
  });
  engine.run();

  results::RunRecord record;
  record.scenario = scenario.name;
  record.scenario_path = scenario.path;
  record.policy = policy.name;
  record.sim_time_s = sg4::Engine::get_clock();
  // A rank of a crashed host that SimGrid never ended (see above) keeps SimGrid from finishing
  // on its own: a deadlock only when a rank that is not killed is blocked.
  record.deadlock =
      deadlock && std::any_of(contexts.begin(), contexts.end(), [](const auto& context) {
        return !context->finished && !context->killed;
      });

  for (const comm::GroupKindLayout& kind : layout) {
    if (!kind.use_device_communicator) continue;
    for (const std::vector<int>& ranks : kind.rank_lists) {
      if (ranks.size() < 2) continue;
      // Every process names its first group of a kind "<kind>:0" (one group per kind each).
      record.groups.push_back(group_record(kind.kind + ":0", ranks, contexts, policy));
    }
  }

  // Mean over the all-reduces of the slowest rank's duration.
  std::vector<double> slowest;
  for (const auto& context : contexts) {
    const auto& seconds = context->report.collective_seconds;
    if (slowest.size() < seconds.size()) slowest.resize(seconds.size(), 0.0);
    for (std::size_t i = 0; i < seconds.size(); ++i) slowest[i] = std::max(slowest[i], seconds[i]);
  }
  for (double seconds : slowest)
    record.data.collective_time_s += seconds / static_cast<double>(slowest.size());

  for (const auto& context : contexts) {
    results::RankRecord rank{
        context->rank, context->node,     context->outcome,       context->error,
        std::nullopt,  context->end_time, context->report.probes, {}};
    if (context->killed) {
      rank.outcome = Outcome::kKilled;
    } else if (!context->finished) {
      rank.outcome = Outcome::kHang;
      rank.end_time = record.sim_time_s;
      if (const auto& blocked = context->env->blocked_on()) {
        const comm::OpSite site = blocked->ops.empty() ? comm::OpSite{} : blocked->ops.back();
        rank.waiting = results::WaitInfo{site.op, site.group, blocked->peer};
      }
    }
    for (const comm::LogLine& line : context->env->logs()) {
      rank.logs.push_back(
          results::LogRecord{line.time, level_name(line.level), line.logger, line.text});
    }
    record.data.dicts_sent += context->report.data.dicts_sent;
    record.data.dicts_delivered += context->report.data.dicts_delivered;
    record.data.dicts_mismatched += context->report.data.dicts_mismatched;
    record.data.collectives += context->report.data.collectives;
    record.data.collectives_mismatched += context->report.data.collectives_mismatched;
    record.data.wrong_elements += context->report.data.wrong_elements;
    record.data.max_rel_l2 = std::max(record.data.max_rel_l2, context->report.data.max_rel_l2);
    record.data.max_abs_error =
        std::max(record.data.max_abs_error, context->report.data.max_abs_error);
    // kind: model: the steps, tokens, times and token mismatches of the first rank that recorded
    // them (the first data-parallel replica's last stage, unless it got no step done).
    const results::DataRecord& model = context->report.data;
    if (model.model_steps > 0 && record.data.step_times_s.empty()) {
      record.data.model_steps = model.model_steps;
      record.data.reference_checked = model.reference_checked;
      record.data.step_times_s = model.step_times_s;
      record.data.tokens = model.tokens;
      record.data.token_mismatches = model.token_mismatches;
    }
    record.ranks.push_back(std::move(rank));
  }
  if (run_options.trace_json != nullptr) {
    *run_options.trace_json = trace_json(scenario, policy, contexts);
  }
  return record;
}

}  // namespace commsim::sim
