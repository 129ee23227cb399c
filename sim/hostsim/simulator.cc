#include "vshard/hostsim/simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <queue>

#include <time.h>

#include "vshard/hostsim/baseline.h"
#include "vshard/hostsim/peers/credit2.h"
#include "vshard/hostsim/peers/eevdf.h"
#include "vshard/hostsim/random.h"
#include "vshard/error.h"
#include "vshard/trace.h"

namespace vshard::hostsim {

PolicySpec parse_policy(const std::string& name, const std::string& engine, bool prestage) {
  PolicySpec p;
  p.label = name;
  p.engine = engine;
  if (name == "fifo") {
    p.policy = host::Policy::kFifo;
  } else if (name == "credit") {
    p.policy = host::Policy::kCredit;
  } else if (name == "credit2") {
    p.peer = Peer::kCredit2;
  } else if (name == "eevdf") {
    p.peer = Peer::kEevdf;
  } else if (name == "vtslice") {
    p.policy = host::Policy::kVtslice;
  } else if (name == "shard") {
    p.policy = host::Policy::kShard;
    p.path = prestage ? host::DecisionPath::kPrestaged
                      : (engine == "model" ? host::DecisionPath::kSoftware : host::DecisionPath::kHardware);
  } else if (name == "shard-sw") {
    p.policy = host::Policy::kShard;
    p.path = host::DecisionPath::kSoftware;
    p.engine = "model";
  } else if (name == "shard-hw") {
    p.policy = host::Policy::kShard;
    p.path = host::DecisionPath::kHardware;
  } else if (name == "shard-pre") {
    p.policy = host::Policy::kShard;
    p.path = host::DecisionPath::kPrestaged;
  } else {
    throw Error(Errc::kBadConfig, "unknown policy '" + name +
                                      "': use fifo, credit, credit2, eevdf, vtslice, shard, shard-sw, "
                                      "shard-hw or shard-pre");
  }
  return p;
}

const char* policy_name(const PolicySpec& spec) {
  switch (spec.peer) {
    case Peer::kCredit2: return "credit2";
    case Peer::kEevdf: return "eevdf";
    case Peer::kNone: break;
  }
  return host::policy_name(spec.policy);
}

LatencySummary summarize_latency(std::vector<double>& v) {
  LatencySummary s;
  s.count = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  auto rank = [&](double q) {
    size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
  };
  s.p50 = rank(0.50);
  s.p99 = rank(0.99);
  s.p999 = rank(0.999);
  s.max = v.back();
  return s;
}

namespace {

enum EvKind : uint8_t { kArrival, kUnitDone, kSliceEnd, kShardEnd, kTick, kAccount, kWarmup };

struct Ev {
  double t;
  uint64_t seq;
  uint32_t a;
  uint32_t gen;
  EvKind kind;
};
struct EvLater {
  bool operator()(const Ev& x, const Ev& y) const { return x.t != y.t ? x.t > y.t : x.seq > y.seq; }
};

struct Req {
  double arrival;
  double left;
};

struct SimVcpu {
  const Workload* w = nullptr;
  bool lat = false;  // latency class (wakes with LAT)
  bool req = false;  // request/response work (else batch blocks)
  uint32_t wl = 0;   // workload index
  uint8_t home = 0;
  Rng rng{0};
  bool blocked = true;
  int core = -1;
  int last_core = -1;
  double wake_t = -1;
  std::deque<Req> reqs;
  size_t trace_idx = 0;
  double trace_base = 0;
  OnOffArrivals burst;  // arrival = "bursty"
  uint32_t par_left = 0, seq_left = 0;
  double cur_left = 0;
  uint32_t shards_out = 0;
  // Blocked at its job's join: its own independent blocks are done, shards
  // of it still run (spec 1.1: the victim goes on without them); woken by
  // the last one.
  bool join_wait = false;
  double stall_since = -1;
  double cpu_us = 0, cpu_warm = 0;
};

struct SimCore {
  enum class Kind : uint8_t { kIdle, kRun, kShard } kind = Kind::kIdle;
  uint32_t v = 0;
  double start_at = 0;
  double seg_start = 0;
  uint32_t gen = 0;
  uint32_t slice_gen = 0;
  double slice_end = 0;
  double slice_timer = -1;  // time of the pending slice timer event, -1 none
  uint32_t shard_blocks = 0;
  double speed = 1.0;
  double busy_since = -1;
  double busy_acc = 0;
};

class Sim final : public host::Dispatcher {
 public:
  Sim(const Scenario& sc, const PolicySpec& ps, const RunOptions& opt)
      : sc_(sc), ps_(ps), opt_(opt), cores_(sc.topo.cores()) {
    sc_.validate();
    std::vector<host::VcpuSpec> specs;
    uint32_t vm = 0;
    for (const auto& w : sc_.workloads) {
      for (uint32_t m = 0; m < w.vms; ++m, ++vm) {
        uint8_t home = static_cast<uint8_t>(w.home >= 0 ? w.home : vm % sc_.topo.nodes);
        for (uint32_t i = 0; i < w.vcpus_per_vm; ++i) {
          SimVcpu s;
          s.w = &w;
          s.lat = w.latency;
          s.req = w.requests;
          s.wl = static_cast<uint32_t>(&w - sc_.workloads.data());
          s.home = home;
          s.rng = Rng::stream(opt.seed, vs_.size());
          if (opt.trace) trace_vcpus_.push_back({w.name + "#" + std::to_string(m) + "." + std::to_string(i), vm});
          vs_.push_back(std::move(s));
          specs.push_back({w.latency, w.weight, home, w.cap_pct});
        }
      }
    }
    host::SchedConfig cfg;
    cfg.policy = ps.policy;
    cfg.path = ps.path;
    cfg.timeslice_us = sc_.timeslice_us;
    cfg.account_us = sc_.account_us;
    cfg.profile_interval_us = sc_.profile_interval_us;
    cfg.engine_config = sc_.engine_config;
    peers::PeerConfig peer_cfg{sc_.latency, sc_.tick_us, sc_.account_us, sc_.timeslice_us};
    std::unique_ptr<host::Engine> engine;
    switch (ps.peer) {
      case Peer::kCredit2:
        sched_ = std::make_unique<peers::Credit2>(sc_.topo, std::move(specs), peer_cfg, *this);
        break;
      case Peer::kEevdf: sched_ = std::make_unique<peers::Eevdf>(sc_.topo, std::move(specs), peer_cfg, *this); break;
      case Peer::kNone:
        // Simulated time: the decision delays and the prestaged table's
        // posted-write lag come from the scenario's latency model.
        auto timing = std::make_unique<ModelledTiming>(sc_.latency, sc_.abort_undo_us);
        if (ps.policy == host::Policy::kShard) {
          engine = host::make_engine(ps.engine, sc_.engine_params_for());
          engine_name_ = engine->name();
          sched_ = std::make_unique<host::Scheduler>(sc_.topo, std::move(specs), cfg, *this, std::move(engine),
                                                     std::move(timing));
        } else {
          BaselineConfig base;
          base.vtslice_short_us = sc_.vtslice_short_us;
          sched_ = std::make_unique<BaselineScheduler>(sc_.topo, std::move(specs), cfg, base, *this, std::move(timing));
        }
        break;
    }
    warm_ = sc_.warmup_ms * 1000.0;
    end_ = sc_.duration_ms * 1000.0;
    if (tr_) {
      if (tr_->cores() != cores_.size())
        throw Error(Errc::kBadConfig, "trace: the recorder has " + std::to_string(tr_->cores()) +
                                          " cores, the scenario " + std::to_string(cores_.size()));
      wake_track_ = tr_->add_track("wake queue");
      open_.resize(cores_.size());
    }
  }

