// The hypervisor scheduler's hook points and what a scheduler tells the
// hypervisor to do, shared by vShard's host::Scheduler and by the peers the
// simulator compares it with (sim/hostsim/peers). A hypervisor (or the
// simulator) calls the hooks; the scheduler acts through a Dispatcher.
#pragma once

#include <cstdint>
#include <vector>

#include "vshard/host/profiler.h"

namespace vshard::host {

struct VcpuSpec {
  bool latency = false;  // latency class (WAKE with LAT)
  uint8_t weight = 16;   // 1..255
  uint8_t home = 0;      // home NUMA node
  // Xen-style cap: most CPU a vCPU may use per accounting period, in % of
  // one core (0 = uncapped). Enforced by every policy: the baselines' host
  // accounting, the peers', and the engine for vShard (spec 1.1, 6.5).
  uint8_t cap_pct = 0;
};

enum class StopReason { kPreempt, kRotate };

// What the hypervisor (or the simulator) does on the scheduler's behalf.
class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // vCPU v starts on core c, after delay_us of decision latency, for a
  // slice of slice_us.
  virtual void run(uint32_t c, uint32_t v, double delay_us, double slice_us) = 0;
  // The vCPU running on c stops; it stays runnable. Returns what was left
  // of its slice (µs).
  virtual double stop(uint32_t c, StopReason why) = 0;
  // Core c runs shard `index` of vCPU v: its blocks [first, first + count).
  virtual void shard(uint32_t c, uint32_t v, uint32_t index, uint32_t first, uint32_t count, double delay_us) = 0;
  // The current slice of core c now ends at end_us (vtslice).
  virtual void trim_slice(uint32_t c, double end_us) = 0;
};

struct SchedStats {
  uint64_t wakes = 0;
  uint64_t preemptions = 0;        // a running vCPU stopped for a waking one
  uint64_t shard_preemptions = 0;  // ... whose work went on as shards
  uint64_t shards = 0;
  uint64_t rotations = 0;  // slice expiries that switched vCPUs
  uint64_t steals = 0;     // vCPUs taken from another core's runqueue
  uint64_t pulls = 0;      // vShard host: batch vCPUs brought back to their home node
  uint64_t commits = 0;    // prestaged commits that held
  uint64_t aborts = 0;
  uint64_t prestage_reads = 0;  // latency wakes on the prestaged path (commits + aborts + NONE entries)
  uint64_t engine_events = 0;
  uint64_t engine_decisions = 0;
  uint64_t profiles_sent = 0;
  uint64_t parks = 0;            // vCPUs parked for exceeding their cap
  double decision_us_total = 0;  // wake-path decision latency summed
};

// The hook points a hypervisor calls. Every call is made at simulated or
// real time now_us, in time order.
class SchedulerHooks {
 public:
  virtual ~SchedulerHooks() = default;
  virtual void wake(uint32_t v, double now_us) = 0;   // v became runnable
  virtual void block(uint32_t v, double now_us) = 0;  // running v has nothing to do
  // The slice of the vCPU on c ended. True if another vCPU took the core;
  // false if the same vCPU keeps it: it starts a new slice of the host's
  // timeslice, which the scheduler may shorten (trim_slice) from within
  // slice_end (the peers' own timers do).
  virtual bool slice_end(uint32_t c, double now_us) = 0;
  virtual void shard_done(uint32_t v, uint32_t c, double now_us) = 0;
  // Every tick: busy[c] = fraction of the last elapsed_us core c was busy.
  virtual void tick(double now_us, const std::vector<double>& busy, double elapsed_us) = 0;
  virtual void account(double now_us) = 0;  // accounting period: credit refill
  virtual void profile(uint32_t v, const Profile& p, double now_us) = 0;
  virtual const SchedStats& stats() const = 0;
};

}  // namespace vshard::host
