// What the simulator's peer schedulers (credit2.h, eevdf.h) share: the
// scenario inputs they see, the checks of the vCPU specs, Xen-style caps,
// statistics, the hooks a peer has no use for, and topology look-ups by
// NUMA distance. A peer decides; the simulator's Dispatcher applies the
// decisions and charges context switches, migrations and remote-node
// slowdown.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "vshard/host/hooks.h"
#include "vshard/host/topology.h"
#include "vshard/hostsim/latency.h"

namespace vshard::hostsim::peers {

// The scenario inputs every policy sees (docs/scenarios.md, [host] and
// [latency]). Each peer says in its header which of them it uses and where
// it keeps its own defaults instead (neither uses timeslice_us).
struct PeerConfig {
  LatencyModel latency;
  double tick_us = 10000.0;
  double account_us = 30000.0;
  double timeslice_us = 30000.0;
};

inline constexpr double kNever = std::numeric_limits<double>::infinity();

// Caps as the baselines enforce them (sim/hostsim/baseline.cc): a vCPU may use
// cap_pct % of one core per accounting period (account_us); once it has used
// that much it is parked (runnable, not scheduled) until the next period.
// Neither Xen credit2 (a per-domain budget refilled every 10 ms) nor Linux
// (CFS bandwidth control, quota per period per cgroup) works per vCPU and per
// accounting period; the peers use this one rule so that a cap means the same
// under every policy. Like both real mechanisms, an overrun (the scheduler
// notices exhaustion only at its next decision) is paid back from the next
// period's budget.
class CapBudget {
 public:
  CapBudget(const std::vector<host::VcpuSpec>& specs, double account_us);
  bool capped(uint32_t v) const { return limit_us_[v] > 0; }
  // CPU time v may still use this period (infinite if uncapped).
  double left_us(uint32_t v) const { return capped(v) ? limit_us_[v] - used_us_[v] : kNever; }
  bool exhausted(uint32_t v) const { return capped(v) && used_us_[v] >= limit_us_[v]; }
  void charge(uint32_t v, double us) { used_us_[v] += us; }
  // A new accounting period: the budget grows by one period's worth, up to
  // one period's worth (credit2's do_replenish; CFS's runtime debt).
  void refill();

 private:
  std::vector<double> limit_us_, used_us_;
};

// Base of the peers: the vCPU table checks, statistics, caps, and the hooks
// with nothing to do for a peer (no engine: never sharded, no profiles).
class PeerBase : public host::SchedulerHooks {
 public:
  // A peer has no engine, so no shard ever runs: throws kInternal.
  void shard_done(uint32_t v, uint32_t c, double now_us) override;
  void profile(uint32_t, const host::Profile&, double) override {}
  const host::SchedStats& stats() const override { return stats_; }
  const char* name() const { return name_; }

 protected:
  // Throws vshard::Error(kBadConfig) on a vCPU table the host cannot run
  // (no vCPUs, weight 0, home node out of range).
  PeerBase(const char* name, const host::Topology& topo, std::vector<host::VcpuSpec> vcpus, const PeerConfig& cfg,
           host::Dispatcher& dispatcher);

  // v runs on c after delay_us of decision latency until end_us (absolute):
  // the real schedulers arm their timer when they decide, so the context
  // switch and a migration come out of the slice.
  void run_until(uint32_t c, uint32_t v, double delay_us, double now_us, double end_us);
  // slice_end for a core whose own timer (timer_at) lies ahead: the
  // simulator's default slice ended first. Re-arms the timer; the peer then
  // returns false (the same vCPU keeps the core).
  bool early_timer(uint32_t c, double now_us, double timer_at);
  // The core of `node` with the fewest runnable vCPUs (load(c)), lowest
  // index on ties: where a vCPU that never ran is first placed.
  template <class Load>
  uint32_t least_loaded_core(uint32_t node, Load load) const {
    uint32_t best = node_cores_[node].front();
    for (uint32_t c : node_cores_[node])
      if (load(c) < load(best)) best = c;
    return best;
  }
  void check_vcpu(uint32_t v, const char* hook) const;
  // The start of every wake: v exists and was blocked (else kInternal: the
  // simulator and the peer disagree); counts the wake.
  void begin_wake(uint32_t v, bool blocked);

  const char* name_;
  host::Topology topo_;
  std::vector<host::VcpuSpec> specs_;
  PeerConfig cfg_;
  host::Dispatcher& disp_;
  CapBudget caps_;
  host::SchedStats stats_;
  std::vector<std::vector<uint32_t>> node_cores_;  // cores of each node, ascending
  // Per node: the other nodes grouped by distance, nearest group first
  // (the NUMA levels of a Linux sched-domain hierarchy).
  std::vector<std::vector<std::vector<uint32_t>>> node_rings_;
};

}  // namespace vshard::hostsim::peers
