// A scenario's platform as a SimGrid platform file, for SimGrid's own tools (smpirun, ...).
//
// platform_xml(scenario) returns a platform file (version 4.1) that is network-equivalent to what
// build_platform (platform.h) builds: loading it and routing between its hosts gives the same
// links, bandwidths, latencies and sharing policies, hence the same transfer times.
//
// Kinds fat_tree, torus and dragonfly: one <cluster topology="FAT_TREE|TORUS|DRAGONFLY"
// topo_parameters="..."> (SimGrid builds it with the generator commsim calls), its hosts node0..,
// the node facts as <prop>s, a limiter_link when the nodes have a NIC limit. Every node must be
// alike (a <cluster> has one kind of host). Its loopbacks are FATPIPE where commsim's are SHARED.
// Kind xml: the platform file itself. Kinds cluster and single_node:
//
//   <zone routing="Cluster">       the star zone build_platform creates
//     host nodeI                   the node's per-core speed and core count, after `nodes:`
//                                  overrides; <prop>s: arch, init_shm_manager, memory_bandwidth,
//                                  memory_latency (values spelled as in a scenario file)
//     link nicI SPLITDUPLEX        nicI_UP / nicI_DOWN: NIC bandwidth per direction, latency per
//     hop link loI (SHARED)            the node's loopback: loopback bandwidth and latency
//     host_link nodeI              up nicI_UP, down nicI_DOWN   (two hops between nodes)
//     route nodeI -> nodeI         loI                          (one hop inside a node)
//
// Not carried by the file:
//   - the memory-bus hosts (nodeI-membus): they model shared-memory copies, not the network;
//   - the network model: commsim runs SimGrid's default LV08, said in a comment (smpirun defaults
//     to its own SMPI model, so pass --cfg=network/model:LV08 to it); `crosstraffic: false` is
//     exported as <config> network/crosstraffic 0, which a --cfg on the command line overrides;
//   - faults: a scenario with any fault makes platform_xml throw PlatformExportError;
//   - a cluster's NIC limits (a host_link has one link up and one down): PlatformExportError.
// Numbers are written in their shortest exact form, so every value round-trips bit for bit.
#pragma once

#include <stdexcept>
#include <string>

#include "scenarios/scenario.h"

namespace commsim::sim {

// The scenario cannot be described by a platform file (e.g. it has faults). what() is one line.
class PlatformExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The platform file of `scenario` (see above). Throws PlatformExportError, one line, for what a
// file cannot carry: faults (naming the first), unlike nodes of a generated kind, NIC limits of a
// cluster.
std::string platform_xml(const scenario::Scenario& scenario);

}  // namespace commsim::sim
