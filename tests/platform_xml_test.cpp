// The platform file export: what it holds, that SimGrid loads it into the network
// build_platform builds, that per-node hardware and node facts survive, and that faults are
// refused. The SMPI cross-check of the exported file is tests/smpi/allreduce_timer.cpp.
#include "sim/platform_xml.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario_parser.h"
#include "scenarios/units.h"

namespace {

namespace sg4 = simgrid::s4u;
using commsim::scenario::Scenario;
using commsim::sim::platform_xml;
using commsim::sim::PlatformExportError;

Scenario parse(const std::string& text) {
  auto result = commsim::scenario::parse_scenario_text(text, "test.yaml");
  EXPECT_TRUE(result.errors.empty()) << result.errors.front().to_string();
  return *result.scenario;
}

// Three nodes, node1 overridden; numbers chosen so that none has a short decimal spelling.
constexpr const char* kScenario = R"(name: export
policy: vllm-pr40150
topology:
  kind: cluster
  nodes: 3
  node: { cores: 4, core_gflops: 123.456, memory_bandwidth: 33.3GBps }
  network: { bandwidth: 12.5Gbps, latency: 7us, loopback_bandwidth: 3.3GBps,
             loopback_latency: 0.7us }
nodes:
  node1: { arch: aarch64, init_shm_manager: false, cores: 8, core_gflops: 50,
           memory_bandwidth: 100GBps }
parallel: { tensor: 3 }
workload: { kind: tp_allreduce, tensors: { x: { dtype: f32, shape: [16] } } }
)";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++found;
  }
  return found;
}

