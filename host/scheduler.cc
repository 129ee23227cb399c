#include "vshard/host/scheduler.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "vshard/error.h"

namespace vshard::host {

const char* policy_name(Policy p) {
  switch (p) {
    case Policy::kFifo: return "fifo";
    case Policy::kCredit: return "credit";
    case Policy::kVtslice: return "vtslice";
    case Policy::kShard: return "shard";
  }
  return "?";
}

namespace {
// The policies each constructor takes, checked before anything is built.
SchedConfig engine_policy(SchedConfig cfg) {
  if (cfg.policy != Policy::kShard)
    throw Error(Errc::kBadConfig, std::string("host::Scheduler runs policy shard, not ") + policy_name(cfg.policy) +
                                      ": the host-side baselines are the simulator's (hostsim::BaselineScheduler)");
  return cfg;
}
SchedConfig host_policy(SchedConfig cfg) {
  if (cfg.policy == Policy::kShard)
    throw Error(Errc::kInternal, "a host-side policy was constructed with policy shard, which needs the engine");
  return cfg;
}
}  // namespace

Scheduler::Scheduler(const Topology& topo, std::vector<VcpuSpec> vcpus, SchedConfig cfg, Dispatcher& dispatcher,
                     std::unique_ptr<Engine> engine, std::unique_ptr<DecisionTiming> timing)
    : Scheduler(Init{}, topo, std::move(vcpus), engine_policy(std::move(cfg)), dispatcher, std::move(engine),
                std::move(timing)) {}

Scheduler::Scheduler(HostPolicy, const Topology& topo, std::vector<VcpuSpec> vcpus, SchedConfig cfg,
                     Dispatcher& dispatcher, std::unique_ptr<DecisionTiming> timing)
    : Scheduler(Init{}, topo, std::move(vcpus), host_policy(std::move(cfg)), dispatcher, nullptr, std::move(timing)) {}

Scheduler::Scheduler(Init, const Topology& topo, std::vector<VcpuSpec> vcpus, SchedConfig cfg, Dispatcher& dispatcher,
                     std::unique_ptr<Engine> engine, std::unique_ptr<DecisionTiming> timing)
    : topo_(topo),
      cfg_(std::move(cfg)),
      disp_(dispatcher),
      cores_(topo.cores()),
      vcpus_(vcpus.size()),
      util_(topo.cores(), 2),
      engine_(std::move(engine)),
      joins_(vcpus.size()),
      profiler_(static_cast<uint32_t>(vcpus.size()), cfg_.profile_interval_us),
      timing_(timing ? std::move(timing) : std::make_unique<RealTimeTiming>()) {
  topo_.validate();
  if (vcpus.empty()) throw Error(Errc::kBadConfig, "scheduler: no vCPUs");
  for (size_t v = 0; v < vcpus.size(); ++v) {
    const VcpuSpec& s = vcpus[v];
    if (s.home >= topo_.nodes)
      throw Error(Errc::kBadConfig, "vCPU " + std::to_string(v) + " has home node " + std::to_string(s.home) +
                                        " but the host has " + std::to_string(topo_.nodes) + " node(s)");
    if (s.weight == 0) throw Error(Errc::kBadConfig, "vCPU " + std::to_string(v) + " has weight 0; use 1..255");
    vcpus_[v].lat = s.latency;
    vcpus_[v].weight = s.weight;
    vcpus_[v].home = s.home;
    vcpus_[v].cap_pct = s.cap_pct;
  }
  idle_count_ = topo_.cores();
  wake_sw_us_ = timing_->software_us(topo_.cores());
  steal_order_.resize(topo_.cores());
  for (uint32_t c = 0; c < topo_.cores(); ++c) {
    auto& o = steal_order_[c];
    for (uint32_t d = 0; d < topo_.cores(); ++d)
      if (d != c) o.push_back(d);
    std::stable_sort(o.begin(), o.end(),
                     [&](uint32_t a, uint32_t b) { return topo_.core_dist(c, a) < topo_.core_dist(c, b); });
  }
  dec_.resize(kMaxDecisionsPerEvent);

  if (cfg_.policy != Policy::kShard) return;
  if (!engine_) throw Error(Errc::kBadConfig, "policy shard needs an engine");
  const Params& p = engine_->params();
  if (topo_.cores() > p.cores || vcpus_.size() > p.vcpus || topo_.nodes > p.nodes)
    throw Error(Errc::kBadConfig, "host (" + std::to_string(topo_.cores()) + " cores, " +
                                      std::to_string(vcpus_.size()) + " vCPUs, " + std::to_string(topo_.nodes) +
                                      " nodes) does not fit the engine (" + std::to_string(p.cores) + "/" +
                                      std::to_string(p.vcpus) + "/" + std::to_string(p.nodes) +
                                      "); choose a larger engine configuration (small, large, max)");
  auto expect_ack = [&](const Event& ev, const std::string& what) {
    size_t n = engine_step(ev, 0.0);
    if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck))
      throw Error(Errc::kBadConfig, "engine rejected " + what + ": " +
                                        (dec_[0].type == static_cast<uint8_t>(DecisionType::kError)
                                             ? std::string(error_code_name(dec_[0].b8))
                                             : std::string(decision_type_name(dec_[0].type))) +
                                        "; fix the scenario's engine settings");
  };
  // Host topology into the engine; engine cores the host lacks go offline.
  for (uint32_t a = 0; a < topo_.nodes; ++a)
    for (uint32_t b = 0; b < topo_.nodes; ++b)
      expect_ack(make_config(next_seq(), static_cast<uint16_t>(cfg::kNumaDistBase + 8 * a + b), topo_.dist(a, b)),
                 "NUMA_DIST[" + std::to_string(a) + "][" + std::to_string(b) + "]");
  expect_ack(make_config(next_seq(), cfg::kSliceUs, static_cast<uint32_t>(std::clamp(cfg_.timeslice_us, 1.0, 65535.0))),
             "SLICE_US");
  expect_ack(make_config(next_seq(), cfg::kLoadHotCores, 3 * topo_.cores() / 4), "LOAD_HOT_CORES");
  for (const auto& [key, value] : cfg_.engine_config)
    expect_ack(make_config(next_seq(), key, value), "configuration key " + std::to_string(key));
  for (uint32_t c = 0; c < p.cores; ++c) {
    bool present = c < topo_.cores();
    expect_ack(make_core_cfg(next_seq(), static_cast<uint8_t>(c), present ? topo_.core_node[c] : 0, present),
               "CORE_CFG of core " + std::to_string(c));
  }
  for (uint32_t v = 0; v < vcpus_.size(); ++v)
    // spec 6.5: the cap in µs per accounting period
    expect_ack(make_vcpu_cfg(next_seq(), static_cast<uint16_t>(v), vcpus_[v].home, vcpus_[v].weight,
                             static_cast<uint16_t>(std::min(65535.0, vcpus_[v].cap_pct * cfg_.account_us / 100.0))),
               "VCPU_CFG of vCPU " + std::to_string(v));
}

