#include "vshard/hostsim/baseline.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace vshard::hostsim {

using host::Policy;
using host::StopReason;

BaselineScheduler::BaselineScheduler(const host::Topology& topo, std::vector<host::VcpuSpec> vcpus,
                                     host::SchedConfig cfg, BaselineConfig base, host::Dispatcher& dispatcher,
                                     std::unique_ptr<host::DecisionTiming> timing)
    : Scheduler(HostPolicy{}, topo, std::move(vcpus), std::move(cfg), dispatcher, std::move(timing)),
      base_(base),
      acct_(vcpus_.size()) {}

uint64_t BaselineScheduler::prio_class(uint32_t v) const {
  switch (cfg_.policy) {
    case Policy::kFifo: return 0;
    case Policy::kCredit: return acct_[v].boost ? 0 : (acct_[v].credit >= 0 ? 1 : 2);
    case Policy::kVtslice:
    case Policy::kShard: break;
  }
  return Scheduler::prio_class(v);  // latency before batch
}

int BaselineScheduler::find_idle(uint32_t node) const {
  if (idle_count_ == 0) return -1;
  int best = -1;
  uint32_t best_key = UINT32_MAX;
  for (uint32_t c = 0; c < topo_.cores(); ++c) {
    if (cores_[c].occ != Occ::kIdle) continue;
    uint32_t key = (static_cast<uint32_t>(topo_.dist(node, topo_.core_node[c])) << 8) | util_.util(c);
    if (key < best_key) {
      best_key = key;
      best = static_cast<int>(c);
    }
  }
  return best;
}

int BaselineScheduler::find_boost_victim(uint32_t node) const {
  int best = -1;
  int64_t best_key = INT64_MAX;
  for (uint32_t c = 0; c < topo_.cores(); ++c) {
    if (cores_[c].occ != Occ::kRun) continue;
    const Acct& u = acct_[cores_[c].vcpu];
    if (u.boost) continue;  // BOOST does not preempt BOOST
    // OVER before UNDER, then near, then least credit
    int64_t key = (u.credit >= 0 ? (int64_t{1} << 40) : 0) +
                  (static_cast<int64_t>(topo_.dist(node, topo_.core_node[c])) << 20) + (u.credit + 32768);
    if (key < best_key) {
      best_key = key;
      best = static_cast<int>(c);
    }
  }
  return best;
}

void BaselineScheduler::vtslice_trim(int rq_core, double now) {
  // The busy core of the runqueue's node whose slice is cut: the first one
  // (by distance from rq_core) running a non-latency vCPU.
  auto trim = [&](uint32_t c) {
    if (cores_[c].occ != Occ::kRun || vcpus_[cores_[c].vcpu].lat) return false;
    disp_.trim_slice(c, now + base_.vtslice_short_us);
    return true;
  };
  if (trim(static_cast<uint32_t>(rq_core))) return;
  for (uint32_t q : steal_order_[rq_core])
    if (trim(q)) return;
}

void BaselineScheduler::wake_decide(uint32_t v, double now) {
  VcpuRec& r = vcpus_[v];
  Acct& a = acct_[v];
  stats_.decision_us_total += wake_sw_us_;
  if (r.parked) {  // over its cap: runnable, but waits for the next period
    enqueue(v, pick_rq(v), now);
    return;
  }
  if (cfg_.policy == Policy::kCredit && a.credit >= 0) a.boost = true;
  int c = find_idle(r.home);
  if (c >= 0) {
    place(v, static_cast<uint32_t>(c), wake_sw_us_);
    return;
  }
  if (cfg_.policy == Policy::kCredit && a.boost) {
    int p = find_boost_victim(r.home);
    if (p >= 0) {
      uint32_t u = cores_[p].vcpu;
      ++stats_.preemptions;
      disp_.stop(static_cast<uint32_t>(p), StopReason::kPreempt);
      cores_[p].occ = Occ::kIdle;  // transiently
      ++idle_count_;
      vcpus_[u].st = VState::kBlocked;
      place(v, static_cast<uint32_t>(p), wake_sw_us_);
      enqueue(u, p, now);
      return;
    }
  }
  int q = pick_rq(v);
  enqueue(v, q, now);
  if (cfg_.policy == Policy::kVtslice && r.lat && r.st == VState::kQueued) vtslice_trim(q, now);
}

void BaselineScheduler::tick_core(uint32_t c, uint8_t, double elapsed_us, double now) {
  if (cores_[c].occ != Occ::kRun) return;
  uint32_t v = cores_[c].vcpu;
  VcpuRec& r = vcpus_[v];
  Acct& a = acct_[v];
  int debit = static_cast<int>(elapsed_us * base_.credit_per_ms / 1000.0);
  a.credit = std::clamp(a.credit - debit, -base_.credit_cap, base_.credit_cap);
  a.boost = false;  // Xen: a debited vCPU loses BOOST
  a.used_us += elapsed_us;
  if (r.cap_pct && a.used_us > r.cap_pct * cfg_.account_us / 100.0) {
    // Over its cap: parked (runnable, not scheduled) until accounting.
    r.parked = true;
    ++stats_.parks;
    disp_.stop(c, StopReason::kRotate);
    r.st = VState::kBlocked;  // transiently, as in slice_end
    cores_[c].occ = Occ::kIdle;
    ++idle_count_;
    schedule(c, now);
    enqueue(v, static_cast<int>(c), now);
  }
}

bool BaselineScheduler::account_period(double) {
  bool unparked = false;
  for (size_t v = 0; v < vcpus_.size(); ++v) {
    Acct& a = acct_[v];
    a.credit = std::clamp(a.credit + vcpus_[v].weight * base_.refill_per_weight, -base_.credit_cap, base_.credit_cap);
    a.used_us = 0;
    unparked |= vcpus_[v].parked;
    vcpus_[v].parked = false;
  }
  return unparked;
}

}  // namespace vshard::hostsim