  static double thread_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
  }

  PolicyResult run() {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = thread_cpu_s();
    // Start: batch vCPUs are runnable, latency ones wait for requests.
    for (uint32_t v = 0; v < vs_.size(); ++v) {
      if (vs_[v].req) {
        if (vs_[v].w->arrival == Workload::Arrival::kBursty) vs_[v].burst.start(*vs_[v].w, vs_[v].rng);
        next_arrival(v);
      } else {
        vs_[v].blocked = false;
        wake(v);
      }
    }
    push(sc_.tick_us, kTick, 0, 0);
    push(sc_.account_us, kAccount, 0, 0);
    if (warm_ > 0) push(warm_, kWarmup, 0, 0);
    uint64_t events = 0;
    while (!q_.empty()) {
      Ev e = q_.top();
      if (e.t > end_) break;
      q_.pop();
      now_ = e.t;
      ++events;
      switch (e.kind) {
        case kArrival: on_arrival(e.a); break;
        case kUnitDone:
          if (cores_[e.a].gen == e.gen) on_unit_done(e.a);
          break;
        case kSliceEnd: on_slice_end(e.a, e.gen); break;
        case kShardEnd:
          if (cores_[e.a].gen == e.gen) on_shard_end(e.a);
          break;
        case kTick: on_tick(); break;
        case kAccount:
          sched_->account(now_);
          push(now_ + sc_.account_us, kAccount, 0, 0);
          break;
        case kWarmup:
          for (auto& s : vs_) s.cpu_warm = s.cpu_us;
          break;
      }
      if ((events & 0xFFFF) == 0 && opt_.progress) opt_.progress(ps_.label, now_ / end_);
    }
    now_ = end_;
    for (uint32_t c = 0; c < cores_.size(); ++c) trace_close(c);
    auto t1 = std::chrono::steady_clock::now();
    return finish(events, std::chrono::duration<double>(t1 - t0).count(), thread_cpu_s() - c0);
  }

