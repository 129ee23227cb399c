// Linux EEVDF (the fair class since Linux 6.6), what a KVM host runs its
// vCPU threads with, as a peer of vShard in the host simulator (policy
// `eevdf`). A model of kernel/sched/fair.c as of 6.6 with the defaults of
// kernel/sched/features.h and Kconfig; docs/scenarios.md lists what it models
// and what it leaves out. Each vCPU is one SCHED_NORMAL thread in the root
// group (no cgroups).
//
// Rules, with the names of the real source:
// - One runqueue per core. An entity has a weight (vCPU weight 16 = nice 0 =
//   1024, proportionally: w = 64 x weight), a vruntime advancing at
//   1024/w per µs run (update_curr, calc_delta_fair) and a virtual deadline
//   vruntime + base_slice x 1024/w; base_slice = 0.75 ms x (1 + ilog2(min(
//   cores, 8))) (sysctl_sched_base_slice, SCHED_TUNABLESCALING_LOG).
// - V = the weight-averaged vruntime of the runqueue's entities, the running
//   one included (avg_vruntime); an entity is eligible if its vruntime <= V.
//   Pick (pick_eevdf): the eligible entity with the earliest deadline; with
//   RUN_TO_PARITY (on by default) the running entity keeps the core while it
//   is eligible and has not used up the slice it was picked with.
// - Slice end (update_deadline): once vruntime passes the deadline the entity
//   gets a new deadline and, if others wait, the core picks again. Without
//   HRTICK (off by default) this is seen at the scheduler tick: HZ = 250
//   (Kconfig's default), a tick every 4 ms on every busy core; the scenario's
//   tick_us is Xen's and is not used for it.
// - Sleep and wake keep the lag (update_entity_lag, place_entity with
//   PLACE_LAG): at dequeue vlag = V - vruntime, clamped to +-max(2 slices,
//   1 tick) x 1024/w; at enqueue vruntime = V - vlag x (W + w)/W (W the load
//   already queued, the running entity included) so the lag survives the
//   entity's own arrival; deadline = vruntime + vslice (half of it at the
//   first enqueue, PLACE_DEADLINE_INITIAL).
// - Wake preemption (check_preempt_wakeup): the woken entity preempts the
//   running one if pick_eevdf now picks it.
// - Wake placement (select_idle_sibling): the previous core if idle, else an
//   idle core of its node (the LLC) found by scanning from prev + 1, at most
//   SIS_UTIL's nr_idle_scan cores (fewer as the node's utilisation grows, none
//   at 85 %), else the previous core. Wakes come from I/O, not from another
//   vCPU thread, so wake_affine has no waker CPU to weigh: the target is prev.
// - Idle balance (newidle_balance): a core going idle, if some runqueue is
//   overloaded, pulls one waiting entity from the busiest runqueue of its
//   node, else of the nearest nodes; entities that ran in the last 0.5 ms
//   (sysctl_sched_migration_cost) are cache hot and stay; the least recently
//   queued or picked goes first. Each domain is tried only while the core's
//   average idle time covers the cost of balancing so far plus that
//   domain's (max_newidle_lb_cost; here the software scan cost of its
//   cores), and the pulled entity starts after that cost.
// - Periodic balance (rebalance_domains): per domain (the node, then each
//   NUMA distance) every span-in-ms milliseconds, x16 (busy_factor) on a busy
//   core; at NUMA levels one core per node balances (should_we_balance); it
//   pulls to even out runnable entities per core (imbalance_pct 117).
// Scenario inputs: topology, weights, caps (peer.h CapBudget, checked at the
// 4 ms tick as CFS bandwidth control is), the software decision latency
// (per core select_idle_sibling looked at), and tick_us for the periodic
// balance check and the utilisation average behind SIS_UTIL.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vshard/hostsim/peers/peer.h"

namespace vshard::hostsim::peers {

class Eevdf final : public PeerBase {
 public:
  // kernel/sched/fair.c, kernel/sched/features.h, kernel/Kconfig.hz (6.6).
  static constexpr double kNice0Load = 1024.0;            // NICE_0_LOAD
  static constexpr double kBaseSliceUs = 750.0;           // normalized_sysctl_sched_base_slice
  static constexpr double kTickUs = 4000.0;               // CONFIG_HZ_250 (TICK_NSEC)
  static constexpr double kMigrationCostUs = 500.0;       // sysctl_sched_migration_cost
  static constexpr double kMaxIdleBalanceCostUs = 500.0;  // max_idle_balance_cost at boot
  static constexpr int kImbalancePct = 117;               // sd->imbalance_pct (MC and NUMA)
  static constexpr int kBusyFactor = 16;                  // sd->busy_factor
  static constexpr uint32_t kNrMigrate = 32;              // sysctl_sched_nr_migrate
  static constexpr double kPeltHalflifeUs = 32000.0;      // PELT: utilisation halves in 32 ms
  static constexpr bool kRunToParity = true;              // SCHED_FEAT(RUN_TO_PARITY, true)

  Eevdf(const host::Topology& topo, std::vector<host::VcpuSpec> vcpus, const PeerConfig& cfg,
        host::Dispatcher& dispatcher);

