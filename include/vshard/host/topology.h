// Core Affinity Manager: the host's topology (NUMA nodes, the node of each
// core, SLIT-style distances) and per-core utilisation EWMAs, which the
// scheduler feeds to the engine in TICK events.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vshard::host {

struct Topology {
  uint32_t nodes = 1;
  std::vector<uint8_t> core_node;              // node of each core
  std::vector<std::vector<uint8_t>> distance;  // [from][to], 10 = local

  uint32_t cores() const { return static_cast<uint32_t>(core_node.size()); }
  uint8_t dist(uint32_t from_node, uint32_t to_node) const { return distance[from_node][to_node]; }
  uint8_t core_dist(uint32_t a, uint32_t b) const { return distance[core_node[a]][core_node[b]]; }

  // nodes x cores_per_node, cores numbered node by node; distances 10 on the
  // diagonal, `remote` elsewhere.
  static Topology uniform(uint32_t nodes, uint32_t cores_per_node, uint8_t remote = 20);
  // This machine: libnuma when available (nodes, the node of every online
  // CPU, numa_distance), else one node with sysconf's CPU count.
  static Topology from_system();
  // Throws vshard::Error(kBadConfig) naming what is inconsistent.
  void validate() const;
  std::string describe() const;
};

// Per-core utilisation, 0..255, as an exponentially weighted moving average
// of busy-fraction samples: u += (sample - u) / 2^shift.
class UtilTracker {
 public:
  explicit UtilTracker(uint32_t cores = 0, uint32_t shift = 2) : shift_(shift), util_(cores, 0) {}
  // busy_fraction in [0,1] for the last interval; returns the 0..255 sample.
  uint8_t sample(uint32_t core, double busy_fraction);
  uint8_t util(uint32_t core) const { return util_[core]; }

 private:
  uint32_t shift_;
  std::vector<uint8_t> util_;
};

}  // namespace vshard::host