  // ---- Dispatcher ----
  void run(uint32_t c, uint32_t v, double delay, double slice_us) override {
    SimCore& k = cores_[c];
    SimVcpu& s = vs_[v];
    double start = now_ + delay + sc_.costs.context_switch_us + migration(s.last_core, c);
    k.kind = SimCore::Kind::kRun;
    k.v = v;
    k.speed = speed(s, c);
    k.start_at = start;
    k.seg_start = start;
    set_busy(c, true);
    s.core = static_cast<int>(c);
    s.last_core = static_cast<int>(c);
    if (s.wake_t >= 0) {
      if (s.wake_t >= warm_) wake_lat_.push_back(start - s.wake_t);
      s.wake_t = -1;
    }
    end_stall(s, start);
    arm_slice(c, start + slice_us);
    trace_open(c, v, start, trace::SliceKind::kRun);

    next_unit(c);
  }

  double stop(uint32_t c, host::StopReason why) override {
    SimCore& k = cores_[c];
    SimVcpu& s = vs_[k.v];
    double elapsed = std::max(0.0, now_ - k.seg_start);
    double done = elapsed * k.speed;
    if (s.req) {
      if (!s.reqs.empty()) s.reqs.front().left = std::max(0.0, s.reqs.front().left - done);
    } else {
      s.cur_left = std::max(0.0, s.cur_left - done);
    }
    s.cpu_us += elapsed;
    ++k.gen;
    trace_close(c);
    if (tr_ && why == host::StopReason::kPreempt)
      tr_->instant(c, now_, trace::Mark::kPreempt,
                   {{"victim", int64_t{k.v}}, {"victim_label", trace_vcpus_[k.v].label}});

    k.kind = SimCore::Kind::kIdle;
    set_busy(c, false);
    s.core = -1;
    if (why == host::StopReason::kPreempt && !s.req) {
      s.stall_since = now_;
      if (now_ >= warm_) ++batch_preemptions_;
    }
    return std::max(0.0, k.slice_end - std::max(now_, k.start_at));
  }