// ---------------------------------------------------------------- common --

void Scheduler::place(uint32_t v, uint32_t c, double delay) {
  CoreRec& cr = cores_[c];
  if (cr.occ == Occ::kIdle) --idle_count_;
  cr.occ = Occ::kRun;
  cr.vcpu = v;
  VcpuRec& vr = vcpus_[v];
  vr.st = VState::kRunning;
  vr.core = static_cast<int>(c);
  vr.last_core = static_cast<int>(c);
  vr.run_start = now_ + delay;
  double slice = vr.slice_left > 0 ? vr.slice_left : cfg_.timeslice_us;
  vr.slice_left = 0;
  disp_.run(c, v, delay, slice);
}

uint64_t Scheduler::prio_class(uint32_t v) const { return vcpus_[v].lat ? 0 : 1; }

uint64_t Scheduler::prio_key(uint32_t v) const { return (prio_class(v) << 56) | vcpus_[v].enq_seq; }

int Scheduler::pick_rq(uint32_t v) const {
  const VcpuRec& r = vcpus_[v];
  if (r.last_core >= 0 && topo_.core_node[r.last_core] == r.home) return r.last_core;
  // First placement, or back from another node: the home node's core with
  // the shortest runqueue (Xen credit picks a pCPU within the vCPU's soft
  // affinity, its home node).
  int best = -1;
  size_t best_len = SIZE_MAX;
  for (uint32_t c = 0; c < topo_.cores(); ++c)
    if (topo_.core_node[c] == r.home && cores_[c].rq.size() < best_len) {
      best = static_cast<int>(c);
      best_len = cores_[c].rq.size();
    }
  return best >= 0 ? best : std::max(r.last_core, 0);
}

