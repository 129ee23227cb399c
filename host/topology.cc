#include "vshard/host/topology.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "vshard/error.h"

#ifdef VSHARD_HAVE_LIBNUMA
#include <numa.h>
#endif

namespace vshard::host {

Topology Topology::uniform(uint32_t nodes, uint32_t cores_per_node, uint8_t remote) {
  Topology t;
  t.nodes = nodes;
  for (uint32_t n = 0; n < nodes; ++n)
    for (uint32_t c = 0; c < cores_per_node; ++c) t.core_node.push_back(static_cast<uint8_t>(n));
  t.distance.assign(nodes, std::vector<uint8_t>(nodes, remote));
  for (uint32_t n = 0; n < nodes; ++n) t.distance[n][n] = 10;
  t.validate();
  return t;
}

Topology Topology::from_system() {
  Topology t;
#ifdef VSHARD_HAVE_LIBNUMA
  if (numa_available() >= 0) {
    t.nodes = static_cast<uint32_t>(numa_max_node() + 1);
    int ncpu = numa_num_configured_cpus();
    for (int cpu = 0; cpu < ncpu; ++cpu) {
      int node = numa_node_of_cpu(cpu);
      if (node < 0) continue;  // offline CPU
      t.core_node.push_back(static_cast<uint8_t>(node));
    }
    t.distance.assign(t.nodes, std::vector<uint8_t>(t.nodes, 20));
    for (uint32_t a = 0; a < t.nodes; ++a)
      for (uint32_t b = 0; b < t.nodes; ++b) {
        int d = numa_distance(static_cast<int>(a), static_cast<int>(b));
        if (d <= 0) d = a == b ? 10 : 20;  // node without a SLIT entry
        t.distance[a][b] = static_cast<uint8_t>(std::min(d, 255));
      }
    if (!t.core_node.empty()) {
      t.validate();
      return t;
    }
  }
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return uniform(1, n > 0 ? static_cast<uint32_t>(n) : 1);
}

void Topology::validate() const {
  if (nodes < 1 || nodes > 8)
    throw Error(Errc::kBadConfig, "topology: " + std::to_string(nodes) + " NUMA nodes; the engine supports 1..8");
  if (core_node.empty() || core_node.size() > 256)
    throw Error(Errc::kBadConfig,
                "topology: " + std::to_string(core_node.size()) + " cores; the engine supports 1..256");
  for (size_t c = 0; c < core_node.size(); ++c)
    if (core_node[c] >= nodes)
      throw Error(Errc::kBadConfig, "topology: core " + std::to_string(c) + " on node " + std::to_string(core_node[c]) +
                                        " of " + std::to_string(nodes));
  if (distance.size() != nodes)
    throw Error(Errc::kBadConfig, "topology: distance matrix has " + std::to_string(distance.size()) + " rows for " +
                                      std::to_string(nodes) + " nodes");
  for (uint32_t a = 0; a < nodes; ++a) {
    if (distance[a].size() != nodes)
      throw Error(Errc::kBadConfig, "topology: distance row " + std::to_string(a) + " has " +
                                        std::to_string(distance[a].size()) + " entries, need " + std::to_string(nodes));
    for (uint32_t b = 0; b < nodes; ++b)
      if (distance[a][b] == 0)
        throw Error(Errc::kBadConfig, "topology: distance[" + std::to_string(a) + "][" + std::to_string(b) +
                                          "] is 0; SLIT distances are 1..255");
  }
}

std::string Topology::describe() const {
  return std::to_string(nodes) + " node(s), " + std::to_string(cores()) + " core(s)";
}

uint8_t UtilTracker::sample(uint32_t core, double busy_fraction) {
  double f = std::clamp(busy_fraction, 0.0, 1.0);
  int s = static_cast<int>(std::lround(f * 255.0));
  int u = util_[core];
  u += (s - u) >> shift_;  // arithmetic shift, as the engine's TICK EWMA
  util_[core] = static_cast<uint8_t>(std::clamp(u, 0, 255));
  return static_cast<uint8_t>(s);
}

}  // namespace vshard::host