  void shard(uint32_t c, uint32_t v, uint32_t index, uint32_t first, uint32_t count, double delay) override {
    SimCore& k = cores_[c];
    SimVcpu& s = vs_[v];
    uint32_t blocks = std::min(count, s.par_left);
    s.par_left -= blocks;
    ++s.shards_out;
    double start = now_ + delay + sc_.costs.context_switch_us + migration(s.last_core, c);
    k.kind = SimCore::Kind::kShard;
    k.v = v;
    k.shard_blocks = blocks;
    k.start_at = start;
    k.speed = speed(s, c);
    set_busy(c, true);
    ++k.gen;

    push(start + blocks * s.w->block_us / k.speed + sc_.costs.shard_sync_us, kShardEnd, c, k.gen);
    end_stall(s, start);
    if (tr_) {
      tr_->instant(
          c, now_, trace::Mark::kShard,
          {{"vcpu", int64_t{v}}, {"index", int64_t{index}}, {"first", int64_t{first}}, {"count", int64_t{count}}});
      trace_open(c, v, start, trace::SliceKind::kShard);
    }
  }

  void trim_slice(uint32_t c, double end) override {
    SimCore& k = cores_[c];
    if (k.kind != SimCore::Kind::kRun || end >= k.slice_end) return;
    arm_slice(c, std::max(end, k.start_at));
  }

 private:
  void push(double t, EvKind kind, uint32_t a, uint32_t gen) { q_.push(Ev{t, ++seq_, a, gen, kind}); }

  // ---- timeline (RunOptions::trace) ----
  // v wakes. With a trace: marked on the core it got within the hook (or
  // on the wake queue track), with the prestaged commit or abort the
  // scheduler's counters show for it.
  void wake(uint32_t v) {
    if (!tr_) {
      sched_->wake(v, now_);
      return;
    }
    const uint64_t commits = sched_->stats().commits, aborts = sched_->stats().aborts;
    sched_->wake(v, now_);
    const int c = vs_[v].core;
    const uint32_t track = c >= 0 ? static_cast<uint32_t>(c) : wake_track_;
    trace::Args args{{"vcpu", int64_t{v}}, {"label", trace_vcpus_[v].label}, {"latency", int64_t{vs_[v].lat}}};
    tr_->instant(track, now_, trace::Mark::kWake, std::move(args));
    if (sched_->stats().commits != commits) tr_->instant(track, now_, trace::Mark::kCommit, {{"vcpu", int64_t{v}}});
    if (sched_->stats().aborts != aborts) tr_->instant(track, now_, trace::Mark::kAbort, {{"vcpu", int64_t{v}}});
  }
  // What runs on core c from `start` (after the decision, switch and
  // migration delays) until trace_close.
  void trace_open(uint32_t c, uint32_t v, double start, trace::SliceKind kind) {
    if (!tr_) return;
    trace_close(c);
    open_[c] = OpenSlice{true, kind, v, start};
  }
  // Core c stops what it ran, now. A run stopped before its start never
  // ran: the recorder keeps no empty slice.
  void trace_close(uint32_t c) {
    if (!tr_ || !open_[c].on) return;
    const OpenSlice& o = open_[c];
    tr_->slice(c, o.start, now_, trace_vcpus_[o.v].label, o.v, trace_vcpus_[o.v].vm, o.kind);
    open_[c].on = false;
  }

  // Slice timers are lazy: one pending timer per core at most; a timer that
  // fires before the (renewed) slice end re-arms itself. Keeps stale events
  // out of the queue.
  void arm_slice(uint32_t c, double end) {
    SimCore& k = cores_[c];
    k.slice_end = end;
    if (k.slice_timer >= 0 && k.slice_timer <= end) return;
    k.slice_timer = end;
    push(end, kSliceEnd, c, ++k.slice_gen);
  }

  // Execution speed of vCPU s on core c: remote memory slows it down.
  double speed(const SimVcpu& s, uint32_t c) const {
    double d = sc_.topo.dist(s.home, sc_.topo.core_node[c]);
    return d <= 10 ? 1.0 : 1.0 / (1.0 + sc_.costs.remote_slowdown * (d - 10) / 10.0);
  }