void Scheduler::enqueue(uint32_t v, int c, double now, bool front) {
  VcpuRec& r = vcpus_[v];
  r.st = VState::kQueued;
  r.core = -1;
  r.rq = c;
  r.enq_seq = front ? --enq_front_ : ++enq_counter_;
  cores_[c].rq.push_back(v);
  ++queued_total_;
  kick(c, now);
}

std::pair<int, int> Scheduler::best_candidate(uint32_t c, int first_pass, int last_pass) const {
  // home_only: only vCPUs homed on c's node. Steals take those first, from
  // any runqueue: they run at full speed here (Xen credit's load balancer
  // steals within soft affinity, the home node, before anything else).
  auto best_in = [&](uint32_t q, bool home_only) -> int {
    const auto& rq = cores_[q].rq;
    int bi = -1;
    uint64_t bk = UINT64_MAX;
    for (size_t i = 0; i < rq.size(); ++i) {
      const VcpuRec& w = vcpus_[rq[i]];
      if (w.parked || (home_only && w.home != topo_.core_node[c])) continue;
      uint64_t k = prio_key(rq[i]);
      if (k < bk) {
        bk = k;
        bi = static_cast<int>(i);
      }
    }
    return bi;
  };
  if (queued_total_ == 0) return {-1, -1};
  if (first_pass == 0) {
    int i = best_in(c, false);
    if (i >= 0) return {static_cast<int>(c), i};
  }
  for (int pass = first_pass; pass < last_pass; ++pass)
    for (uint32_t q : steal_order_[c]) {
      int j = best_in(q, pass == 0);
      if (j >= 0) return {static_cast<int>(q), j};
    }
  return {-1, -1};
}

void Scheduler::take(int rq_core, int idx) {
  auto& rq = cores_[rq_core].rq;
  rq.erase(rq.begin() + idx);
  --queued_total_;
}

void Scheduler::schedule(uint32_t c, double now) {
  if (cores_[c].occ != Occ::kIdle) return;
  // vShard: before a vCPU of another node is stolen, a batch vCPU of this
  // node running elsewhere comes home (pull_home).
  const bool pull = cfg_.policy == Policy::kShard && !in_pull_;
  auto [q, i] = best_candidate(c, 0, pull ? 1 : 2);
  if (q < 0 && pull) {
    pull_home(c, now);
    if (cores_[c].occ != Occ::kIdle) return;
    std::tie(q, i) = best_candidate(c, 1, 2);
  }
  if (q < 0) return;
  uint32_t w = cores_[q].rq[i];
  take(q, i);
  if (static_cast<uint32_t>(q) != c) ++stats_.steals;
  vcpus_[w].rq = -1;
  if (cfg_.policy == Policy::kShard) {
    size_t n = engine_step(make_sched(next_seq(), static_cast<uint16_t>(w), static_cast<uint8_t>(c)), now);
    if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kRun)) engine_error(dec_[0]);
  }
  place(w, c, 0.0);
}

void Scheduler::pull_home(uint32_t c, double now) {
  // A batch vCPU homed on c's node that runs whole on another node: it runs
  // 1 / speed(distance) times slower there. Moving it costs one migration;
  // its old core then serves its own node (schedule below). Latency vCPUs
  // run briefly and are left where they are.
  const uint32_t n = topo_.core_node[c];
  int from = -1;
  for (uint32_t q = 0; q < topo_.cores() && from < 0; ++q) {
    if (topo_.core_node[q] == n || cores_[q].occ != Occ::kRun) continue;
    const VcpuRec& w = vcpus_[cores_[q].vcpu];
    if (!w.lat && w.home == n) from = static_cast<int>(q);
  }
  if (from < 0) return;
  in_pull_ = true;
  const uint32_t w = cores_[from].vcpu;
  VcpuRec& wr = vcpus_[w];
  ++stats_.pulls;
  wr.slice_left = std::max(1.0, disp_.stop(static_cast<uint32_t>(from), StopReason::kRotate));
  // The engine has no "move": BLOCK frees its core, a non-latency WAKE
  // places it on the nearest idle core of its home node, which c is one of.
  size_t k = engine_step(make_block(next_seq(), static_cast<uint16_t>(w)), now);
  if (k != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck)) engine_error(dec_[0]);
  wr.st = VState::kBlocked;
  wr.core = -1;
  cores_[from].occ = Occ::kIdle;
  ++idle_count_;
  k = engine_step(make_wake(next_seq(), static_cast<uint16_t>(w), false), now);
  apply(k, 0.0, now);
  in_pull_ = false;
  schedule(static_cast<uint32_t>(from), now);
}