TEST(PlatformXml, DescribesEveryNodeItsNicAndLoopback) {
  const std::string xml = platform_xml(parse(kScenario));
  EXPECT_EQ(xml.rfind("<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM", 0), 0u) << xml;
  EXPECT_NE(xml.find("<platform version=\"4.1\">"), std::string::npos);
  EXPECT_NE(xml.find("<zone id=\"cluster\" routing=\"Cluster\">"), std::string::npos);
  EXPECT_NE(xml.find("<!-- commsim: LV08, crosstraffic on"), std::string::npos);
  EXPECT_EQ(xml.find("<config>"), std::string::npos);  // crosstraffic on is SimGrid's default
  EXPECT_EQ(count(xml, "<host id="), 3u);
  EXPECT_EQ(count(xml, "sharing_policy=\"SPLITDUPLEX\""), 3u);
  EXPECT_EQ(count(xml, "<host_link id="), 3u);
  EXPECT_NE(xml.find("<host_link id=\"node2\" up=\"nic2_UP\" down=\"nic2_DOWN\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<route src=\"node1\" dst=\"node1\" symmetrical=\"NO\"><link_ctn "
                     "id=\"lo1\"/></route>"),
            std::string::npos);
  EXPECT_NE(xml.find("<link id=\"nic0\" bandwidth=\"12.5Gbps\" latency=\"7us\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<link id=\"lo0\" bandwidth=\"3.3GBps\" latency=\"0.7us\"/>"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("membus"), xml.rfind("membus"));  // named once, in the comment only
}

// Every topology kind's export is well-formed XML, as a reader other than SimGrid checks it
// (xmllint, from Debian's libxml2-utils; no DTD fetched). Comments hold no "--".
TEST(PlatformXml, EveryKindIsWellFormedForXmllint) {
  if (std::system("command -v xmllint > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "xmllint is not installed (Debian: libxml2-utils)";
  }
  const std::string head = "name: well-formed\npolicy: vllm-pr40150\ntopology:\n";
  const std::string tail =
      "  network: { bandwidth: 10Gbps, latency: 5us, crosstraffic: false }\n"
      "parallel: { tensor: 4 }\nworkload: { kind: tp_allreduce }\n";
  for (const std::string& kind : {
           std::string("  kind: cluster\n  nodes: 4\n"),
           std::string("  kind: fat_tree\n  fat_tree: { levels: 2, down: [2, 2], up: [1, 2], "
                       "links: [1, 1] }\n"),
           std::string("  kind: torus\n  torus: { dimensions: [2, 2] }\n"),
           std::string("  kind: dragonfly\n  dragonfly: { groups: [2, 1], chassis: [1, 1], "
                       "routers: [2, 1], nodes: 1 }\n"),
       }) {
    const std::string xml = platform_xml(parse(head + kind + tail));
    for (auto at = xml.find("<!--"); at != std::string::npos; at = xml.find("<!--", at + 4)) {
      const auto end = xml.find("-->", at + 4);
      ASSERT_NE(end, std::string::npos);
      EXPECT_EQ(xml.substr(at + 4, end - at - 4).find("--"), std::string::npos) << kind;
    }
    const auto path = std::filesystem::temp_directory_path() /
                      ("commsim-well-formed-" + std::to_string(::getpid()) + ".xml");
    std::ofstream(path) << xml;
    const std::string lint = "xmllint --noout --nonet " + path.string() + " 2>&1";
    EXPECT_EQ(std::system(lint.c_str()), 0) << kind << xml;
    std::filesystem::remove(path);
  }
}

TEST(PlatformXml, CrosstrafficOffBecomesAConfigProperty) {
  std::string text = kScenario;
  text.replace(text.find("latency: 7us,"), 13, "latency: 7us, crosstraffic: false,");
  const std::string xml = platform_xml(parse(text));
  EXPECT_NE(xml.find("crosstraffic off"), std::string::npos);
  EXPECT_NE(xml.find("<config>\n    <prop id=\"network/crosstraffic\" value=\"0\"/>\n  </config>"),
            std::string::npos)
      << xml;
  EXPECT_LT(xml.find("<config>"), xml.find("<zone"));  // the DTD wants it first
}

TEST(PlatformXml, NodeFactsArePropertiesThatParseBackExactly) {
  const Scenario scenario = parse(kScenario);
  const std::string xml = platform_xml(scenario);
  EXPECT_NE(xml.find("<prop id=\"arch\" value=\"aarch64\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<prop id=\"init_shm_manager\" value=\"false\"/>"), std::string::npos);
  EXPECT_EQ(count(xml, "<prop id=\"init_shm_manager\" value=\"true\"/>"), 2u);
  const auto value_of = [&xml](const std::string& host, const std::string& prop) {
    const auto at = xml.find("<host id=\"" + host + "\"");
    const auto prop_at = xml.find("<prop id=\"" + prop + "\" value=\"", at);
    const auto begin = xml.find("value=\"", prop_at) + 7;
    return xml.substr(begin, xml.find('"', begin) - begin);
  };
  for (int node = 0; node < 3; ++node) {
    const std::string host = "node" + std::to_string(node);
    const auto bandwidth =
        commsim::scenario::parse_bandwidth(value_of(host, "memory_bandwidth")).value;
    ASSERT_TRUE(bandwidth) << host;
    EXPECT_EQ(*bandwidth, scenario.node(node).hardware.memory_bandwidth) << host;
    const auto latency = commsim::scenario::parse_time(value_of(host, "memory_latency")).value;
    ASSERT_TRUE(latency) << host;
    EXPECT_EQ(*latency, scenario.node(node).hardware.memory_latency) << host;
  }
}

TEST(PlatformXml, FaultsAreRefusedNamingTheFirst) {
  std::string text = kScenario;
  text +=
      "faults:\n  - { kind: slow_node, node: 1, factor: 0.5 }\n"
      "  - { kind: link_down, node: 0, at: 1ms }\n";
  try {
    platform_xml(parse(text));
    FAIL() << "no PlatformExportError";
  } catch (const PlatformExportError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("slow_node"), std::string::npos) << message;
    EXPECT_EQ(message.find("link_down"), std::string::npos) << message;
    EXPECT_NE(message.find("does not carry faults"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

// SimGrid loads the file into the star network build_platform builds. The only test here
// that creates a SimGrid engine (one per process).
TEST(PlatformXml, SimGridLoadsTheSameNetwork) {
  const Scenario scenario = parse(kScenario);
  const auto path = std::filesystem::temp_directory_path() /
                    ("commsim-platform-" + std::to_string(::getpid()) + ".xml");
  std::ofstream(path) << platform_xml(scenario);
  int argc = 2;
  std::string name = "platform_xml_test";
  std::string quiet = "--log=root.thres:critical";
  std::vector<char*> argv = {name.data(), quiet.data(), nullptr};
  sg4::Engine engine(&argc, argv.data());
  engine.load_platform(path.string());
  std::filesystem::remove(path);

  const auto& network = scenario.topology.network;
  ASSERT_EQ(engine.get_host_count(), 3u);
  for (int node = 0; node < 3; ++node) {
    const std::string id = std::to_string(node);
    const auto& hardware = scenario.node(node).hardware;
    const sg4::Host* host = sg4::Host::by_name("node" + id);
    EXPECT_EQ(host->get_speed(), hardware.core_flops) << id;
    EXPECT_EQ(host->get_core_count(), hardware.cores) << id;
    EXPECT_STREQ(host->get_property("arch"), node == 1 ? "aarch64" : "x86_64");

    const sg4::Link* up = sg4::Link::by_name("nic" + id + "_UP");
    const sg4::Link* down = sg4::Link::by_name("nic" + id + "_DOWN");
    const sg4::Link* loopback = sg4::Link::by_name("lo" + id);
    for (const sg4::Link* link : {up, down}) {
      EXPECT_EQ(link->get_bandwidth(), network.bandwidth) << link->get_name();
      EXPECT_EQ(link->get_latency(), network.latency) << link->get_name();
    }
    EXPECT_EQ(loopback->get_bandwidth(), network.loopback_bandwidth);
    EXPECT_EQ(loopback->get_latency(), network.loopback_latency);
    EXPECT_EQ(loopback->get_sharing_policy(), sg4::Link::SharingPolicy::SHARED);

    std::vector<sg4::Link*> links;
    double latency = 0;
    host->route_to(host, links, &latency);
    ASSERT_EQ(links.size(), 1u);
    EXPECT_EQ(links[0], loopback);
    EXPECT_EQ(latency, network.loopback_latency);
  }
  std::vector<sg4::Link*> links;
  double latency = 0;
  sg4::Host::by_name("node0")->route_to(sg4::Host::by_name("node2"), links, &latency);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0]->get_name(), "nic0_UP");
  EXPECT_EQ(links[1]->get_name(), "nic2_DOWN");
  EXPECT_EQ(latency, 2 * network.latency);
}

}  // namespace