  double migration(int from, uint32_t to) const {
    if (from < 0 || static_cast<uint32_t>(from) == to) return 0.0;
    return sc_.costs.migration_us * sc_.topo.core_dist(static_cast<uint32_t>(from), to) / 10.0;
  }

  void set_busy(uint32_t c, bool busy) {
    SimCore& k = cores_[c];
    if (busy && k.busy_since < 0) k.busy_since = now_;
    if (!busy && k.busy_since >= 0) {
      k.busy_acc += now_ - k.busy_since;
      k.busy_since = -1;
    }
  }

  void end_stall(SimVcpu& s, double t) {
    if (s.stall_since < 0) return;
    double from = std::max(s.stall_since, warm_);
    if (t > from) stall_us_ += t - from;
    s.stall_since = -1;
  }

  void next_arrival(uint32_t v) {
    SimVcpu& s = vs_[v];
    const Workload& w = *s.w;
    double t;
    if (w.arrival == Workload::Arrival::kTrace) {
      double period = w.trace_period_us > 0
                          ? w.trace_period_us
                          : w.trace_us.back() +
                                (w.trace_us.back() - w.trace_us.front()) / std::max<size_t>(1, w.trace_us.size() - 1) +
                                1.0;
      if (s.trace_idx == w.trace_us.size()) {
        s.trace_idx = 0;
        s.trace_base += period;
      }
      t = s.trace_base + w.trace_us[s.trace_idx++];
      t = std::max(t, now_);
    } else if (w.arrival == Workload::Arrival::kBursty) {
      t = s.burst.next(now_, s.rng);
    } else {
      t = now_ + s.rng.exp(1e6 / w.rate_per_s);
    }
    push(t, kArrival, v, 0);
  }

  void on_arrival(uint32_t v) {
    SimVcpu& s = vs_[v];
    s.reqs.push_back({now_, s.rng.sample(s.w->service)});
    next_arrival(v);
    if (s.blocked) {
      s.blocked = false;
      s.wake_t = now_;
      wake(v);
    }
  }

  void profile(uint32_t v) {
    const SimVcpu& s = vs_[v];
    host::Profile p;
    p.blocks = static_cast<uint8_t>(std::min<uint32_t>(s.par_left, 255));
    p.bcost_us = p.blocks ? static_cast<uint16_t>(std::min(65535.0, std::ceil(s.w->block_us))) : 0;
    sched_->profile(v, p, now_);
  }

  // The vCPU running on c has nothing to do: it leaves the core and blocks.
  void block_on(uint32_t c) {
    SimCore& k = cores_[c];
    vs_[k.v].core = -1;
    k.kind = SimCore::Kind::kIdle;
    ++k.gen;
    set_busy(c, false);
    trace_close(c);
    sched_->block(k.v, now_);
  }

  void next_unit(uint32_t c) {
    SimCore& k = cores_[c];
    uint32_t v = k.v;
    SimVcpu& s = vs_[v];
    if (s.req) {
      if (s.reqs.empty()) {
        s.blocked = true;
        block_on(c);
        return;
      }
      push(k.seg_start + s.reqs.front().left / k.speed, kUnitDone, c, k.gen);
      return;
    }
    if (s.cur_left <= 0 && s.par_left == 0 && s.shards_out > 0) {
      // Fork-join: its independent blocks are done here but shards of them
      // still run, so the sequential part (or the next job) waits for the
      // join; the vCPU blocks (a guest halts in its join) until the last
      // shard ends.
      s.join_wait = true;
      block_on(c);
      return;
    }
    if (s.cur_left <= 0) {
      if (s.par_left == 0 && s.seq_left == 0) {  // next job
        const Workload& w = *s.w;
        s.par_left = static_cast<uint32_t>(std::lround(w.blocks_per_job * w.independent_share));
        s.seq_left = w.blocks_per_job - s.par_left;
      }
      if (s.par_left > 0) {
        --s.par_left;
      } else {
        --s.seq_left;
      }
      s.cur_left = s.w->block_us;
      profile(v);
    }
    push(k.seg_start + s.cur_left / k.speed, kUnitDone, c, k.gen);
  }