void Scheduler::kick(int near_core, double now) {
  while (queued_total_ > 0 && idle_count_ > 0) {
    int idle = -1;
    if (cores_[near_core].occ == Occ::kIdle) {
      idle = near_core;
    } else {
      for (uint32_t q : steal_order_[near_core])
        if (cores_[q].occ == Occ::kIdle) {
          idle = static_cast<int>(q);
          break;
        }
    }
    if (idle < 0) return;
    size_t before = queued_total_;
    schedule(static_cast<uint32_t>(idle), now);
    if (queued_total_ == before) return;
  }
}

// ----------------------------------------------------------------- hooks --

void Scheduler::wake(uint32_t v, double now) {
  now_ = now;
  if (v >= vcpus_.size()) throw Error(Errc::kBadInput, "wake: vCPU " + std::to_string(v) + " does not exist");
  if (vcpus_[v].st != VState::kBlocked)
    throw Error(Errc::kInternal, "wake: vCPU " + std::to_string(v) + " is not blocked");
  ++stats_.wakes;
  wake_decide(v, now);
}

void Scheduler::block(uint32_t v, double now) {
  now_ = now;
  VcpuRec& r = vcpus_[v];
  if (r.st != VState::kRunning) throw Error(Errc::kInternal, "block: vCPU " + std::to_string(v) + " is not running");
  uint32_t c = static_cast<uint32_t>(r.core);
  if (cfg_.policy == Policy::kShard) {
    size_t n = engine_step(make_block(next_seq(), static_cast<uint16_t>(v)), now);
    if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck)) engine_error(dec_[0]);
    if (r.lat) note_run(v, now);
  }
  r.st = VState::kBlocked;
  r.core = -1;
  cores_[c].occ = Occ::kIdle;
  ++idle_count_;
  schedule(c, now);
}

bool Scheduler::slice_end(uint32_t c, double now) {
  now_ = now;
  CoreRec& cr = cores_[c];
  if (cr.occ != Occ::kRun) return false;
  uint32_t v = cr.vcpu;
  auto [q, i] = best_candidate(c);
  if (q < 0) return false;
  uint32_t w = cores_[q].rq[i];
  // The current vCPU goes to the tail of its class: does w come first?
  VcpuRec& vr = vcpus_[v];
  uint64_t saved = vr.enq_seq;
  vr.enq_seq = enq_counter_ + 1;
  bool switch_ok = prio_key(w) < prio_key(v);
  vr.enq_seq = saved;
  if (!switch_ok) return false;
  ++stats_.rotations;
  disp_.stop(c, StopReason::kRotate);
  if (cfg_.policy == Policy::kShard) {
    // The engine has no "deschedule": BLOCK, SCHED the next one, re-WAKE.
    size_t n = engine_step(make_block(next_seq(), static_cast<uint16_t>(v)), now);
    if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck)) engine_error(dec_[0]);
    vr.st = VState::kBlocked;
    vr.core = -1;
    cr.occ = Occ::kIdle;
    ++idle_count_;
    schedule(c, now);
    n = engine_step(make_wake(next_seq(), static_cast<uint16_t>(v), false), now);
    apply(n, cfg_.path == DecisionPath::kSoftware ? wake_sw_us_ : timing_->engine_us(), now);
    return true;
  }
  vr.st = VState::kBlocked;  // transiently, so enqueue sees a consistent record
  cr.occ = Occ::kIdle;
  ++idle_count_;
  schedule(c, now);
  enqueue(v, static_cast<int>(c), now);
  return true;
}

