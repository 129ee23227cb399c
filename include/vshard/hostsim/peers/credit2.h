// Xen credit2, the default scheduler of Xen since 4.12, as a peer of vShard
// in the host simulator (policy `credit2`). A model of
// xen/common/sched/credit2.c (Xen 4.14 and later) with its real defaults;
// docs/scenarios.md lists what it models and what it leaves out.
//
// Rules, with the names of the real source:
// - Runqueues: one per socket (credit2_runqueue=socket; a NUMA node here),
//   at most 16 CPUs each (sched_credit2_max_cpus_runqueue), CPUs spread
//   evenly (cpu_add_to_runqueue). Each runqueue keeps its runnable vCPUs
//   ordered by credit, FIFO among equals (runq_insert).
// - Credit is time: CREDIT_INIT = 10 ms, never below CREDIT_MIN = -10 ms. A
//   running vCPU burns credit at max_weight/weight ns per ns, max_weight being
//   the largest weight assigned to its runqueue (t2c_update, with residual).
// - Reset (reset_credit): when the vCPU picked to run and the head of the
//   runqueue both have credit <= CSCHED2_CREDIT_RESET (0), every vCPU of the
//   runqueue gets CREDIT_INIT added (twice that if the picked one is at
//   CREDIT_MIN), clipped to CREDIT_INIT + CARRYOVER_MAX (10.5 ms); then the
//   runqueue balances its load (balance_load).
// - Pick (runq_candidate): the running vCPU keeps the CPU if it has run less
//   than the ratelimit (1 ms, sched_ratelimit_us); otherwise the first queued
//   vCPU with more credit than it (or than idle), skipping one that last ran
//   on another CPU unless it leads by MIGRATE_RESIST (500 µs). A vCPU pulled
//   from another CPU gets MIGRATE_COMPENSATION (50 µs) of credit.
// - Timer (csched2_runtime): run until the credit equals that of the best
//   waiting vCPU (or reaches 0), converted to time at the vCPU's weight,
//   clamped to [max(MIN_TIMER 500 µs, ratelimit left), MAX_TIMER 10 ms].
// - Wake (csched2_unit_wake + runq_tickle): queue by credit, then tickle: an
//   idle CPU of the runqueue (the vCPU's own CPU first, then the next ones),
//   else its own CPU if it leads the vCPU running there, else the CPU whose
//   vCPU it leads by the most beyond MIGRATE_RESIST; a vCPU that has run less
//   than ratelimit - 50 µs cannot be tickled off its CPU.
// - A vCPU descheduled while runnable goes back to its runqueue and tickles
//   again (csched2_context_saved).
// - Load balancing (balance_load, at every credit reset): runqueue load is
//   an exponential average of the number of runnable vCPUs over a ~1 s window
//   (2^30 ns, 2^10 ns granularity, 18 fractional bits); against the runqueue
//   whose load differs most, push, pull or swap the vCPUs (by their own load
//   averages) that make the difference least, if it exceeds 1 (some CPU
//   idle) or 1/8 (all busy).
// No BOOST: credit2 has none. It is tickless: tick() does nothing (a cap's
// budget bounds the timer instead).
// Scenario inputs: topology, weights, caps (peer.h CapBudget), the software
// decision latency. timeslice_us and tick_us are Xen credit1 settings that
// credit2 does not have; it uses its own constants above.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "vshard/hostsim/peers/peer.h"

namespace vshard::hostsim::peers {

class Credit2 final : public PeerBase {
 public:
  // xen/common/sched/credit2.c and xen/common/sched/private.h, in ns.
  static constexpr int64_t kCreditInit = 10'000'000;       // CSCHED2_CREDIT_INIT
  static constexpr int64_t kCreditMin = -kCreditInit;      // CSCHED2_CREDIT_MIN
  static constexpr int64_t kIdleCredit = kCreditMin - 1;   // CSCHED2_IDLE_CREDIT
  static constexpr int64_t kCreditReset = 0;               // CSCHED2_CREDIT_RESET
  static constexpr int64_t kMinTimer = 500'000;            // CSCHED2_MIN_TIMER
  static constexpr int64_t kMaxTimer = kCreditInit;        // CSCHED2_MAX_TIMER
  static constexpr int64_t kCarryoverMax = kMinTimer;      // CSCHED2_CARRYOVER_MAX
  static constexpr int64_t kMigrateResist = 500'000;       // sched_credit2_migrate_resist=500
  static constexpr int64_t kMigrateCompensation = 50'000;  // CSCHED2_MIGRATE_COMPENSATION
  static constexpr int64_t kRatelimit = 1'000'000;         // SCHED_DEFAULT_RATELIMIT_US
  static constexpr int64_t kTickleTolerance = 50'000;      // CSCHED2_RATELIMIT_TICKLE_TOLERANCE
  static constexpr uint32_t kMaxCpusRunq = 16;             // MAX_CPUS_RUNQ
  static constexpr unsigned kLoadGranularityShift = 10;    // LOADAVG_GRANULARITY_SHIFT
  static constexpr unsigned kLoadWindowShift = 30 - 10;    // LOADAVG_WINDOW_SHIFT - granularity
  static constexpr unsigned kLoadPrecisionShift = 18;      // LOADAVG_PRECISION_SHIFT
  static constexpr int kUnderloadTolerance = 0;            // credit2_balance_under
  static constexpr int kOverloadTolerance = -3;            // credit2_balance_over

