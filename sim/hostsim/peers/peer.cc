#include "vshard/hostsim/peers/peer.h"

#include <algorithm>
#include <string>

#include "vshard/error.h"

namespace vshard::hostsim::peers {

CapBudget::CapBudget(const std::vector<host::VcpuSpec>& specs, double account_us)
    : limit_us_(specs.size(), 0.0), used_us_(specs.size(), 0.0) {
  for (size_t v = 0; v < specs.size(); ++v) limit_us_[v] = specs[v].cap_pct * account_us / 100.0;
}

void CapBudget::refill() {
  for (size_t v = 0; v < used_us_.size(); ++v) used_us_[v] = std::max(0.0, used_us_[v] - limit_us_[v]);
}

PeerBase::PeerBase(const char* name, const host::Topology& topo, std::vector<host::VcpuSpec> vcpus,
                   const PeerConfig& cfg, host::Dispatcher& dispatcher)
    : name_(name),
      topo_(topo),
      specs_(std::move(vcpus)),
      cfg_(cfg),
      disp_(dispatcher),
      caps_(specs_, cfg.account_us),
      node_cores_(topo.nodes),
      node_rings_(topo.nodes) {
  topo_.validate();
  if (specs_.empty()) throw Error(Errc::kBadConfig, std::string(name_) + ": no vCPUs");
  for (size_t v = 0; v < specs_.size(); ++v) {
    if (specs_[v].home >= topo_.nodes)
      throw Error(Errc::kBadConfig, "vCPU " + std::to_string(v) + " has home node " + std::to_string(specs_[v].home) +
                                        " but the host has " + std::to_string(topo_.nodes) + " node(s)");
    if (specs_[v].weight == 0) throw Error(Errc::kBadConfig, "vCPU " + std::to_string(v) + " has weight 0; use 1..255");
  }
  for (uint32_t c = 0; c < topo_.cores(); ++c) node_cores_[topo_.core_node[c]].push_back(c);
  for (uint32_t n = 0; n < topo_.nodes; ++n) {
    std::vector<uint32_t> others;
    for (uint32_t m = 0; m < topo_.nodes; ++m)
      if (m != n) others.push_back(m);
    std::stable_sort(others.begin(), others.end(),
                     [&](uint32_t a, uint32_t b) { return topo_.dist(n, a) < topo_.dist(n, b); });
    for (uint32_t m : others) {
      auto& rings = node_rings_[n];
      if (rings.empty() || topo_.dist(n, rings.back().front()) != topo_.dist(n, m)) rings.emplace_back();
      rings.back().push_back(m);
    }
  }
}

void PeerBase::shard_done(uint32_t v, uint32_t c, double) {
  throw Error(Errc::kInternal, std::string(name_) + " never shards, but shard_done was called for vCPU " +
                                   std::to_string(v) + " on core " + std::to_string(c) +
                                   ": the simulator and the policy disagree");
}

void PeerBase::run_until(uint32_t c, uint32_t v, double delay_us, double now_us, double end_us) {
  disp_.run(c, v, delay_us, end_us - now_us);
  disp_.trim_slice(c, end_us);
}

bool PeerBase::early_timer(uint32_t c, double now_us, double timer_at) {
  // Timers are compared with a tolerance of 1 ps: the peers compute them in
  // integer nanoseconds or from sums of doubles.
  if (now_us >= timer_at - 1e-6) return false;
  disp_.trim_slice(c, timer_at);
  return true;
}

void PeerBase::begin_wake(uint32_t v, bool blocked) {
  check_vcpu(v, "wake");
  if (!blocked)
    throw Error(Errc::kInternal, std::string(name_) + " wake: vCPU " + std::to_string(v) + " is not blocked");
  ++stats_.wakes;
}

void PeerBase::check_vcpu(uint32_t v, const char* hook) const {
  if (v >= specs_.size())
    throw Error(Errc::kBadInput, std::string(name_) + " " + hook + ": vCPU " + std::to_string(v) + " does not exist");
}

}  // namespace vshard::hostsim::peers