void Scheduler::shard_done(uint32_t v, uint32_t c, double now) {
  now_ = now;
  if (cores_[c].occ != Occ::kShard || cores_[c].vcpu != v)
    throw Error(Errc::kInternal,
                "shard_done: core " + std::to_string(c) + " does not run a shard of vCPU " + std::to_string(v));
  // spec 1.1: the victim went on without its shards (it is queued, running
  // or blocked); the join only counts them. Whoever waits for the last one
  // (the guest's fork-join, the simulator) learns it from joins_[v].
  joins_[v].arrive();
  size_t n = engine_step(make_shard_done(next_seq(), static_cast<uint16_t>(v), static_cast<uint8_t>(c)), now);
  if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck)) engine_error(dec_[0]);
  cores_[c].occ = Occ::kIdle;
  ++idle_count_;
  schedule(c, now);
}

void Scheduler::tick(double now, const std::vector<double>& busy, double elapsed_us) {
  now_ = now;
  for (uint32_t c = 0; c < topo_.cores(); ++c)
    tick_core(c, util_.sample(c, c < busy.size() ? busy[c] : 0.0), elapsed_us, now);
}

void Scheduler::tick_core(uint32_t c, uint8_t util, double elapsed_us, double now) {
  uint16_t el = static_cast<uint16_t>(std::clamp(elapsed_us, 0.0, 65535.0));
  size_t n = engine_step(make_tick(next_seq(), static_cast<uint8_t>(c), util, el), now);
  if (n == 1 && dec_[0].type == static_cast<uint8_t>(DecisionType::kPark)) {
    // spec 6.5: over its cap, the vCPU loses its core until ACCOUNT
    const uint32_t v = dec_[0].vcpu;
    if (cores_[c].occ != Occ::kRun || cores_[c].vcpu != v) engine_error(dec_[0]);
    VcpuRec& r = vcpus_[v];
    r.parked = true;
    ++stats_.parks;
    r.slice_left = std::max(1.0, disp_.stop(c, StopReason::kRotate));
    r.st = VState::kBlocked;  // transiently, as in slice_end
    cores_[c].occ = Occ::kIdle;
    ++idle_count_;
    schedule(c, now);
    enqueue(v, static_cast<int>(c), now);
    return;
  }
  if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck)) engine_error(dec_[0]);
}

void Scheduler::account(double now) {
  now_ = now;
  const bool unparked = account_period(now);
  if (unparked)
    for (uint32_t c = 0; c < topo_.cores() && queued_total_ > 0 && idle_count_ > 0; ++c) schedule(c, now);
}

bool Scheduler::account_period(double now) {
  // the engine refills credits and clears the caps' usage (spec 6.2, 6.5)
  size_t n = engine_step(make_account(next_seq()), now);
  if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck)) engine_error(dec_[0]);
  bool unparked = false;
  for (auto& r : vcpus_) {
    unparked |= r.parked;
    r.parked = false;
  }
  return unparked;
}

void Scheduler::profile(uint32_t v, const Profile& p, double now) {
  now_ = now;
  if (cfg_.policy != Policy::kShard) return;
  auto send = profiler_.update(v, p, now);
  if (!send) return;
  ++stats_.profiles_sent;
  size_t n =
      engine_step(make_profile(next_seq(), static_cast<uint16_t>(v), send->blocks, send->bcost_us, send->erun_us), now);
  if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck)) engine_error(dec_[0]);
}

// ---------------------------------------------------------------- vShard --

size_t Scheduler::engine_step(const Event& ev, double now) {
  size_t n = engine_->submit(ev, dec_.data());
  ++stats_.engine_events;
  stats_.engine_decisions += n;
  if (cfg_.path == DecisionPath::kPrestaged) timing_->engine_stepped(*engine_, now);
  return n;
}

void Scheduler::note_run(uint32_t v, double now) {
  // The run of this wake (placement to block), into a running mean with
  // weight 1/8, published as erun (spec 1.1 PROFILE): how long this latency
  // vCPU holds the core it preempts, which sizes its victims' shards.
  VcpuRec& r = vcpus_[v];
  const double run = std::max(0.0, now - r.run_start);
  r.erun = r.erun > 0 ? r.erun + (run - r.erun) / 8 : run;
  Profile p;
  p.erun_us = static_cast<uint16_t>(std::min(65535.0, std::ceil(r.erun)));
  auto send = profiler_.update(v, p, now);
  if (!send) return;
  ++stats_.profiles_sent;
  size_t n = engine_step(make_profile(next_seq(), static_cast<uint16_t>(v), 0, 0, send->erun_us), now);
  if (n != 1 || dec_[0].type != static_cast<uint8_t>(DecisionType::kAck)) engine_error(dec_[0]);
}

