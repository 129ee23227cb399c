// host::Scheduler: the vCPU Sharding Module's hypervisor side, the same core
// under the host simulator's simulated time (sim/hostsim) and the agent's
// real time (issue 14). The hypervisor calls its hook points (vCPU wake,
// block, slice end, shard done, tick, accounting, profile); it keeps per-core
// runqueues, the profiler, the utilisation and shard joins, talks to the
// engine, which decides placements, preemptions and shards and keeps the
// credits and caps, applies its decisions, and tells the hypervisor what to
// run through a Dispatcher. How long a decision is said to take comes from a
// DecisionTiming (timing.h): zero in real time, modelled in the simulator.
//
// The simulator's host-side baselines (fifo, credit, vtslice: no engine,
// the wake decided on the host, Xen-credit-like host accounting) are
// hostsim::BaselineScheduler (include/vshard/hostsim/baseline.h), a subclass
// that reuses the runqueues through the protected interface below.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vshard/host/engine.h"
#include "vshard/host/hooks.h"
#include "vshard/host/profiler.h"
#include "vshard/host/shard_sync.h"
#include "vshard/host/timing.h"
#include "vshard/host/topology.h"

namespace vshard::host {

// host::Scheduler runs kShard; the others are the simulator's baselines,
// run by hostsim::BaselineScheduler (named here because they share
// SchedConfig and the runqueue core).
enum class Policy {
  kFifo,     // no preemption: wakes take an idle core or wait in a runqueue
  kCredit,   // Xen credit: BOOST on wake preempts a lower-priority vCPU
  kVtslice,  // no wake preemption; a waiting latency vCPU shortens a busy slice
  kShard,    // vShard: the engine decides (preempt + shard), host applies
};
const char* policy_name(Policy p);

struct SchedConfig {
  Policy policy = Policy::kShard;
  DecisionPath path = DecisionPath::kSoftware;  // policy shard: where decisions come from (timing.h)
  double timeslice_us = 30000.0;
  double account_us = 30000.0;  // accounting period (caps are per period)
  double profile_interval_us = 1000.0;
  // Engine configuration writes (key, value) made at start (policy shard).
  std::vector<std::pair<uint16_t, uint32_t>> engine_config;
};

class Scheduler : public SchedulerHooks {
 public:
  // cfg.policy must be kShard and engine is required. timing: the decision
  // delays to report and the prestaged table's reads; null = real time
  // (RealTimeTiming), the simulator gives its model. Throws
  // vshard::Error(kBadConfig) on another policy, without an engine, if the
  // host does not fit the engine or the engine rejects the configuration.
  Scheduler(const Topology& topo, std::vector<VcpuSpec> vcpus, SchedConfig cfg, Dispatcher& dispatcher,
            std::unique_ptr<Engine> engine = nullptr, std::unique_ptr<DecisionTiming> timing = nullptr);

  // ---- hypervisor hook points (vshard/host/hooks.h) ----
  void wake(uint32_t v, double now_us) override;
  void block(uint32_t v, double now_us) override;
  bool slice_end(uint32_t c, double now_us) override;
  void shard_done(uint32_t v, uint32_t c, double now_us) override;
  void tick(double now_us, const std::vector<double>& busy, double elapsed_us) override;
  void account(double now_us) override;
  void profile(uint32_t v, const Profile& p, double now_us) override;

  // ---- introspection ----
  enum class VState : uint8_t { kBlocked, kQueued, kRunning };
  VState state(uint32_t v) const { return vcpus_[v].st; }
  int core_of(uint32_t v) const { return vcpus_[v].core; }
  bool parked(uint32_t v) const { return vcpus_[v].parked; }
  const SchedStats& stats() const override { return stats_; }
  const SchedConfig& config() const { return cfg_; }
  const Topology& topology() const { return topo_; }
  const Engine* engine() const { return engine_.get(); }
  const DecisionTiming& timing() const { return *timing_; }
  uint32_t idle_cores() const { return idle_count_; }
  size_t queued() const { return queued_total_; }

 protected:
  // The runqueue core, for host-side policies that decide wakes themselves
  // (hostsim::BaselineScheduler). cfg.policy must not be kShard; no engine.
  struct HostPolicy {};
  Scheduler(HostPolicy, const Topology& topo, std::vector<VcpuSpec> vcpus, SchedConfig cfg, Dispatcher& dispatcher,
            std::unique_ptr<DecisionTiming> timing);

