#include "scenarios/topology_parser.h"

#include <algorithm>
#include <filesystem>

#include "scenarios/input_file.h"
#include "scenarios/launch_ports.h"
#include "scenarios/platform_facts.h"

namespace commsim::scenario::parsing {

namespace {

const KeyList kTopologyKeys = {"kind",     "nodes", "node",      "network",
                               "fat_tree", "torus", "dragonfly", "xml"};
const std::vector<std::string> kTopologyKinds = {"single_node", "cluster",   "fat_tree",
                                                 "torus",       "dragonfly", "xml"};
const KeyList kFatTreeKeys = {"levels", "down", "up", "links"};
const KeyList kTorusKeys = {"dimensions"};
const KeyList kDragonflyKeys = {"groups", "chassis", "routers", "nodes"};
const KeyList kXmlKeys = {"file", "nodes"};
const KeyList kNodeKeys = {
    "preset",           "arch",    "cores", "core_gflops", "memory_bandwidth", "memory_latency",
    "init_shm_manager", "threads", "env",   "stale_shm",   "kernels",          "ports_in_use"};
const KeyList kNodeOverrideKeys = {"preset",    "arch",        "init_shm_manager", "threads",
                                   "cores",     "core_gflops", "memory_bandwidth", "memory_latency",
                                   "nic_limit", "env",         "stale_shm",        "ports_in_use"};
const KeyList kNetworkKeys = {"bandwidth",    "latency", "loopback_bandwidth", "loopback_latency",
                              "crosstraffic", "model",   "nic_limit"};

}  // namespace

void TopologyParser::parse_topology(const Field& field) {
  const auto section = read_section(field, kTopologyKeys);
  if (!section) return;
  Topology& topology = scenario_.topology;
  if (const Field* kind = section->find("kind")) {
    if (auto text = read_choice(*kind, kTopologyKinds, "topology kind")) {
      topology.kind = *text;
    } else {
      nodes_valid_ = false;
    }
  }
  // Each generated kind has its own shape section, and no other kind takes one.
  for (const char* shape : {"fat_tree", "torus", "dragonfly", "xml"}) {
    const Field* f = section->find(shape);
    if (f && topology.kind != shape) {
      error(at_key(*f),
            f->path + ": only for topology kind '" + shape + "' (kind is '" + topology.kind + "')");
    } else if (!f && topology.kind == shape) {
      error(at_key(field),
            "topology: kind '" + std::string(shape) + "' needs a '" + shape + "' section");
      nodes_valid_ = false;
    }
  }
  std::optional<int> shape_nodes;  // what the kind's shape makes the node count
  if (topology.kind == "single_node") shape_nodes = 1;
  if (const Field* f = section->find("fat_tree"); f && topology.kind == "fat_tree") {
    shape_nodes = parse_fat_tree(*f, topology.fat_tree);
  }
  if (const Field* f = section->find("torus"); f && topology.kind == "torus") {
    shape_nodes = parse_torus(*f, topology.torus);
  }
  if (const Field* f = section->find("dragonfly"); f && topology.kind == "dragonfly") {
    shape_nodes = parse_dragonfly(*f, topology.dragonfly);
  }
  if (const Field* f = section->find("xml"); f && topology.kind == "xml") {
    shape_nodes = parse_xml_platform(*f, topology);
  }
  const bool shaped = topology.kind != "cluster";
  if (shaped && !shape_nodes) nodes_valid_ = false;
  if (shape_nodes) topology.nodes = *shape_nodes;
  if (const Field* nodes = section->find("nodes")) {
    if (auto count = read_int(*nodes, 1, kMaxRanks)) {
      if (!shaped) {
        topology.nodes = *count;
      } else if (shape_nodes && *count != *shape_nodes) {
        error(at(*nodes), "topology.nodes: " + std::to_string(*count) + " but the " +
                              topology.kind + " has " + std::to_string(*shape_nodes) +
                              " nodes; leave 'nodes' out, the shape gives it");
      }
    } else {
      nodes_valid_ = false;
    }
  }
  if (shape_nodes && *shape_nodes > kMaxRanks) {
    error(at_key(field), "topology: " + std::to_string(*shape_nodes) +
                             " nodes is more than the supported " + std::to_string(kMaxRanks));
    nodes_valid_ = false;
  }
  if (const Field* node = section->find("node")) {
    parse_node(*node, topology.node);
    if (topology.kind == "xml") refuse_host_hardware(*node, "topology.node");
  }
  if (const Field* network = section->find("network")) {
    if (const auto net = read_section(*network, kNetworkKeys)) {
      if (const Field* bandwidth = net->find("bandwidth")) {
        if (auto value = read_bandwidth(*bandwidth)) topology.network.bandwidth = *value;
      }
      if (const Field* latency = net->find("latency")) {
        if (auto value = read_time(*latency)) topology.network.latency = *value;
      }
      if (const Field* f = net->find("loopback_bandwidth")) {
        if (auto value = read_bandwidth(*f)) topology.network.loopback_bandwidth = *value;
      }
      if (const Field* f = net->find("loopback_latency")) {
        if (auto value = read_time(*f)) topology.network.loopback_latency = *value;
      }
      if (const Field* f = net->find("model")) {
        if (auto model = read_choice(*f, {"LV08", "CM02", "SMPI"}, "network model")) {
          topology.network.model = *model;
        }
      }
      if (const Field* f = net->find("crosstraffic")) {
        if (auto value = read_bool(*f)) topology.network.crosstraffic = *value;
      }
      if (const Field* f = net->find("nic_limit")) {
        if (auto value = read_bandwidth(*f)) topology.network.nic_limit = *value;
      }
      if (topology.kind == "xml") {
        // The file's links carry their own bandwidths and latencies.
        for (const char* key :
             {"bandwidth", "latency", "loopback_bandwidth", "loopback_latency", "nic_limit"}) {
          if (const Field* f = net->find(key)) {
            error(at_key(*f), f->path +
                                  ": an xml platform's links are the file's own; only "
                                  "'model' and 'crosstraffic' apply");
          }
        }
      }
    }
  }
}

// The product of `factors`, or nullopt when it passes kMaxRanks.
std::optional<int> TopologyParser::product(const std::vector<int>& factors) {
  std::int64_t total = 1;
  for (int factor : factors) {
    total *= factor;
    if (total > kMaxRanks) return std::nullopt;
  }
  return static_cast<int>(total);
}

std::optional<int> TopologyParser::too_many_nodes(const Field& field) {
  error(at_key(field), field.path + ": more than " + std::to_string(kMaxRanks) + " nodes");
  return std::nullopt;
}

// SimGrid's FatTreeParams: `levels`, then per level `down`, `up` and `links`.
std::optional<int> TopologyParser::parse_fat_tree(const Field& field, FatTreeShape& shape) {
  const auto section = read_section(field, kFatTreeKeys);
  if (!section) return std::nullopt;
  require(*section, kFatTreeKeys);
  const Field* levels = section->find("levels");
  if (levels == nullptr) return std::nullopt;
  const auto count = read_int(*levels, 1, 16);
  bool ok = count.has_value();
  for (const auto& [key, list] : {std::pair{"down", &shape.down}, std::pair{"up", &shape.up},
                                  std::pair{"links", &shape.links}}) {
    const Field* f = section->find(key);
    if (f == nullptr) {
      ok = false;
      continue;
    }
    auto values = read_int_list(*f, 1);
    if (!values) {
      ok = false;
    } else if (count && values->size() != static_cast<std::size_t>(*count)) {
      error(at(*f), f->path + ": " + std::to_string(values->size()) + " entries for " +
                        std::to_string(*count) + " levels; one per level");
      ok = false;
    } else {
      *list = std::move(*values);
    }
  }
  if (!ok) return std::nullopt;
  shape.levels = *count;
  const auto nodes = product(shape.down);
  if (!nodes) return too_many_nodes(field);
  // SimGrid builds, at level i + 1, up[0] x .. x up[i] x down[i+1] x .. x down[top] switches,
  // each with up[i] x links[i] links to the level above.
  constexpr std::int64_t kMaxElements = std::int64_t{1} << 20;
  std::int64_t elements = *nodes;
  std::int64_t links = 0;
  std::int64_t below = *nodes;
  for (int level = 0; level < shape.levels && elements <= kMaxElements; ++level) {
    links += below * shape.up[level] * shape.links[level];
    below = below / shape.down[level] * shape.up[level];
    elements += below;
  }
  if (elements > kMaxElements || links > 4 * kMaxElements) {
    error(at_key(field), field.path + ": more than " + std::to_string(kMaxElements) +
                             " switches and nodes, or " + std::to_string(4 * kMaxElements) +
                             " links; make 'up' or 'links' smaller");
    return std::nullopt;
  }
  return nodes;
}

std::optional<int> TopologyParser::parse_torus(const Field& field, TorusShape& shape) {
  const auto section = read_section(field, kTorusKeys);
  if (!section) return std::nullopt;
  require(*section, kTorusKeys);
  const Field* f = section->find("dimensions");
  if (f == nullptr) return std::nullopt;
  auto dimensions = read_int_list(*f, 1);
  if (!dimensions) return std::nullopt;
  if (dimensions->size() > 1 &&
      std::find(dimensions->begin(), dimensions->end(), 1) != dimensions->end()) {
    // SimGrid links each node to its next one in every dimension: in a ring of 1 that is
    // itself, and two such links clash.
    error(at(*f), f->path +
                      ": a dimension of 1 adds nothing to a torus of several dimensions "
                      "(and SimGrid cannot build it); leave it out");
    return std::nullopt;
  }
  shape.dimensions = std::move(*dimensions);
  const auto nodes = product(shape.dimensions);
  return nodes ? nodes : too_many_nodes(field);
}

// SimGrid's DragonflyParams: (count, links) for groups, chassis and routers, then nodes.
std::optional<int> TopologyParser::parse_dragonfly(const Field& field, DragonflyShape& shape) {
  const auto section = read_section(field, kDragonflyKeys);
  if (!section) return std::nullopt;
  require(*section, kDragonflyKeys);
  bool ok = true;
  for (const auto& [key, pair] :
       {std::pair{"groups", &shape.groups}, std::pair{"chassis", &shape.chassis},
        std::pair{"routers", &shape.routers}}) {
    const Field* f = section->find(key);
    if (f == nullptr) {
      ok = false;
      continue;
    }
    const auto values = read_int_list(*f, 1);
    if (values && values->size() == 2) {
      *pair = {(*values)[0], (*values)[1]};
    } else {
      if (values) {
        error(at(*f), f->path + ": expected [count, links], got " + std::to_string(values->size()) +
                          " entries");
      }
      ok = false;
    }
  }
  const Field* nodes = section->find("nodes");
  const auto per_router = nodes ? read_int(*nodes, 1, kMaxRanks) : std::nullopt;
  if (!ok || !per_router) return std::nullopt;
  if (shape.groups.first > shape.routers.first) {
    // SimGrid links group g to router g of every group's first chassis (and its routing indexes
    // a chassis' routers by group): more groups than routers has no route between some groups.
    error(at(*section->find("groups")),
          field.path + ".groups: " + std::to_string(shape.groups.first) + " groups but " +
              std::to_string(shape.routers.first) +
              " routers per chassis; SimGrid's dragonfly joins group g through router g, so "
              "there can be at most as many groups as routers per chassis");
    return std::nullopt;
  }
  shape.nodes = *per_router;
  const auto total =
      product({shape.groups.first, shape.chassis.first, shape.routers.first, shape.nodes});
  return total ? total : too_many_nodes(field);
}

// kind: xml. SimGrid reads the file (through reader_); each node's host properties become its
// platform facts.
std::optional<int> TopologyParser::parse_xml_platform(const Field& field, Topology& topology) {
  const auto section = read_section(field, kXmlKeys);
  if (!section) return std::nullopt;
  require(*section, {"file"});
  if (const Field* f = section->find("nodes")) {
    if (auto unit = read_choice(*f, {"hosts", "zones"}, "node unit")) {
      topology.xml.node_unit = *unit;
    }
  }
  const Field* file = section->find("file");
  if (file == nullptr) return std::nullopt;
  const auto name = read_string(*file);
  if (!name) return std::nullopt;
  const NamedFile named = resolve_named_file(file_, *name);
  if (!named.path) {
    error(at(*file), file->path + ": cannot read platform file " + quote(*name) + ": " +
                         named.error);
    return std::nullopt;
  }
  topology.xml.file = *named.path;
  if (!reader_) {
    error(at(*file), file->path +
                         ": reading SimGrid platform files needs the simulator; "
                         "parse the scenario through commsim");
    return std::nullopt;
  }
  PlatformFileNodes found = reader_(topology.xml.file, topology.xml.node_unit);
  if (!found.error.empty()) {
    error(at(*file), file->path + ": " + found.error);
    return std::nullopt;
  }
  if (found.nodes.empty()) {
    error(at(*file), file->path + ": " + topology.xml.file + " has no " +
                         (topology.xml.node_unit == "hosts" ? "hosts" : "zones holding hosts"));
    return std::nullopt;
  }
  for (const PlatformNode& node : found.nodes) {
    PlatformFacts facts = platform_facts(node);
    if (!facts.facts) {
      error(at(*file), file->path + ": " + topology.xml.file + ": " + facts.error);
      return std::nullopt;
    }
    topology.platform_facts.push_back(std::move(*facts.facts));
  }
  topology.xml.nodes = std::move(found.nodes);
  return static_cast<int>(topology.xml.nodes.size());
}

void TopologyParser::parse_node(const Field& field, NodeSpec& node) {
  const auto section = read_section(field, kNodeKeys);
  if (!section) return;
  // The preset first: the keys beside it override it.
  if (const Field* f = section->find("preset")) {
    if (const NodePreset* preset = read_preset(*f)) {
      node.preset = std::string(preset->name);
      node.arch = preset->arch;
      node.hardware = preset->hardware;
    }
  }
  if (const Field* f = section->find("arch")) {
    if (auto arch = read_arch(*f)) node.arch = *arch;
  }
  if (const Field* f = section->find("cores")) {
    if (auto cores = read_int(*f, 1)) node.hardware.cores = *cores;
  }
  if (const Field* f = section->find("core_gflops")) {
    if (auto flops = read_core_flops(*f)) node.hardware.core_flops = *flops;
  }
  if (const Field* f = section->find("memory_bandwidth")) {
    if (auto bandwidth = read_bandwidth(*f)) node.hardware.memory_bandwidth = *bandwidth;
  }
  if (const Field* f = section->find("memory_latency")) {
    if (auto latency = read_time(*f)) node.hardware.memory_latency = *latency;
  }
  if (const Field* f = section->find("init_shm_manager")) {
    if (auto present = read_bool(*f)) node.has_init_shm_manager = *present;
  }
  if (const Field* f = section->find("threads")) {
    if (auto threads = read_int(*f, 1)) node.num_threads = *threads;
  }
  if (const Field* f = section->find("env")) {
    read_env(*f, node.environment);
    check_vllm_port(*f);
  }
  if (const Field* f = section->find("stale_shm")) {
    if (auto names = read_string_list(*f)) node.stale_shm_segments = std::move(*names);
  }
  if (const Field* f = section->find("ports_in_use")) {
    if (auto ports = read_ports(*f)) node.ports_in_use = std::move(*ports);
  }
  if (const Field* f = section->find("kernels"))
    read_kernel_model(*f, node.hardware.kernels, false);
}

void TopologyParser::parse_node_overrides(const Field& field) {
  const auto entries = read_entries(field);
  if (!entries) return;
  const int nodes = scenario_.topology.nodes;
  const std::string valid_range =
      nodes == 1 ? std::string("node0") : "node0 .. node" + std::to_string(nodes - 1);
  for (const Field& entry : *entries) {
    std::optional<std::int64_t> index;
    if (entry.key.size() > 4 && entry.key.compare(0, 4, "node") == 0 &&
        (entry.key.size() == 5 || entry.key[4] != '0') &&
        std::all_of(entry.key.begin() + 4, entry.key.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      index = parse_integer_text(std::string_view(entry.key).substr(4));
    }
    if (!index) {
      error(pos(entry.key_mark),
            "nodes: " + quote(entry.key) + " is not a node name; expected nodeN, e.g. node0");
      continue;
    }
    if (nodes_valid_ && *index >= nodes) {
      error(pos(entry.key_mark), "nodes: " + quote(entry.key) + " does not exist; topology has " +
                                     std::to_string(nodes) + " node" + (nodes == 1 ? "" : "s") +
                                     " (" + valid_range + ")");
      continue;
    }
    if (*index > INT_MAX) continue;  // only reachable when topology.nodes is invalid
    parse_node_override(entry, scenario_.node_overrides[static_cast<int>(*index)]);
  }
}

// A platform file's hosts have their own cores and speed: `where` may not give them.
void TopologyParser::refuse_host_hardware(const Field& field, const std::string& where) {
  if (!field.value.IsMap()) return;
  for (const auto& entry : field.value) {
    const std::string key = entry.first.Scalar();
    if (key == "cores" || key == "core_gflops") {
      error(pos(entry.first.Mark()), where + "." + key +
                                         ": an xml platform's hosts give their own cores and "
                                         "speed; change the file instead");
    }
  }
}

void TopologyParser::parse_node_override(const Field& field, NodeOverride& node) {
  node.pos = at(field);
  const auto section = read_section(field, kNodeOverrideKeys);
  if (!section) return;
  if (scenario_.topology.kind == "xml") refuse_host_hardware(field, field.path);
  if (const Field* f = section->find("preset")) {
    if (const NodePreset* preset = read_preset(*f)) node.preset = std::string(preset->name);
  }
  if (const Field* f = section->find("memory_latency")) node.memory_latency = read_time(*f);
  if (const Field* f = section->find("nic_limit")) {
    node.nic_limit = read_bandwidth(*f);
    if (scenario_.topology.kind == "xml") {
      error(at_key(*f), f->path + ": an xml platform's links are the file's own");
    }
  }
  if (const Field* f = section->find("arch")) node.arch = read_arch(*f);
  if (const Field* f = section->find("init_shm_manager")) {
    node.has_init_shm_manager = read_bool(*f);
  }
  if (const Field* f = section->find("threads")) node.num_threads = read_int(*f, 1);
  if (const Field* f = section->find("cores")) node.cores = read_int(*f, 1);
  if (const Field* f = section->find("core_gflops")) node.core_flops = read_core_flops(*f);
  if (const Field* f = section->find("memory_bandwidth")) {
    node.memory_bandwidth = read_bandwidth(*f);
  }
  if (const Field* f = section->find("env")) {
    read_env(*f, node.environment);
    check_vllm_port(*f);
  }
  if (const Field* f = section->find("stale_shm")) node.stale_shm_segments = read_string_list(*f);
  if (const Field* f = section->find("ports_in_use")) node.ports_in_use = read_ports(*f);
}

// VLLM_PORT must be what envs.get_vllm_port reads as a port (envs.py:433-458 @ 2aab9acf4 raises
// ValueError for anything but an integer); commsim takes 0..65535.
void TopologyParser::check_vllm_port(const Field& env) {
  if (!env.value.IsMap()) return;
  for (const auto& entry : env.value) {
    if (entry.first.Scalar() != "VLLM_PORT" || !entry.second.IsScalar()) continue;
    if (!parse_vllm_port(entry.second.Scalar())) {
      error(pos(entry.second.Mark()), env.path + ".VLLM_PORT: " + quote(entry.second.Scalar()) +
                                          " is not a port; expected a whole number 0..65535");
    }
  }
}

// A list of TCP ports, 0..65535.
std::optional<std::vector<int>> TopologyParser::read_ports(const Field& field) {
  return read_int_list(field, 0, kLastPort);
}

}  // namespace commsim::scenario::parsing