  void on_unit_done(uint32_t c) {
    SimCore& k = cores_[c];
    SimVcpu& s = vs_[k.v];
    double done = std::max(0.0, now_ - k.seg_start);
    s.cpu_us += done;
    if (s.req) {
      Req r = s.reqs.front();
      s.reqs.pop_front();
      if (r.arrival >= warm_) {
        if (s.lat) req_lat_.push_back(now_ - r.arrival);
        wl_req_lat_[s.wl].push_back(now_ - r.arrival);
      }
    } else {
      s.cur_left = 0;
      if (now_ >= warm_) {
        ++blocks_done_;
        work_done_ += s.w->block_us;
        wl_work_[s.wl] += s.w->block_us;
      }
    }
    k.seg_start = now_;
    next_unit(c);
  }

  void on_slice_end(uint32_t c, uint32_t gen) {
    SimCore& k = cores_[c];
    if (k.slice_gen != gen) return;  // superseded by an earlier timer
    k.slice_timer = -1;
    if (k.kind != SimCore::Kind::kRun) return;
    if (now_ < k.slice_end) {  // the slice was renewed since: wait for its end
      arm_slice(c, k.slice_end);
      return;
    }
    // A new slice of timeslice_us unless another vCPU takes the core; the
    // scheduler may shorten it (trim_slice) from within slice_end.
    k.slice_end = now_ + sc_.timeslice_us;
    if (!sched_->slice_end(c, now_)) arm_slice(c, k.slice_end);
  }

  void on_shard_end(uint32_t c) {
    SimCore& k = cores_[c];
    uint32_t v = k.v;
    SimVcpu& s = vs_[v];
    --s.shards_out;
    s.cpu_us += k.shard_blocks * s.w->block_us / k.speed;
    if (now_ >= warm_) {
      blocks_done_ += k.shard_blocks;
      work_done_ += k.shard_blocks * s.w->block_us;
      wl_work_[s.wl] += k.shard_blocks * s.w->block_us;
    }
    k.kind = SimCore::Kind::kIdle;
    ++k.gen;
    set_busy(c, false);
    trace_close(c);
    sched_->shard_done(v, c, now_);
    if (s.shards_out == 0 && s.join_wait) {
      s.join_wait = false;
      wake(v);
    }
  }

  void on_tick() {
    for (uint32_t c = 0; c < cores_.size(); ++c) {
      SimCore& k = cores_[c];
      double acc = k.busy_acc + (k.busy_since >= 0 ? now_ - k.busy_since : 0.0);
      busy_[c] = acc / sc_.tick_us;
      k.busy_acc = 0;
      if (k.busy_since >= 0) k.busy_since = now_;
    }
    sched_->tick(now_, busy_, sc_.tick_us);
    push(now_ + sc_.tick_us, kTick, 0, 0);
  }