  Credit2(const host::Topology& topo, std::vector<host::VcpuSpec> vcpus, const PeerConfig& cfg,
          host::Dispatcher& dispatcher);

  void wake(uint32_t v, double now_us) override;
  void block(uint32_t v, double now_us) override;
  bool slice_end(uint32_t c, double now_us) override;
  void tick(double now_us, const std::vector<double>& busy, double elapsed_us) override;
  void account(double now_us) override;

  // ---- introspection (tests) ----
  enum class VState : uint8_t { kBlocked, kQueued, kRunning, kParked };
  VState state(uint32_t v) const { return vcpus_[v].st; }
  int64_t credit(uint32_t v) const { return vcpus_[v].credit; }
  uint32_t runqueue_of(uint32_t v) const { return vcpus_[v].rq; }
  uint32_t runqueue_of_core(uint32_t c) const { return cores_[c].rq; }
  uint32_t processor(uint32_t v) const { return vcpus_[v].proc; }
  int running_on(uint32_t c) const { return cores_[c].curr; }
  size_t runqueues() const { return rqs_.size(); }
  const std::vector<uint32_t>& runq(uint32_t rq) const { return rqs_[rq].runq; }
  const std::vector<uint32_t>& cpus(uint32_t rq) const { return rqs_[rq].cpus; }
  int64_t runq_load(uint32_t rq) const { return rqs_[rq].b_avgload; }  // Q18
  int64_t vcpu_load(uint32_t v) const { return vcpus_[v].avgload; }    // Q18
  double timer_at(uint32_t c) const { return cores_[c].timer_at; }

 private:
  struct Vcpu {
    VState st = VState::kBlocked;
    uint32_t weight = 16;
    uint32_t rq = 0;
    uint32_t proc = 0;  // sched_unit_master: the CPU it last ran on or was given
    int64_t credit = kCreditInit;
    int64_t residual = 0;
    int64_t start_ns = 0;                                       // credit burnt up to here
    int64_t entry_ns = 0;                                       // started running (runstate entry time)
    int64_t avgload = int64_t{1} << (kLoadPrecisionShift - 1);  // starts at 50 %
    int64_t load_last = 0;
    int migrate_to = -1;  // balance_load asked this running vCPU to move here
  };
  struct Runq {
    uint8_t node = 0;
    std::vector<uint32_t> cpus;           // ascending
    std::vector<uint32_t> runq;           // queued vCPUs, credit descending
    std::vector<uint32_t> svc;            // vCPUs assigned to this runqueue
    std::array<uint32_t, 256> weights{};  // assigned vCPUs by weight
    uint32_t max_weight = 1;
    int64_t load = 0;  // runnable (running + queued) vCPUs
    int64_t b_avgload = 0;
    int64_t load_last = 0;
    uint32_t pick_bias = 0;
  };
  struct Core {
    uint32_t rq = 0;
    int curr = -1;
    double timer_at = kNever;
  };
  enum class Cause { kTickle, kTimer, kBlock };

  // runqueue membership and order
  void assign(uint32_t v, uint32_t rq);
  void deassign(uint32_t v);
  void runq_insert(uint32_t v);
  void runq_remove(uint32_t v);
  // load tracking (update_runq_load / update_svc_load)
  void update_runq_load(uint32_t rq, int change, int64_t now);
  void update_svc_load(uint32_t v, int change, int64_t now);
  void update_load(uint32_t rq, int v, int change, int64_t now);
  // credits
  void burn(uint32_t v, int64_t now);
  void reset_credit(uint32_t rq, int64_t now, uint32_t snext);
  int64_t runtime(uint32_t c, uint32_t snext, int64_t now, int64_t inflight) const;
  // decisions
  int64_t tickle_score(uint32_t v, uint32_t c, int64_t now);
  void tickle(uint32_t v, double now, double delay);
  int candidate(uint32_t rq, int scurr, uint32_t c, int64_t now) const;
  // Runs csched2_schedule on core c; true if the vCPU on c changed.
  bool schedule(uint32_t c, double now, double delay, Cause cause);
  void balance_load(uint32_t c, int64_t now, int scurr, int snext, std::vector<std::pair<uint32_t, uint32_t>>& moves);
  void migrate(uint32_t v, uint32_t to, double now);
  uint32_t cycle(uint32_t rq, uint32_t after) const;  // next CPU of rq after `after`, wrapping

  std::vector<Vcpu> vcpus_;
  std::vector<Runq> rqs_;
  std::vector<Core> cores_;
  std::vector<double> wake_sw_us_;  // software decision latency per runqueue
};

}  // namespace vshard::hostsim::peers