  // What a host-side policy decides instead of the engine (the defaults are
  // vShard's):
  // the wake of v (validated and counted in stats().wakes);
  virtual void wake_decide(uint32_t v, double now);
  // the tick of core c (util: its utilisation sample, elapsed_us since the
  // last tick);
  virtual void tick_core(uint32_t c, uint8_t util, double elapsed_us, double now);
  // a new accounting period; returns whether a vCPU was unparked;
  virtual bool account_period(double now);
  // the class of v among queued vCPUs (lower runs first; FIFO within one).
  virtual uint64_t prio_class(uint32_t v) const;

  enum class Occ : uint8_t { kIdle, kRun, kShard };
  struct CoreRec {
    Occ occ = Occ::kIdle;
    uint32_t vcpu = 0;
    std::vector<uint32_t> rq;  // runqueue
  };
  struct VcpuRec {
    VState st = VState::kBlocked;
    bool lat = false;
    uint8_t weight = 16;
    uint8_t home = 0;
    int core = -1;
    int last_core = -1;
    int rq = -1;
    uint64_t enq_seq = 0;
    double slice_left = 0;  // a preempted vShard victim keeps its slice
    uint8_t cap_pct = 0;
    bool parked = false;   // over its cap until the next accounting period
    double run_start = 0;  // when it was last placed (its run per wake, for erun)
    double erun = 0;       // latency vCPUs: running mean of the run per wake, µs
  };

  void place(uint32_t v, uint32_t c, double delay);
  // front: ahead of its class (a vShard victim preempted mid-slice).
  void enqueue(uint32_t v, int c, double now, bool front = false);
  int pick_rq(uint32_t v) const;
  void schedule(uint32_t c, double now);  // c is idle: run the best queued vCPU

  Topology topo_;
  SchedConfig cfg_;
  Dispatcher& disp_;
  std::vector<CoreRec> cores_;
  std::vector<VcpuRec> vcpus_;
  std::vector<std::vector<uint32_t>> steal_order_;  // per core: others by distance
  UtilTracker util_;
  uint32_t idle_count_ = 0;
  double wake_sw_us_ = 0;  // a decision on the waking CPU, scanning every core
  SchedStats stats_;

 private:
  struct Init {};
  Scheduler(Init, const Topology& topo, std::vector<VcpuSpec> vcpus, SchedConfig cfg, Dispatcher& dispatcher,
            std::unique_ptr<Engine> engine, std::unique_ptr<DecisionTiming> timing);

  // the engine
  size_t engine_step(const Event& ev, double now);
  void apply(size_t n, double delay, double now);
  [[noreturn]] void engine_error(const Decision& d) const;
  // runqueues (every policy)
  uint64_t prio_key(uint32_t v) const;  // lower runs first: prio_class, then FIFO
  // Best queued vCPU for core c; returns {core whose rq holds it, index},
  // or {-1,-1}. Passes: 0 = c's own runqueue, then vCPUs homed on c's node
  // queued anywhere (nearest runqueue first); 1 = any vCPU, nearest first.
  std::pair<int, int> best_candidate(uint32_t c, int first_pass = 0, int last_pass = 2) const;
  void take(int rq_core, int idx);
  void kick(int near_core, double now);  // queued work and idle cores: match them
  // vShard: idle core c of node n with nothing queued for it brings home a
  // batch vCPU of node n running on another node.
  void pull_home(uint32_t c, double now);
  void note_run(uint32_t v, double now);  // latency vCPU v blocks: its run per wake
  uint32_t next_seq() { return ++seq_; }
  double now_ = 0;        // time of the hook being served (place() records run starts)
  bool in_pull_ = false;  // pull_home() is moving a vCPU: no nested pull

  std::unique_ptr<Engine> engine_;
  std::vector<ShardJoin> joins_;
  Profiler profiler_;
  std::unique_ptr<DecisionTiming> timing_;
  std::vector<Decision> dec_;
  size_t queued_total_ = 0;
  uint64_t enq_counter_ = uint64_t{1} << 40;  // tail insertions count up
  uint64_t enq_front_ = uint64_t{1} << 40;    // front insertions count down
  uint32_t seq_ = 0;
};

}  // namespace vshard::host
