#include "vshard/hostsim/peers/credit2.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "vshard/error.h"

namespace vshard::hostsim::peers {

namespace {
int64_t to_ns(double us) { return std::llround(us * 1000.0); }
}  // namespace

Credit2::Credit2(const host::Topology& topo, std::vector<host::VcpuSpec> vcpus, const PeerConfig& cfg,
                 host::Dispatcher& dispatcher)
    : PeerBase("credit2", topo, std::move(vcpus), cfg, dispatcher), vcpus_(specs_.size()), cores_(topo_.cores()) {
  // cpu_add_to_runqueue: CPUs join a runqueue of their socket (node) that
  // has room, the least full one; at most max_cpus_runq CPUs per runqueue,
  // with the CPUs spread evenly over as few runqueues as that allows.
  const uint32_t ncpus = topo_.cores();
  const uint32_t min_rqs = (ncpus - 1) / kMaxCpusRunq + 1;
  const uint32_t max_cpus_runq = ncpus / min_rqs;
  for (uint32_t c = 0; c < ncpus; ++c) {
    int valid = -1;
    for (uint32_t r = 0; r < rqs_.size(); ++r)
      if (rqs_[r].node == topo_.core_node[c] && rqs_[r].cpus.size() < max_cpus_runq &&
          (valid < 0 || rqs_[r].cpus.size() < rqs_[valid].cpus.size()))
        valid = static_cast<int>(r);
    if (valid < 0) {
      valid = static_cast<int>(rqs_.size());
      rqs_.emplace_back();
      rqs_.back().node = topo_.core_node[c];
      rqs_.back().pick_bias = c;
    }
    rqs_[valid].cpus.push_back(c);
    cores_[c].rq = static_cast<uint32_t>(valid);
  }
  for (const Runq& r : rqs_) wake_sw_us_.push_back(cfg_.latency.software(static_cast<uint32_t>(r.cpus.size())));
  // csched2_unit_insert + csched2_res_pick: the runqueue with the least load,
  // among those of the home node (libxl's NUMA placement makes the node the
  // vCPU's soft affinity); the CPU after the runqueue's pick_bias.
  for (uint32_t v = 0; v < vcpus_.size(); ++v) {
    vcpus_[v].weight = specs_[v].weight;
    int best = -1;
    for (uint32_t r = 0; r < rqs_.size(); ++r)
      if (rqs_[r].node == specs_[v].home && (best < 0 || rqs_[r].b_avgload < rqs_[best].b_avgload))
        best = static_cast<int>(r);
    Runq& r = rqs_[best];
    vcpus_[v].proc = cycle(static_cast<uint32_t>(best), r.pick_bias);
    r.pick_bias = vcpus_[v].proc;
    assign(v, static_cast<uint32_t>(best));
  }
}

// --------------------------------------------------------- runqueues --

uint32_t Credit2::cycle(uint32_t rq, uint32_t after) const {
  const auto& cpus = rqs_[rq].cpus;
  auto it = std::upper_bound(cpus.begin(), cpus.end(), after);
  return it == cpus.end() ? cpus.front() : *it;
}

void Credit2::assign(uint32_t v, uint32_t rq) {
  Runq& r = rqs_[rq];
  Vcpu& s = vcpus_[v];
  s.rq = rq;
  r.svc.push_back(v);
  ++r.weights[s.weight];
  r.max_weight = std::max(r.max_weight, s.weight);  // update_max_weight
  r.b_avgload += s.avgload;                         // expected load with this vCPU
}

void Credit2::deassign(uint32_t v) {
  Vcpu& s = vcpus_[v];
  Runq& r = rqs_[s.rq];
  r.svc.erase(std::find(r.svc.begin(), r.svc.end(), v));
  if (--r.weights[s.weight] == 0 && s.weight == r.max_weight) {
    r.max_weight = 1;
    for (uint32_t w = s.weight; w > 1; --w)
      if (r.weights[w]) {
        r.max_weight = w;
        break;
      }
  }
  r.b_avgload = std::max<int64_t>(r.b_avgload - s.avgload, 0);
}

void Credit2::runq_insert(uint32_t v) {
  // After every vCPU with at least as much credit.
  auto& q = rqs_[vcpus_[v].rq].runq;
  auto at = std::upper_bound(q.begin(), q.end(), v,
                             [&](uint32_t a, uint32_t b) { return vcpus_[a].credit > vcpus_[b].credit; });
  q.insert(at, v);
}

void Credit2::runq_remove(uint32_t v) {
  auto& q = rqs_[vcpus_[v].rq].runq;
  q.erase(std::find(q.begin(), q.end(), v));
}

// ------------------------------------------------------ load tracking --

// avg' = avg + delta * load / W - delta * avg / W, in Q(kLoadPrecisionShift),
// time in units of 2^kLoadGranularityShift ns; a gap longer than the window
// restarts the average at the current load.
namespace {
int64_t decay_load(int64_t avg, int64_t last, int64_t t, int64_t load, unsigned w, unsigned p) {
  if (last + (int64_t{1} << w) < t) return load << p;
  int64_t delta = std::max<int64_t>(0, t - last);
  return avg + ((delta * (load << p)) >> w) - ((delta * avg) >> w);
}
}  // namespace

void Credit2::update_runq_load(uint32_t rq, int change, int64_t now) {
  Runq& r = rqs_[rq];
  int64_t t = now >> kLoadGranularityShift;
  r.b_avgload = decay_load(r.b_avgload, r.load_last, t, r.load, kLoadWindowShift, kLoadPrecisionShift);
  r.load += change;
  r.load_last = t;
}

void Credit2::update_svc_load(uint32_t v, int change, int64_t now) {
  Vcpu& s = vcpus_[v];
  // change -1: it was runnable until now; +1: it was not.
  int64_t load = change < 0 ? 1 : change > 0 ? 0 : (s.st == VState::kQueued || s.st == VState::kRunning);
  int64_t t = now >> kLoadGranularityShift;
  s.avgload = decay_load(s.avgload, s.load_last, t, load, kLoadWindowShift, kLoadPrecisionShift);
  s.load_last = t;
}

void Credit2::update_load(uint32_t rq, int v, int change, int64_t now) {
  update_runq_load(rq, change, now);
  if (v >= 0) update_svc_load(static_cast<uint32_t>(v), change, now);
}

// ------------------------------------------------------------- credit --

void Credit2::burn(uint32_t v, int64_t now) {
  Vcpu& s = vcpus_[v];
  int64_t delta = now - s.start_ns;
  if (delta <= 0) return;
  // t2c_update: credit -= delta * max_weight / weight, the remainder kept.
  int64_t val = delta * rqs_[s.rq].max_weight + s.residual;
  s.residual = val % s.weight;
  s.credit = std::max(s.credit - val / s.weight, kCreditMin);
  caps_.charge(v, static_cast<double>(delta) / 1000.0);
  s.start_ns = now;
}

void Credit2::reset_credit(uint32_t rq, int64_t now, uint32_t snext) {
  // A vCPU at CREDIT_MIN would still be in the red after one CREDIT_INIT.
  int64_t reset = kCreditInit + (vcpus_[snext].credit == kCreditMin ? kCreditInit : 0);
  for (uint32_t v : rqs_[rq].svc) {
    Vcpu& s = vcpus_[v];
    if (s.st == VState::kRunning) burn(v, now);
    s.credit = std::min(s.credit + reset, kCreditInit + kCarryoverMax);
    s.start_ns = now;
  }
}

int64_t Credit2::runtime(uint32_t c, uint32_t snext, int64_t now, int64_t inflight) const {
  const Vcpu& n = vcpus_[snext];
  const Runq& r = rqs_[n.rq];
  // At least MIN_TIMER and what is left of the ratelimit (all of it for a
  // vCPU that starts now).
  int64_t min_time = kMinTimer;
  int64_t ratelimit_min = cores_[c].curr == static_cast<int>(snext) ? n.entry_ns + kRatelimit - now : kRatelimit;
  min_time = std::max(min_time, ratelimit_min);
  // Run until the credit equals that of the best waiter (the head of the
  // runqueue, or the vCPU going back to it), or reaches 0.
  int64_t swait = 0;
  if (!r.runq.empty() && vcpus_[r.runq.front()].credit > 0) swait = vcpus_[r.runq.front()].credit;
  swait = std::max(swait, inflight);
  int64_t rt_credit = swait > 0 ? n.credit - swait : n.credit;
  int64_t time = rt_credit > 0 ? rt_credit * n.weight / r.max_weight : 0;  // c2t
  if (caps_.capped(snext)) time = std::min(time, std::max<int64_t>(0, to_ns(caps_.left_us(snext))));
  if (time < min_time) return min_time;
  return std::min(time, kMaxTimer);
}

// ---------------------------------------------------------- decisions --

int64_t Credit2::tickle_score(uint32_t v, uint32_t c, int64_t now) {
  int cur = cores_[c].curr;
  // A vCPU within the ratelimit (less a tolerance) is not preemptable.
  if (cur < 0 || now - vcpus_[cur].entry_ns <= kRatelimit - kTickleTolerance) return -1;
  burn(static_cast<uint32_t>(cur), now);
  int64_t score = vcpus_[v].credit - vcpus_[cur].credit;
  if (vcpus_[v].proc != c) score -= kMigrateResist;
  return score;
}

void Credit2::tickle(uint32_t v, double now, double delay) {
  const Vcpu& s = vcpus_[v];
  const Runq& r = rqs_[s.rq];
  const uint32_t cpu = s.proc;
  // 1. An idle CPU: the vCPU's own, else the next ones after it.
  for (uint32_t i = cpu, n = 0; n < r.cpus.size(); i = cycle(s.rq, i), ++n)
    if (cores_[i].curr < 0) {
      schedule(i, now, delay, Cause::kTickle);
      return;
    }
  // 2. Its own CPU if it leads the vCPU there (no migration), else the CPU
  // where it leads by the most beyond MIGRATE_RESIST.
  int64_t t = to_ns(now);
  if (tickle_score(v, cpu, t) > 0) {
    schedule(cpu, now, delay, Cause::kTickle);
    return;
  }
  int64_t max = 0;
  int ipid = -1;
  for (uint32_t i : r.cpus) {
    if (i == cpu) continue;
    int64_t score = tickle_score(v, i, t);
    if (score > max) {
      max = score;
      ipid = static_cast<int>(i);
    }
  }
  if (ipid >= 0) schedule(static_cast<uint32_t>(ipid), now, delay, Cause::kTickle);
}

int Credit2::candidate(uint32_t rq, int scurr, uint32_t c, int64_t now) const {
  // Within the ratelimit the running vCPU keeps the CPU.
  if (scurr >= 0 && now - vcpus_[scurr].entry_ns < kRatelimit) return scurr;
  int64_t base = scurr >= 0 ? vcpus_[scurr].credit : kIdleCredit;
  for (uint32_t v : rqs_[rq].runq) {
    const Vcpu& s = vcpus_[v];
    if (s.credit <= base) break;
    if (s.proc != c && base + kMigrateResist > s.credit) continue;  // migration resisted
    return static_cast<int>(v);
  }
  return scurr;
}

bool Credit2::schedule(uint32_t c, double now, double delay, Cause cause) {
  Core& k = cores_[c];
  const uint32_t rq = k.rq;
  const int64_t t = to_ns(now);
  const int scurr = k.curr;
  bool runnable = false;
  if (scurr >= 0) {
    Vcpu& s = vcpus_[scurr];
    burn(static_cast<uint32_t>(scurr), t);
    if (s.st == VState::kRunning) {
      if (caps_.exhausted(static_cast<uint32_t>(scurr))) {
        s.st = VState::kParked;  // over its cap: runnable, not scheduled
        ++stats_.parks;
      } else if (s.migrate_to < 0) {
        runnable = true;
      }
    }
  }
  const int snext = candidate(rq, runnable ? scurr : -1, c, t);
  const bool switching = snext != scurr;
  const bool requeue = switching && runnable;
  std::vector<std::pair<uint32_t, uint32_t>> moves;
  int64_t time = 0;
  if (snext >= 0) {
    if (switching) runq_remove(static_cast<uint32_t>(snext));
    else update_load(rq, snext, 0, t);
    const auto& q = rqs_[rq].runq;
    int64_t top = vcpus_[snext].credit;
    if (!q.empty()) top = std::max(top, vcpus_[q.front()].credit);
    if (top <= kCreditReset) {
      reset_credit(rq, t, static_cast<uint32_t>(snext));
      balance_load(c, t, scurr, snext, moves);
    }
    int64_t inflight = requeue ? vcpus_[scurr].credit : 0;
    Vcpu& n = vcpus_[snext];
    n.start_ns = t;
    if (n.proc != c) {
      n.credit += kMigrateCompensation;
      n.proc = c;
    }
    time = runtime(c, static_cast<uint32_t>(snext), t, inflight);
  }

  if (switching) {
    if (scurr >= 0 && vcpus_[scurr].st != VState::kBlocked) {
      // Still on the CPU (the simulator already took a blocked one off).
      host::StopReason why = host::StopReason::kRotate;
      if (runnable && cause == Cause::kTickle) {
        why = host::StopReason::kPreempt;
        ++stats_.preemptions;
      } else if (runnable) {
        ++stats_.rotations;
      }
      disp_.stop(c, why);
    }
    k.curr = snext;
    if (snext >= 0) {
      Vcpu& n = vcpus_[snext];
      n.st = VState::kRunning;
      n.entry_ns = t;
      k.timer_at = now + static_cast<double>(time) / 1000.0;
      run_until(c, static_cast<uint32_t>(snext), delay, now, k.timer_at);
    } else {
      k.timer_at = kNever;
    }
  } else if (snext >= 0) {
    k.timer_at = now + static_cast<double>(time) / 1000.0;
    disp_.trim_slice(c, k.timer_at);  // a later timer: early_timer at the old one
  }

  // csched2_context_saved: a runnable vCPU goes back to the runqueue and
  // tickles; one that stopped being runnable leaves the load.
  if (switching && scurr >= 0) {
    Vcpu& s = vcpus_[scurr];
    if (requeue) {
      s.st = VState::kQueued;
      runq_insert(static_cast<uint32_t>(scurr));
      tickle(static_cast<uint32_t>(scurr), now, 0.0);
    } else {
      update_load(s.rq, scurr, -1, t);
      if (s.migrate_to >= 0) {  // balance_load asked it to move: it wakes there
        uint32_t to = static_cast<uint32_t>(s.migrate_to);
        s.migrate_to = -1;
        s.st = VState::kBlocked;
        migrate(static_cast<uint32_t>(scurr), to, now);
        update_load(to, scurr, +1, t);
        s.st = VState::kQueued;
        runq_insert(static_cast<uint32_t>(scurr));
        tickle(static_cast<uint32_t>(scurr), now, 0.0);
      }
    }
  }
  for (auto [v, to] : moves) migrate(v, to, now);
  return switching;
}

// balance_load, run by CPU c after a credit reset of its runqueue. The
// vCPUs this schedule is switching (scurr, snext) are left where they are.
void Credit2::balance_load(uint32_t c, int64_t now, int scurr, int snext,
                           std::vector<std::pair<uint32_t, uint32_t>>& moves) {
  const uint32_t l = cores_[c].rq;
  update_runq_load(l, 0, now);
  int64_t load_delta = 0;
  int o = -1;
  for (uint32_t r = 0; r < rqs_.size(); ++r) {
    if (r == l) continue;
    update_runq_load(r, 0, now);
    int64_t d = std::abs(rqs_[l].b_avgload - rqs_[r].b_avgload);
    if (d > load_delta) {
      load_delta = d;
      o = static_cast<int>(r);
    }
  }
  if (o < 0) return;
  const Runq& lr = rqs_[l];
  const Runq& orq = rqs_[o];
  // Under 100 % (some CPU idle) move only for a difference of one vCPU;
  // when all are busy, for 1/8.
  int64_t load_max = std::max(lr.b_avgload, orq.b_avgload);
  int64_t cpus_max = static_cast<int64_t>(std::max(lr.cpus.size(), orq.cpus.size()));
  int shift = static_cast<int>(kLoadPrecisionShift) +
              (load_max < (cpus_max << kLoadPrecisionShift) ? kUnderloadTolerance : kOverloadTolerance);
  if (load_delta < (int64_t{1} << shift)) return;
  // Push, pull or swap: the pair that leaves the smallest difference.
  auto movable = [&](uint32_t v) {
    return vcpus_[v].migrate_to < 0 && static_cast<int>(v) != scurr && static_cast<int>(v) != snext;
  };
  int push = -1, pull = -1;
  auto consider = [&](int p, int q) {
    int64_t ll = lr.b_avgload, ol = orq.b_avgload;
    if (p >= 0) ll -= vcpus_[p].avgload, ol += vcpus_[p].avgload;
    if (q >= 0) ll += vcpus_[q].avgload, ol -= vcpus_[q].avgload;
    int64_t d = std::abs(ll - ol);
    if (d < load_delta) {
      load_delta = d;
      push = p;
      pull = q;
    }
  };
  for (uint32_t q : orq.svc) update_svc_load(q, 0, now);
  for (uint32_t p : lr.svc) {
    update_svc_load(p, 0, now);
    if (!movable(p)) continue;
    for (uint32_t q : orq.svc)
      if (movable(q)) consider(static_cast<int>(p), static_cast<int>(q));
    consider(static_cast<int>(p), -1);
  }
  for (uint32_t q : orq.svc)
    if (movable(q)) consider(-1, static_cast<int>(q));
  if (push >= 0) moves.emplace_back(static_cast<uint32_t>(push), static_cast<uint32_t>(o));
  if (pull >= 0) moves.emplace_back(static_cast<uint32_t>(pull), l);
}

// migrate(): a running vCPU is asked to move and its CPU reschedules (it
// moves when it comes off the CPU); a queued one moves at once and tickles
// on its new runqueue; a blocked or parked one just changes runqueue.
void Credit2::migrate(uint32_t v, uint32_t to, double now) {
  Vcpu& s = vcpus_[v];
  if (s.rq == to) return;
  const int64_t t = to_ns(now);
  if (s.st == VState::kRunning) {
    if (s.migrate_to >= 0) return;
    s.migrate_to = static_cast<int>(to);
    schedule(s.proc, now, 0.0, Cause::kTimer);
    return;
  }
  ++stats_.steals;
  bool queued = s.st == VState::kQueued;
  if (queued) {
    runq_remove(v);
    update_load(s.rq, -1, -1, t);
  }
  deassign(v);
  Runq& r = rqs_[to];
  s.proc = cycle(to, r.pick_bias);
  r.pick_bias = s.proc;
  assign(v, to);
  if (queued) {
    update_load(to, -1, +1, t);
    runq_insert(v);
    tickle(v, now, 0.0);
  }
}

// -------------------------------------------------------------- hooks --

void Credit2::wake(uint32_t v, double now) {
  begin_wake(v, v < vcpus_.size() && vcpus_[v].st == VState::kBlocked);
  Vcpu& s = vcpus_[v];
  // runq_tickle looks at the CPUs of the vCPU's runqueue.
  double delay = wake_sw_us_[s.rq];
  stats_.decision_us_total += delay;
  if (caps_.exhausted(v)) {  // no budget left: parked until the next period
    s.st = VState::kParked;
    return;
  }
  update_load(s.rq, static_cast<int>(v), +1, to_ns(now));
  s.st = VState::kQueued;
  runq_insert(v);
  tickle(v, now, delay);
}

void Credit2::block(uint32_t v, double now) {
  check_vcpu(v, "block");
  Vcpu& s = vcpus_[v];
  if (s.st != VState::kRunning || cores_[s.proc].curr != static_cast<int>(v))
    throw Error(Errc::kInternal, "credit2 block: vCPU " + std::to_string(v) + " is not running");
  s.st = VState::kBlocked;
  schedule(s.proc, now, 0.0, Cause::kBlock);
}

bool Credit2::slice_end(uint32_t c, double now) {
  if (cores_[c].curr < 0 || early_timer(c, now, cores_[c].timer_at)) return false;
  return schedule(c, now, 0.0, Cause::kTimer);
}

void Credit2::tick(double, const std::vector<double>&, double) {
  // credit2 is tickless: credit is burnt at every scheduling decision and a
  // cap's budget bounds the timer (csched2_runtime).
}

void Credit2::account(double now) {
  caps_.refill();
  // replenish_domain_budget + unpark_parked_units: parked vCPUs wake.
  for (uint32_t v = 0; v < vcpus_.size(); ++v) {
    Vcpu& s = vcpus_[v];
    if (s.st != VState::kParked || caps_.exhausted(v)) continue;
    update_load(s.rq, static_cast<int>(v), +1, to_ns(now));
    s.st = VState::kQueued;
    runq_insert(v);
    tickle(v, now, 0.0);
  }
}

}  // namespace vshard::hostsim::peers