  void wake(uint32_t v, double now_us) override;
  void block(uint32_t v, double now_us) override;
  bool slice_end(uint32_t c, double now_us) override;
  void tick(double now_us, const std::vector<double>& busy, double elapsed_us) override;
  void account(double now_us) override;

  // ---- introspection (tests) ----
  enum class VState : uint8_t { kBlocked, kQueued, kRunning, kThrottled };
  VState state(uint32_t v) const { return ents_[v].st; }
  double base_slice_us() const { return base_slice_; }
  double weight(uint32_t v) const { return ents_[v].w; }
  double vruntime(uint32_t v) const { return ents_[v].v; }
  double deadline(uint32_t v) const { return ents_[v].deadline; }
  double vlag(uint32_t v) const { return ents_[v].vlag; }
  int core_of(uint32_t v) const { return ents_[v].core; }
  int curr(uint32_t c) const { return rqs_[c].curr; }
  const std::vector<uint32_t>& queued(uint32_t c) const { return rqs_[c].q; }
  double avg_vruntime(uint32_t c) const;
  bool eligible(uint32_t v) const;  // on a runqueue and vruntime <= V
  uint32_t nr_idle_scan(uint32_t node) const { return nodes_[node].nr_scan; }
  double avg_idle(uint32_t c) const { return rqs_[c].avg_idle; }
  double timer_at(uint32_t c) const { return rqs_[c].timer_at; }
  // When core c next balances domain `level` (0: its node; l: the l-th ring
  // of nodes by distance).
  double next_balance(uint32_t c, size_t level) const { return rqs_[c].next_balance[level]; }

 private:
  struct Ent {
    VState st = VState::kBlocked;
    double w = kNice0Load;
    double v = 0, deadline = 0, vlag = 0;
    double picked_deadline = -1;  // RUN_TO_PARITY: the deadline it was picked with
    double exec_start = 0;        // runtime accounted up to here; when it last ran
    double stamp = 0;             // last enqueue or pick (order of rq->cfs_tasks)
    int core = -1;                // runqueue it is on, or last ran on
    bool started = false;         // enqueued before (PLACE_DEADLINE_INITIAL)
  };
  struct Rq {
    std::vector<uint32_t> q;  // waiting entities (not the running one)
    int curr = -1;
    double min_vruntime = 0;
    double timer_at = kNever;  // next tick while busy
    double idle_stamp = -1;
    double avg_idle = 2 * kMigrationCostUs;
    std::vector<double> next_balance;  // per domain level
    bool need_resched = false;
    uint32_t nr() const { return static_cast<uint32_t>(q.size()) + (curr >= 0); }
  };
  struct Node {
    std::vector<double> lb_cost;  // per domain level: max_newidle_lb_cost
    double util = 0;              // PELT-like average utilisation of its cores, 0..1
    uint32_t nr_scan;
    uint32_t waiting = 0;  // entities waiting in its runqueues
  };

  double vdelta(double us, const Ent& e) const { return us * kNice0Load / e.w; }  // calc_delta_fair
  // Σ w (v - min_vruntime) and Σ w over the runqueue, the running one included.
  void sums(const Rq& r, double& s, double& w) const;
  bool eligible_in(const Rq& r, uint32_t v, double s, double w) const;
  // Accounts the running entity's time; a used-up slice with others waiting
  // marks the core for a reschedule (returns true).
  bool update_curr(uint32_t c, double now);
  void update_min_vruntime(Rq& r);
  void mark_resched(uint32_t c);
  void flush_resched(double now);  // reschedule the marked cores
  void place(uint32_t c, uint32_t v);
  void enqueue(uint32_t c, uint32_t v, double now);
  void dequeue(uint32_t c, uint32_t v, double now);  // keeps its lag
  void add_waiting(uint32_t c, uint32_t v);
  void remove_waiting(uint32_t c, uint32_t v);
  int pick(uint32_t c) const;
  // The core picks again. The woken entity `waker`, if picked, preempts
  // (and starts after delay); any other switch is a rotation. True if the
  // running entity changed.
  bool schedule(uint32_t c, double now, double delay, int waker);
  void wake_up(uint32_t c, uint32_t v, double now, double delay);  // enqueue + wake preemption
  uint32_t select_idle_sibling(uint32_t prev, uint32_t& examined) const;
  // Pulls one entity onto idle core c; `cost` is the balancing time spent.
  bool newidle_balance(uint32_t c, double now, double& cost);
  void balance(uint32_t c, size_t level, double now);
  // The core of `nodes` (not `except`) with the most runnable entities and
  // one it may pull; -1 if none.
  int busiest_core(std::span<const uint32_t> nodes, uint32_t except, double now) const;
  int migratable(uint32_t c, double now) const;  // entity to pull from c, or -1
  void detach(uint32_t v, double now);           // off its runqueue for a balancing move
  double next_tick(double now) const;
  double interval_us(uint32_t c, size_t level) const;

  double base_slice_;
  std::vector<Ent> ents_;
  std::vector<Rq> rqs_;
  std::vector<Node> nodes_;
  uint32_t waiting_ = 0;           // entities waiting anywhere (rd->overload)
  std::vector<uint32_t> resched_;  // cores marked need_resched
};

}  // namespace vshard::hostsim::peers