void Scheduler::engine_error(const Decision& d) const {
  std::string what = decision_type_name(d.type);
  if (d.type == static_cast<uint8_t>(DecisionType::kError))
    what += std::string(" ") + error_code_name(d.b8) + " for event " + event_type_name(d.c16);
  throw Error(Errc::kInternal, "engine answered " + what + " (vCPU " + std::to_string(d.vcpu) + ", core " +
                                   std::to_string(d.core) + "): host and engine views diverged");
}

void Scheduler::wake_decide(uint32_t v, double now) {
  VcpuRec& r = vcpus_[v];
  double delay = cfg_.path == DecisionPath::kSoftware ? wake_sw_us_ : timing_->engine_us();
  size_t n;
  if (cfg_.path == DecisionPath::kPrestaged && r.lat) {
    ++stats_.prestage_reads;
    PrestageEntry e = timing_->read_prestaged(*engine_, r.home, now);
    if (e.kind == PrestageKind::kNone) {
      n = engine_step(make_wake(next_seq(), static_cast<uint16_t>(v), true), now);
    } else {
      n = engine_step(make_commit(next_seq(), static_cast<uint16_t>(v), e.core, r.home, e.epoch), now);
      if (dec_[0].type == static_cast<uint8_t>(DecisionType::kAbort)) {
        ++stats_.aborts;
        delay = timing_->abort_us();
      } else if (dec_[0].flags & kFlagCommitted) {
        ++stats_.commits;
        delay = timing_->prestaged_us();
      } else {
        engine_error(dec_[0]);
      }
    }
  } else {
    n = engine_step(make_wake(next_seq(), static_cast<uint16_t>(v), r.lat), now);
  }
  stats_.decision_us_total += delay;
  apply(n, delay, now);
}

void Scheduler::apply(size_t n, double delay, double now) {
  // Copy: applying may step the engine again (SCHED from kick).
  Decision local[kMaxDecisionsPerEvent];
  std::copy(dec_.begin(), dec_.begin() + static_cast<long>(n), local);
  int victim = -1, victim_core = -1;  // a preempted vCPU, queued after the SHARDs
  for (size_t i = 0; i < n; ++i) {
    const Decision& d = local[i];
    switch (static_cast<DecisionType>(d.type)) {
      case DecisionType::kRun: place(d.vcpu, d.core, delay); break;
      case DecisionType::kPreempt: {
        uint32_t p = d.core, u = d.vcpu, by = d.c16, k = d.b8;
        if (cores_[p].occ != Occ::kRun || cores_[p].vcpu != u) engine_error(d);
        ++stats_.preemptions;
        // The victim keeps the rest of its slice: it was preempted, and a
        // fresh slice each time would let it monopolise its core.
        vcpus_[u].slice_left = std::max(1.0, disp_.stop(p, StopReason::kPreempt));
        place(by, p, delay);
        if (k != 0) {  // its shards run in the background (spec 1.1, 7.4)
          ++stats_.shard_preemptions;
          joins_[u].arm(k);
        }
        // Preempted mid-slice: first of its class on that core, so it runs
        // there again when the preemptor blocks (Xen would queue it last),
        // unless an idle core takes it first; queued once the event's SHARD
        // decisions have taken their cores.
        victim = static_cast<int>(u);
        victim_core = static_cast<int>(p);
        break;
      }
      case DecisionType::kShard: {
        uint32_t t = d.core;
        if (cores_[t].occ != Occ::kIdle) engine_error(d);
        ++stats_.shards;
        profiler_.engine_took(d.vcpu, d.d32);
        cores_[t].occ = Occ::kShard;
        cores_[t].vcpu = d.vcpu;
        --idle_count_;
        disp_.shard(t, d.vcpu, d.b8, d.c16, d.d32, delay);
        break;
      }
      case DecisionType::kQueued: enqueue(d.vcpu, pick_rq(d.vcpu), now); break;
      case DecisionType::kAck:
      case DecisionType::kAbort: break;
      case DecisionType::kError:
      default:  // RESUME (spec 1.0 only), PARK (only a TICK's answer)
        engine_error(d);
    }
  }
  if (victim >= 0) enqueue(static_cast<uint32_t>(victim), victim_core, now, true);
}

}  // namespace vshard::host
