// The host simulator's baselines: fifo, credit and vtslice, the policies
// vShard was first compared with (docs/evaluation.md). They decide a wake on
// the host without the engine and keep Xen-credit-like accounting in the
// host, so a real hypervisor module (host::Scheduler, which the agent runs)
// carries none of this: they reuse its runqueues, steals and slice rotation
// through its protected interface and only replace the decisions the engine
// makes for vShard.
//
// Rules:
// - fifo: a wake takes the idle core nearest its home node (least utilised
//   among equals) or waits in a runqueue; never preempts. One class.
// - credit (Xen credit1): a vCPU with credit >= 0 (UNDER) wakes BOOSTed and,
//   with no idle core, preempts the running vCPU with OVER before UNDER, then
//   the nearest, then the least credit, never a BOOSTed one. Ticks debit
//   CREDIT_PER_MS per ms run and end BOOST; each accounting period refills
//   weight x REFILL_PER_WEIGHT, clamped to +-CREDIT_CAP. Classes: BOOST, UNDER, OVER.
// - vtslice: as fifo, but a latency vCPU that has to wait shortens the slice
//   of the nearest core running a batch vCPU to vtslice_short_us. Classes:
//   latency, batch.
// - caps (all three): a vCPU that used more than cap_pct % of a core this
//   accounting period is parked until the next one (the peers' CapBudget
//   and the engine for vShard enforce the same rule).
// Every wake costs the software decision latency (a scan of all cores).
#pragma once

#include <memory>
#include <vector>

#include "vshard/host/scheduler.h"

namespace vshard::hostsim {

struct BaselineConfig {
  double vtslice_short_us = 1000.0;  // vtslice: the slice a waiting latency vCPU allows
  // Host credit accounting; same meaning as the engine's CREDIT_PER_MS,
  // CREDIT_CAP, REFILL_PER_WEIGHT.
  int credit_per_ms = 10;
  int credit_cap = 600;
  int refill_per_weight = 19;
};

class BaselineScheduler final : public host::Scheduler {
 public:
  // cfg.policy: kFifo, kCredit or kVtslice (kShard is host::Scheduler's,
  // with the engine). timing: as host::Scheduler's (null = real time).
  // Throws vshard::Error(kBadConfig) on a vCPU table the host cannot run.
  BaselineScheduler(const host::Topology& topo, std::vector<host::VcpuSpec> vcpus, host::SchedConfig cfg,
                    BaselineConfig base, host::Dispatcher& dispatcher,
                    std::unique_ptr<host::DecisionTiming> timing = nullptr);

  int credit(uint32_t v) const { return acct_[v].credit; }
  bool boosted(uint32_t v) const { return acct_[v].boost; }

 protected:
  void wake_decide(uint32_t v, double now) override;
  void tick_core(uint32_t c, uint8_t util, double elapsed_us, double now) override;
  bool account_period(double now) override;
  uint64_t prio_class(uint32_t v) const override;

 private:
  // The host's accounting of a vCPU (the engine keeps it for vShard).
  struct Acct {
    bool boost = false;
    int credit = 0;
    double used_us = 0;  // CPU charged this accounting period
  };
  int find_idle(uint32_t node) const;
  int find_boost_victim(uint32_t node) const;
  void vtslice_trim(int rq_core, double now);

  BaselineConfig base_;
  std::vector<Acct> acct_;
};

}  // namespace vshard::hostsim
