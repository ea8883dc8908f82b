// Topology kinds, built as a run builds them: for each kind, the host, link and route counts, and
// a point-to-point time between two chosen nodes that matches the closed form
//   T = 13.01 x (sum of the route's latencies) + bytes / (0.97 x its narrowest bandwidth)
// (LV08, cross-traffic off, one flow). Then SimGrid platform files in the shapes of SimGrid's own
// examples, read as the parser reads them, and edits that must move the simulated time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "scenarios/scenario_parser.h"
#include "sim/child_process.h"
#include "sim/engine.h"
#include "sim/platform.h"
#include "sim/platform_file.h"
#include "sim/platform_xml.h"
#include "sim/runtime.h"

namespace {

namespace sg4 = simgrid::s4u;
using commsim::scenario::Scenario;

constexpr double kBytes = 4 << 20;
constexpr double kLatencyFactor = 13.01;  // LV08
constexpr double kBandwidthFactor = 0.97;

Scenario parse(const std::string& text, const std::string& file = "test.yaml") {
  auto result =
      commsim::scenario::parse_scenario_text(text, file, &commsim::sim::read_platform_file);
  if (!result.errors.empty()) ADD_FAILURE() << result.errors.front().to_string();
  return result.scenario.value_or(Scenario{});
}

// A scenario with `topology` (the YAML of the topology section's body) and one rank per node.
std::string with_topology(const std::string& topology, int ranks) {
  return "name: topology\npolicy: vllm-pr40150\ntopology:\n" + topology +
         "\nparallel: { tensor: 1, pipeline: " + std::to_string(ranks) +
         " }\nworkload: { kind: pp_handoff }\n";
}

struct Measured {
  int hosts = 0;  // hosts of the network (memory buses left out)
  int links = 0;
  std::vector<std::string> route;  // link names from `from` to `to`
  double route_latency = 0;
  double narrowest = 0;  // bytes/s
  double seconds = 0;    // kBytes sent from `from` to `to`, alone on the platform
};

// Builds `scenario`'s platform in a child process and sends kBytes from node `from` to node `to`.
Measured measure(const Scenario& scenario, int from, int to, int from_local = 0, int to_local = 0) {
  const auto output = commsim::sim::run_in_child([&] {
    sg4::Engine* engine = &commsim::sim::start_engine({"--cfg=network/crosstraffic:0"});
    const commsim::sim::Platform platform = commsim::sim::build_platform(scenario);
    sg4::Host* source = platform.host_of(from, from_local);
    sg4::Host* target = platform.host_of(to, to_local);
    std::vector<sg4::Link*> links;
    double latency = 0;
    source->route_to(target, links, &latency);
    nlohmann::json route = nlohmann::json::array();
    double narrowest = 0;
    for (const sg4::Link* link : links) {
      route.push_back(link->get_name());
      if (narrowest == 0 || link->get_bandwidth() < narrowest) narrowest = link->get_bandwidth();
    }
    double seconds = 0;
    sg4::Actor::create("sender", source, [] {
      sg4::Mailbox::by_name("p2p")->put(new int(0), static_cast<std::uint64_t>(kBytes));
    });
    sg4::Actor::create("receiver", target, [&seconds] {
      delete sg4::Mailbox::by_name("p2p")->get<int>();
      seconds = sg4::Engine::get_clock();
    });
    engine->run();
    const nlohmann::json result = {
        // The memory buses live outside the root zone: get_all_hosts leaves them out.
        {"hosts", engine->get_all_hosts().size()},
        // SimGrid's own "__loopback__" (used by Full zones) is always there: left out.
        {"links", engine->get_link_count() - 1},
        {"route", route},
        {"latency", latency},
        {"narrowest", narrowest},
        {"seconds", seconds}};
    return result.dump();
  });
  EXPECT_TRUE(output.completed) << commsim::sim::last_error_line(output.errors);
  if (!output.completed) return {};
  const auto json = nlohmann::json::parse(output.result);
  return {json.at("hosts").get<int>(),
          json.at("links").get<int>(),
          json.at("route").get<std::vector<std::string>>(),
          json.at("latency").get<double>(),
          json.at("narrowest").get<double>(),
          json.at("seconds").get<double>()};
}

double closed_form(double latency, double bandwidth) {
  return kLatencyFactor * latency + kBytes / (kBandwidthFactor * bandwidth);
}

void expect_closed_form(const Measured& measured, double hops, double latency, double bandwidth) {
  EXPECT_DOUBLE_EQ(measured.route_latency, hops * latency);
  EXPECT_DOUBLE_EQ(measured.narrowest, bandwidth);
  const double expected = closed_form(hops * latency, bandwidth);
  EXPECT_NEAR(measured.seconds, expected, expected * 1e-9)
      << "measured " << measured.seconds << " s, closed form " << expected << " s";
}

// 25 Gbps = 3.125e9 B/s and 3 us per link everywhere below.
constexpr double kBandwidth = 3.125e9;
constexpr double kLatency = 3e-6;
const std::string kNetwork = "  network: { bandwidth: 25Gbps, latency: 3us }\n";

TEST(Topology, ClusterIsTwoNicHopsBetweenNodes) {
  const Scenario scenario = parse(with_topology("  kind: cluster\n  nodes: 4\n" + kNetwork, 4));
  const Measured measured = measure(scenario, 0, 3);
  EXPECT_EQ(measured.hosts, 4);
  EXPECT_EQ(measured.links, 4 * 3);  // per node: NIC up, NIC down, loopback
  EXPECT_EQ(measured.route, (std::vector<std::string>{"nic0_UP", "nic3_DOWN"}));
  expect_closed_form(measured, 2, kLatency, kBandwidth);
}

TEST(Topology, ClusterNicLimitCapsBothEnds) {
  const Scenario scenario = parse(
      with_topology("  kind: cluster\n  nodes: 4\n  network: { bandwidth: 25Gbps, latency: 3us, "
                    "nic_limit: 100Gbps }\nnodes:\n  node3: { nic_limit: 10Gbps }",
                    4));
  const Measured measured = measure(scenario, 0, 3);
  EXPECT_EQ(measured.links, 4 * 4);  // and a limiter per node
  EXPECT_EQ(measured.route,
            (std::vector<std::string>{"nic0_UP", "limiter0", "limiter3", "nic3_DOWN"}));
  expect_closed_form(measured, 2, kLatency, 10e9 / 8);
}

TEST(Topology, SingleNodeIsOneHostAndItsLoopback) {
  const Scenario scenario = parse(with_topology(
      "  kind: single_node\n  network: { loopback_bandwidth: 4GBps, loopback_latency: 2us }", 2));
  ASSERT_EQ(scenario.topology.nodes, 1);
  const Measured measured = measure(scenario, 0, 0);
  EXPECT_EQ(measured.hosts, 1);
  EXPECT_EQ(measured.route, std::vector<std::string>{"lo0"});
  expect_closed_form(measured, 1, 2e-6, 4e9);
}

// SimGrid's FatTreeParams 2;2,2;1,2;1,1: 4 nodes, 2 leaf switches of 2 nodes, 2 top switches.
TEST(Topology, FatTreeGoesUpOnlyAsFarAsTheCommonSwitch) {
  const Scenario scenario = parse(with_topology(
      "  kind: fat_tree\n  fat_tree: { levels: 2, down: [2, 2], up: [1, 2], links: [1, 1] }\n" +
          kNetwork,
      4));
  ASSERT_EQ(scenario.topology.nodes, 4);
  const Measured same_switch = measure(scenario, 0, 1);
  // Cables: 4 node-leaf + 2 leaves x 2 parents = 8, SPLITDUPLEX (2 links each); a loopback and a
  // limiter per node.
  EXPECT_EQ(same_switch.hosts, 4);
  EXPECT_EQ(same_switch.links, 8 * 2 + 4 + 4);
  // The source's limiter, its link up, the destination's link down, its limiter.
  EXPECT_EQ(same_switch.route, (std::vector<std::string>{"nic0", "link_from_0_7_0_UP",
                                                         "link_from_1_7_1_DOWN", "nic1"}));
  expect_closed_form(same_switch, 2, kLatency, kBandwidth);
  const Measured across = measure(scenario, 0, 3);
  EXPECT_EQ(across.route.size(), 6u);
  expect_closed_form(across, 4, kLatency, kBandwidth);
}

// A 4 x 2 torus: SimGrid puts node i at (i % 4, i / 4); routes go dimension by dimension, the
// short way round each ring.
TEST(Topology, TorusRoutesTheShortWayInEachDimension) {
  const Scenario scenario =
      parse(with_topology("  kind: torus\n  torus: { dimensions: [4, 2] }\n" + kNetwork, 8));
  ASSERT_EQ(scenario.topology.nodes, 8);
  const Measured neighbour = measure(scenario, 0, 1);
  // One SPLITDUPLEX link per node and dimension, a loopback and a limiter per node.
  EXPECT_EQ(neighbour.hosts, 8);
  EXPECT_EQ(neighbour.links, 8 * 2 * 2 + 8 + 8);
  EXPECT_EQ(neighbour.route,
            (std::vector<std::string>{"nic0", "torus_link_from_0_to_1_UP", "nic1"}));
  expect_closed_form(neighbour, 1, kLatency, kBandwidth);
  // (0,0) -> (2,1): two hops in the first dimension, one in the second.
  const Measured far = measure(scenario, 0, 6);
  expect_closed_form(far, 3, kLatency, kBandwidth);
  // (0,0) -> (3,0): one hop the other way round the ring.
  const Measured wrapped = measure(scenario, 0, 3);
  expect_closed_form(wrapped, 1, kLatency, kBandwidth);
}

// Dragonfly 2,1;1,1;2,1;1: 2 groups x 1 chassis x 2 routers x 1 node.
TEST(Topology, DragonflyCrossesRoutersAndGroups) {
  const Scenario scenario = parse(with_topology(
      "  kind: dragonfly\n  dragonfly: { groups: [2, 1], chassis: [1, 1], routers: [2, 1], "
      "nodes: 1 }\n" +
          kNetwork,
      4));
  ASSERT_EQ(scenario.topology.nodes, 4);
  // Same group and chassis, next router: node -> router, router -> router, router -> node.
  const Measured near = measure(scenario, 0, 1);
  EXPECT_EQ(near.hosts, 4);
  expect_closed_form(near, 3, kLatency, kBandwidth);
  // The other group: to the router joined to group 1, over the blue link, down to the node.
  const Measured other_group = measure(scenario, 0, 2);
  EXPECT_EQ(other_group.route,
            (std::vector<std::string>{"nic0", "local_link_from_router_0_to_node_0_0_UP",
                                      "green_link_in_chassis_0_between_routers_0_and_1_4_UP",
                                      "blue_link_between_group_0_and_1_routers_1_and_2_6_UP",
                                      "local_link_from_router_2_to_node_0_2_DOWN", "nic2"}));
  expect_closed_form(other_group, 4, kLatency, kBandwidth);
}

// ---------------------------------------------------------------------------------------------
// SimGrid platform files, in the shapes of SimGrid's examples/platforms.

class PlatformFile : public ::testing::Test {
 protected:
  // Writes `xml` to a file of its own and returns a scenario of kind xml that uses it.
  Scenario scenario_for(const std::string& xml, const std::string& unit = "hosts", int ranks = 0) {
    path_ = std::filesystem::temp_directory_path() /
            ("commsim-topology-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".xml");
    std::ofstream(path_) << xml;
    const auto found = commsim::sim::read_platform_file(path_.string(), unit);
    EXPECT_EQ(found.error, "");
    const int nodes = static_cast<int>(found.nodes.size());
    // The scenario sits beside its platform file: a scenario names files inside its own tree.
    return parse(with_topology("  kind: xml\n  xml: { file: " + path_.filename().string() +
                                   ", nodes: " + unit + " }",
                               ranks > 0 ? ranks : nodes),
                 (path_.parent_path() / "test.yaml").string());
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

constexpr const char* kHeader =
    "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
    "<platform version=\"4.1\">\n";

// examples/platforms/cluster_backbone.xml, with 8 nodes and node facts as properties.
TEST_F(PlatformFile, ClusterWithBackbone) {
  const Scenario scenario = scenario_for(
      std::string(kHeader) +
      "<cluster id=\"cluster0\" prefix=\"node-\" radical=\"0-7\" suffix=\".simgrid.org\"\n"
      "  speed=\"1Gf\" core=\"4\" bw=\"125MBps\" lat=\"50us\" bb_bw=\"2.25GBps\" "
      "bb_lat=\"500us\">\n"
      "  <prop id=\"arch\" value=\"aarch64\"/><prop id=\"init_shm_manager\" value=\"false\"/>\n"
      "  <prop id=\"env:VLLM_CPU_KVCACHE_SPACE\" value=\"8\"/>\n"
      "</cluster>\n</platform>\n");
  ASSERT_EQ(scenario.topology.nodes, 8);
  // Natural order: node-2 before node-10 would hold too; here 0..7 in order.
  EXPECT_EQ(scenario.node_name(0), "node-0.simgrid.org");
  EXPECT_EQ(scenario.node_name(7), "node-7.simgrid.org");
  const auto node = scenario.node(5);
  EXPECT_EQ(node.arch, commsim::comm::Arch::kArm);
  EXPECT_FALSE(node.has_init_shm_manager);
  EXPECT_EQ(node.hardware.cores, 4);
  EXPECT_EQ(node.hardware.core_flops, 1e9);
  EXPECT_EQ(node.environment.at("VLLM_CPU_KVCACHE_SPACE"), "8");
  // The route node-0 -> node-2 is l0.UP ; backbone ; l2.DOWN (as the example's comment says).
  const Measured measured = measure(scenario, 0, 2);
  EXPECT_EQ(measured.hosts, 8);
  EXPECT_EQ(measured.route.size(), 3u);
  EXPECT_DOUBLE_EQ(measured.route_latency, 50e-6 + 500e-6 + 50e-6);
  const double expected = closed_form(600e-6, 125e6);
  EXPECT_NEAR(measured.seconds, expected, expected * 1e-9);
}

// examples/platforms/cluster_fat_tree.xml: 16 nodes, FAT_TREE 2;4,4;1,2;1,2.
TEST_F(PlatformFile, FatTreeCluster) {
  const Scenario scenario = scenario_for(
      std::string(kHeader) +
      "<zone id=\"world\" routing=\"Full\">\n"
      "<cluster id=\"bob_cluster\" prefix=\"node-\" radical=\"0-15\" suffix=\".simgrid.org\"\n"
      "  speed=\"1Gf\" bw=\"125MBps\" lat=\"50us\" topology=\"FAT_TREE\" "
      "topo_parameters=\"2;4,4;1,2;1,2\"\n"
      "  loopback_bw=\"100MBps\" loopback_lat=\"0\"/>\n</zone>\n</platform>\n");
  ASSERT_EQ(scenario.topology.nodes, 16);
  EXPECT_EQ(scenario.node_name(10), "node-10.simgrid.org");  // natural order, not "node-1x"
  const Measured same_leaf = measure(scenario, 0, 3);
  EXPECT_EQ(same_leaf.hosts, 16);
  EXPECT_DOUBLE_EQ(same_leaf.route_latency, 2 * 50e-6);
  const Measured across = measure(scenario, 0, 15);
  EXPECT_DOUBLE_EQ(across.route_latency, 4 * 50e-6);
  const double expected = closed_form(4 * 50e-6, 125e6);
  EXPECT_NEAR(across.seconds, expected, expected * 1e-9);
}

// examples/platforms/cluster_dragonfly.xml: 3,4;4,3;5,1;2 is 120 nodes, with limiters.
TEST_F(PlatformFile, DragonflyCluster) {
  const Scenario scenario = scenario_for(
      std::string(kHeader) +
          "<zone id=\"world\" routing=\"Full\">\n"
          "<cluster id=\"bob_cluster\" topology=\"DRAGONFLY\" topo_parameters=\"3,4;4,3;5,1;2\"\n"
          "  prefix=\"node-\" radical=\"0-119\" suffix=\".simgrid.org\" speed=\"1Gf\" "
          "bw=\"125MBps\" lat=\"50us\"\n"
          "  loopback_bw=\"100MBps\" loopback_lat=\"0\" limiter_link=\"150MBps\"/>\n"
          "</zone>\n</platform>\n",
      "hosts", 120);
  ASSERT_EQ(scenario.topology.nodes, 120);
  const Measured measured = measure(scenario, 0, 119);
  EXPECT_EQ(measured.hosts, 120);
  EXPECT_GE(measured.route_latency, 3 * 50e-6);
  const double expected = closed_form(measured.route_latency, 125e6);
  EXPECT_NEAR(measured.seconds, expected, expected * 1e-9);
}

// examples/platforms/routing_cluster.xml, cut to two hosts a side: two Cluster zones with a
// backbone and a router each, joined router to router. A route between the zones is looked up
// only once SimGrid has sealed the platform, as a run does.
TEST_F(PlatformFile, ClustersJoinedThroughRouters) {
  std::string xml = std::string(kHeader) + "<zone id=\"AS0\" routing=\"Full\">\n";
  for (const std::string side : {"1", "2"}) {
    xml += "<zone id=\"my_cluster" + side + "\" routing=\"Cluster\">\n<router id=\"router" + side +
           "\"/>\n";
    for (const std::string host : {"a", "b"}) {
      const std::string id = "host" + side + host;
      xml += "<host id=\"" + id + "\" speed=\"1Gf\"/>\n<link id=\"" + id +
             "-l\" bandwidth=\"125MBps\" latency=\"100us\" sharing_policy=\"SPLITDUPLEX\"/>\n"
             "<host_link id=\"" +
             id + "\" up=\"" + id + "-l_UP\" down=\"" + id + "-l_DOWN\"/>\n";
    }
    xml += "<backbone id=\"backbone" + side +
           "\" bandwidth=\"2.25GBps\" latency=\"500us\"/>\n</zone>\n";
  }
  xml +=
      "<link id=\"link1-2\" bandwidth=\"2.25GBps\" latency=\"500us\"/>\n"
      "<zoneRoute src=\"my_cluster1\" dst=\"my_cluster2\" gw_src=\"router1\" "
      "gw_dst=\"router2\"><link_ctn id=\"link1-2\"/></zoneRoute>\n</zone>\n</platform>\n";
  const Scenario scenario = scenario_for(xml);
  ASSERT_EQ(scenario.topology.nodes, 4);
  EXPECT_EQ(scenario.node_name(2), "host2a");
  // host1a up, backbone1, router1 -> router2, backbone2, host2a down.
  const Measured measured = measure(scenario, 0, 2);
  EXPECT_EQ(measured.route, (std::vector<std::string>{"host1a-l_UP", "backbone1", "link1-2",
                                                      "backbone2", "host2a-l_DOWN"}));
  EXPECT_DOUBLE_EQ(measured.route_latency, 100e-6 + 3 * 500e-6 + 100e-6);
  const double expected = closed_form(1700e-6, 125e6);
  EXPECT_NEAR(measured.seconds, expected, expected * 1e-9);
}

// Nodes as zones (examples/cpp/clusters-multicpu's shape): each zone of CPU hosts is one node,
// and its ranks go round its hosts.
TEST_F(PlatformFile, ZonesAsNodes) {
  std::string xml = std::string(kHeader) + "<zone id=\"world\" routing=\"Full\">\n";
  for (const char* node : {"a", "b", "c"}) {
    const std::string id = node;
    xml += "<zone id=\"" + id + "\" routing=\"Cluster\"><prop id=\"threads\" value=\"6\"/>\n";
    for (int cpu = 0; cpu < 2; ++cpu) {
      const std::string host = id + "-cpu" + std::to_string(cpu);
      xml += "<host id=\"" + host + "\" speed=\"2Gf\" core=\"8\"/>\n<link id=\"" + host +
             "-l\" bandwidth=\"10GBps\" latency=\"1us\" sharing_policy=\"SPLITDUPLEX\"/>\n"
             "<host_link id=\"" +
             host + "\" up=\"" + host + "-l_UP\" down=\"" + host + "-l_DOWN\"/>\n";
    }
    xml += "</zone>\n";
  }
  xml +=
      "<link id=\"ab\" bandwidth=\"1GBps\" latency=\"5us\"/>\n"
      "<link id=\"bc\" bandwidth=\"1GBps\" latency=\"5us\"/>\n"
      "<link id=\"ac\" bandwidth=\"1GBps\" latency=\"5us\"/>\n"
      "<zoneRoute src=\"a\" dst=\"b\" gw_src=\"a-cpu0\" gw_dst=\"b-cpu0\"><link_ctn "
      "id=\"ab\"/></zoneRoute>\n"
      "<zoneRoute src=\"b\" dst=\"c\" gw_src=\"b-cpu0\" gw_dst=\"c-cpu0\"><link_ctn "
      "id=\"bc\"/></zoneRoute>\n"
      "<zoneRoute src=\"a\" dst=\"c\" gw_src=\"a-cpu0\" gw_dst=\"c-cpu0\"><link_ctn "
      "id=\"ac\"/></zoneRoute>\n</zone>\n</platform>\n";
  const Scenario scenario = scenario_for(xml, "zones", 6);
  ASSERT_EQ(scenario.topology.nodes, 3);
  EXPECT_EQ(scenario.node_name(1), "b");
  ASSERT_EQ(scenario.topology.xml.nodes[1].hosts, (std::vector<std::string>{"b-cpu0", "b-cpu1"}));
  EXPECT_EQ(scenario.node(2).num_threads, 6);
  // From a's second CPU to c's second, through both zones' gateways (their first CPUs).
  const Measured measured = measure(scenario, 0, 2, 1, 1);
  EXPECT_EQ(measured.hosts, 6);
  EXPECT_EQ(measured.route, (std::vector<std::string>{"a-cpu1-l_UP", "a-cpu0-l_DOWN", "ac",
                                                      "c-cpu0-l_UP", "c-cpu1-l_DOWN"}));
  EXPECT_DOUBLE_EQ(measured.route_latency, 4 * 1e-6 + 5e-6);
  const double expected = closed_form(9e-6, 1e9);
  EXPECT_NEAR(measured.seconds, expected, expected * 1e-9);
}

TEST_F(PlatformFile, WhatCannotBeMappedIsOneLine) {
  path_ = std::filesystem::temp_directory_path() /
          ("commsim-topology-" + std::to_string(::getpid()) + "-bad.xml");
  const auto error_for = [&](const std::string& xml, const std::string& unit = "hosts") {
    std::ofstream(path_) << xml;
    return commsim::sim::read_platform_file(path_.string(), unit).error;
  };
  EXPECT_NE(error_for(std::string(kHeader) + "<zone id=\"w\" routing=\"Full\">\n<hostx/>\n"
                                             "</zone></platform>\n")
                .find(":5: Invalid XML"),
            std::string::npos);
  EXPECT_NE(error_for(std::string(kHeader) +
                      "<zone id=\"w\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gf\"/>\n<host "
                      "id=\"b\" speed=\"1Gf\"/>\n<route src=\"a\" dst=\"b\"><link_ctn "
                      "id=\"missing\"/></route></zone></platform>\n")
                .find("Link not found: missing"),
            std::string::npos);
  std::filesystem::remove(path_);
  EXPECT_NE(error_for("").find("SimGrid cannot use it"), std::string::npos);
  std::filesystem::remove(path_);
  const std::string missing = commsim::sim::read_platform_file(path_.string(), "hosts").error;
  EXPECT_NE(missing.find("cannot read platform file"), std::string::npos) << missing;

  // A host that only some of the others reach: a Full zone gives an empty route.
  EXPECT_NE(error_for(std::string(kHeader) +
                      "<zone id=\"w\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gf\"/>\n<host "
                      "id=\"b\" speed=\"1Gf\"/><host id=\"c\" speed=\"1Gf\"/>\n<link id=\"l\" "
                      "bandwidth=\"1GBps\" latency=\"1us\"/><route src=\"a\" dst=\"b\"><link_ctn "
                      "id=\"l\"/></route></zone></platform>\n")
                .find("SimGrid cannot route from a to c (the route is empty"),
            std::string::npos);
  // A property commsim reads, with a value it cannot use.
  std::ofstream(path_) << std::string(kHeader)
                       << "<zone id=\"w\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gf\"><prop "
                          "id=\"arch\" value=\"sparc\"/></host>\n<host id=\"b\" speed=\"1Gf\"/>"
                          "<link id=\"l\" bandwidth=\"1GBps\" latency=\"1us\"/><route src=\"a\" "
                          "dst=\"b\"><link_ctn id=\"l\"/></route></zone></platform>\n";
  const auto result = commsim::scenario::parse_scenario_text(
      with_topology("  kind: xml\n  xml: { file: " + path_.filename().string() + " }", 2),
      (path_.parent_path() / "t.yaml").string(), &commsim::sim::read_platform_file);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].to_string().find("t.yaml:5:16: topology.xml.file: " + path_.string() +
                                              ": node 'a': property 'arch': unknown arch 'sparc'"),
            std::string::npos)
      << result.errors[0].to_string();
}

// SimGrid takes NaN, negative, zero and huge numbers from a file; commsim names the element and its
// position instead of computing meaningless times or aborting in the middle of a run.
TEST_F(PlatformFile, NumbersOutOfRangeNameTheElementAndItsPosition) {
  path_ = std::filesystem::temp_directory_path() /
          ("commsim-topology-" + std::to_string(::getpid()) + "-range.xml");
  const auto error_for = [&](const std::string& host_speed, const std::string& bandwidth,
                             const std::string& latency) {
    std::ofstream(path_) << std::string(kHeader)
                         << "<zone id=\"w\" routing=\"Full\">\n<host id=\"a\" "
                         << "speed=\"1Gf\"/>\n<host id=\"b\" speed=\"" << host_speed
                         << "\"/>\n<link id=\"l\" bandwidth=\"" << bandwidth << "\" latency=\""
                         << latency
                         << "\"/>\n<route src=\"a\" dst=\"b\"><link_ctn id=\"l\"/></route>\n"
                            "</zone></platform>\n";
    return commsim::sim::read_platform_file(path_.string(), "hosts").error;
  };
  const std::string file = path_.string();
  // The header takes lines 1-3 and the zone line 4: host b's id is at 6:7, link l's at 7:7.
  const std::string host_b = "6:7: host 'b': ";
  const std::string link_l = "7:7: link 'l': ";
  EXPECT_EQ(error_for("-1Gf", "1GBps", "1us"),
            file + ":" + host_b +
                "speed -1e+09 flop/s is out of range; a computing speed must be from 1f to 1000Pf");
  EXPECT_EQ(error_for("1Gf", "nanBps", "1us"),
            file + ":" + link_l +
                "bandwidth nan B/s is out of range; a bandwidth must be from 1bps to 1000PBps");
  EXPECT_EQ(error_for("1Gf", "0Bps", "1us"),
            file + ":" + link_l +
                "bandwidth 0 B/s is out of range; a bandwidth must be from 1bps to 1000PBps");
  EXPECT_EQ(error_for("1Gf", "1GBps", "1e300s"),
            file + ":" + link_l +
                "latency 1e+300 s is out of range; a latency must be 0 or from 1ns to 1000000s");
  EXPECT_EQ(error_for("1Gf", "1GBps", "0s"), "") << "a latency of 0 is a valid link";
  std::filesystem::remove(path_);
}

// The export of a generated topology (a SimGrid <cluster topology=...>) loads back into the same
// network: the same times between every pair of nodes the scenario's stages use.
TEST_F(PlatformFile, ExportedGeneratedTopologiesLoadBackAlike) {
  for (const char* name : {"fat-tree-tp2-pp4", "torus-tp2-pp4", "dragonfly-tp2-pp4"}) {
    const std::string path = std::string("scenarios/topologies/") + name + ".yaml";
    const auto parsed = commsim::scenario::parse_scenario_file(path);
    ASSERT_TRUE(parsed.scenario) << path;
    const Scenario& built = *parsed.scenario;
    const Scenario loaded = scenario_for(commsim::sim::platform_xml(built), "hosts", 8);
    ASSERT_EQ(loaded.topology.nodes, built.topology.nodes) << name;
    for (int to = 1; to < built.topology.nodes; ++to) {
      const Measured ours = measure(built, 0, to);
      const Measured theirs = measure(loaded, 0, to);
      EXPECT_DOUBLE_EQ(theirs.route_latency, ours.route_latency) << name << " 0 -> " << to;
      EXPECT_DOUBLE_EQ(theirs.seconds, ours.seconds) << name << " 0 -> " << to;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Edits that must move the simulated time, on the scenarios of scenarios/topologies/.

double sim_time(const std::string& path, const std::string& from = "", const std::string& to = "") {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!from.empty()) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  const Scenario scenario = parse(text, path);
  const auto record =
      commsim::sim::run_isolated(scenario, *commsim::comm::find_policy("vllm-pr40150"));
  return record.sim_time_s;
}

TEST(TopologyEdits, SlowerLinksSlowTheFatTreeHandOff) {
  const std::string path = "scenarios/topologies/fat-tree-tp2-pp4.yaml";
  const double base = sim_time(path);
  EXPECT_GT(sim_time(path, "bandwidth: 100Gbps", "bandwidth: 10Gbps"), base);
  EXPECT_GT(sim_time(path, "latency: 1us", "latency: 20us"), base);
  EXPECT_LT(sim_time(path, "bandwidth: 100Gbps", "bandwidth: 400Gbps"), base);
}

TEST(TopologyEdits, PresetsAndNicLimitsMoveTheTime) {
  // The SHM hand-off on one node copies through the memory bus: the x86-server preset's
  // 614.4 GB/s beats this machine's 36.0 GB/s.
  const std::string single = "scenarios/topologies/single-node-tp2-pp2.yaml";
  EXPECT_LT(sim_time(single, "preset: this-machine", "preset: x86-server"), sim_time(single));
  // A NIC limit on node 1 below its 25 Gbps links slows the hand-off's tensors into it.
  const std::string two_nodes = "scenarios/regressions/tp2-pp2-two-nodes.yaml";
  EXPECT_GT(sim_time(two_nodes, "network: { bandwidth: 25Gbps, latency: 10us }",
                     "network: { bandwidth: 25Gbps, latency: 10us }\nnodes:\n  node1: { "
                     "nic_limit: 1Gbps }"),
            sim_time(two_nodes));
}

TEST(TopologyEdits, AWiderTorusIsFurtherApart) {
  const std::string path = "scenarios/topologies/torus-tp2-pp4.yaml";
  // Stage i runs on node i. On the 2 x 2 torus, node 1 (0,1) -> node 2 (1,0) is two hops; on a
  // ring of 4 every stage is one hop from the next.
  const double square = sim_time(path);
  EXPECT_LT(sim_time(path, "dimensions: [2, 2]", "dimensions: [4]"), square);
  EXPECT_GT(sim_time(path, "latency: 1us", "latency: 50us"), square);
}

TEST(TopologyEdits, PlatformFileLinksDecideTheTime) {
  // The PP groups of xml-two-racks-tp2-pp2-dp2 cross the links inside each rack: ten times
  // slower links there, and the hand-off takes longer.
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("commsim-topology-edit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "platforms");
  const std::string scenario = "scenarios/topologies/xml-two-racks-tp2-pp2-dp2.yaml";
  std::filesystem::copy_file(scenario, dir / "s.yaml");
  std::ifstream in("scenarios/topologies/platforms/two-racks.xml");
  std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "platforms" / "two-racks.xml") << xml;
  const double base = sim_time((dir / "s.yaml").string());
  EXPECT_DOUBLE_EQ(base, sim_time(scenario));
  for (std::size_t at = xml.find("bw=\"12.5GBps\""); at != std::string::npos;
       at = xml.find("bw=\"12.5GBps\"", at)) {
    xml.replace(at, 13, "bw=\"1.25GBps\"");
  }
  std::ofstream(dir / "platforms" / "two-racks.xml") << xml;
  EXPECT_GT(sim_time((dir / "s.yaml").string()), base);
  std::filesystem::remove_all(dir);
}

}  // namespace