  PolicyResult finish(uint64_t events, double wall, double cpu) {
    PolicyResult r;
    r.spec = ps_;
    r.engine_name = ps_.peer == Peer::kNone && ps_.policy == host::Policy::kShard ? engine_name_ : "-";
    // progress of vCPUs still running at the end
    for (auto& k : cores_)
      if (k.kind == SimCore::Kind::kRun) vs_[k.v].cpu_us += std::max(0.0, now_ - k.seg_start);
    r.wake = summarize_latency(wake_lat_);
    for (size_t i = 0; i < sc_.workloads.size(); ++i)
      if (sc_.workloads[i].requests)
        r.workload_request.emplace_back(sc_.workloads[i].name, summarize_latency(wl_req_lat_[i]));
    r.request = summarize_latency(req_lat_);
    if (!req_lat_.empty()) {
      const size_t n = req_lat_.size();
      auto at = [&](double f) {
        size_t i = std::min(n - 1, static_cast<size_t>(f * static_cast<double>(n)));
        r.request_cdf.emplace_back(req_lat_[i], static_cast<double>(i + 1) / static_cast<double>(n));
      };
      for (int i = 0; i < 100; ++i) at(i / 100.0);
      for (int i = 0; i <= 150; ++i) at(1.0 - std::pow(10.0, -2.0 - 2.0 * i / 150.0));
      std::sort(r.request_cdf.begin(), r.request_cdf.end());
    }
    double meas_s = (end_ - warm_) / 1e6;
    r.sim_ms = sc_.duration_ms;
    r.batch_blocks_per_s = blocks_done_ / meas_s;
    r.batch_work_cores = work_done_ / (meas_s * 1e6);
    for (size_t i = 0; i < sc_.workloads.size(); ++i)
      if (!sc_.workloads[i].requests) {
        const Workload& w = sc_.workloads[i];
        r.workload_work_cores_per_vcpu.emplace_back(w.name, wl_work_[i] / (meas_s * 1e6) / (w.vms * w.vcpus_per_vm));
      }
    r.batch_lost_ms_per_s = stall_us_ / 1000.0 / meas_s;
    // = lost ms/s x 1000 / batch preemptions per s, both over the measured window
    r.batch_lost_us_per_preemption = batch_preemptions_ ? stall_us_ / static_cast<double>(batch_preemptions_) : 0.0;
    double sum = 0, sum2 = 0;
    size_t n = 0;
    for (const auto& s : vs_) {
      if (s.req) continue;
      double x = (s.cpu_us - s.cpu_warm) / s.w->weight;
      sum += x;
      sum2 += x * x;
      ++n;
    }
    r.jain = (n && sum2 > 0) ? sum * sum / (static_cast<double>(n) * sum2) : 1.0;
    r.sched = sched_->stats();
    r.mean_decision_us = r.sched.wakes ? r.sched.decision_us_total / static_cast<double>(r.sched.wakes) : 0;
    r.sim_events = events;
    r.wall_s = wall;
    r.cpu_s = cpu;
    r.events_per_s = cpu > 0 ? static_cast<double>(events) / cpu : 0;
    return r;
  }

  Scenario sc_;
  PolicySpec ps_;
  RunOptions opt_;
  std::vector<SimCore> cores_;
  std::vector<SimVcpu> vs_;
  std::vector<double> busy_ = std::vector<double>(cores_.size(), 0.0);
  std::unique_ptr<host::SchedulerHooks> sched_;
  std::string engine_name_;
  std::priority_queue<Ev, std::vector<Ev>, EvLater> q_;
  uint64_t seq_ = 0;
  double now_ = 0, warm_ = 0, end_ = 0;
  std::vector<double> wake_lat_, req_lat_;
  std::vector<std::vector<double>> wl_req_lat_ = std::vector<std::vector<double>>(sc_.workloads.size());
  uint64_t blocks_done_ = 0;
  double work_done_ = 0;  // µs of batch blocks done (at home-node speed)
  std::vector<double> wl_work_ = std::vector<double>(sc_.workloads.size(), 0.0);  // the same per workload
  double stall_us_ = 0;
  uint64_t batch_preemptions_ = 0;  // preemptions of batch vCPUs after the warm-up
  trace::TraceRecorder* tr_ = opt_.trace;
  uint32_t wake_track_ = 0;
  struct TraceVcpu {
    std::string label;  // workload#vm.vcpu
    uint32_t vm;
  };
  std::vector<TraceVcpu> trace_vcpus_;
  struct OpenSlice {
    bool on = false;
    trace::SliceKind kind = trace::SliceKind::kRun;
    uint32_t v = 0;
    double start = 0;
  };
  std::vector<OpenSlice> open_;  // per core, while tracing
};

}  // namespace

PolicyResult simulate(const Scenario& scenario, const PolicySpec& policy, const RunOptions& opt) {
  Sim sim(scenario, policy, opt);
  return sim.run();
}

}  // namespace vshard::hostsim
